//! The `migrate` binary: everything lives in the library; see `migrate --help`.

fn main() -> std::process::ExitCode {
    migrate::internal::cli::main()
}
