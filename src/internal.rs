//! What this crate's own binary, tests, benches and examples reach inside
//! it, and nothing else. Not part of the library's API: hidden from the
//! docs, with no stability promise; it changes with the tests. Each module
//! mirrors the private module of the same path and re-exports only the
//! items named from outside `src/` (tests/architecture.rs keeps lib.rs to
//! this one hidden public module).

pub mod apply {
    pub use crate::apply::{Direction, Pending, Plan, run_with};
}
pub mod autogen {
    pub use crate::autogen::plan_between;
}
#[cfg(feature = "cli")]
pub mod cli {
    pub use crate::cli::{Cli, main};
}
pub mod config {
    pub use crate::config::{Config, Overrides};
}
pub mod describe {
    pub use crate::describe::describe;
}
pub mod dialect {
    pub use crate::dialect::Dialect;
}
pub mod diff {
    pub use crate::diff::{
        Change, ChangeKind, ColumnChange, ConstraintChange, Renames, diff, reversed,
    };
}
pub mod driver {
    pub use crate::driver::{Applied, Driver, NewViolation, RowChange};
}
pub mod engine {
    pub use crate::engine::Engine;
}
pub mod graph {
    pub use crate::graph::{Graph, Target};
}
pub mod load {
    pub use crate::load::{Model, ModelSource, load, load_sql, load_toml};
    pub mod toml_model {
        pub use crate::load::toml_model::{from_schema, write};
    }
}
pub mod plan {
    pub use crate::plan::{Migration, Statement};
}
#[cfg(feature = "postgres")]
pub mod postgres {
    pub mod casts {
        pub use crate::postgres::casts::{
            CASTS, CastContext, TYPES, alter_column_type, cast_context, needs_using,
        };
    }
    pub mod ddl {
        pub use crate::postgres::ddl::create_schema;
    }
    pub mod dialect {
        pub use crate::postgres::dialect::{LOCK_KEY, PostgresDialect, offline_preamble};
    }
    pub mod enums {
        pub use crate::postgres::enums::{
            EnumChange, EnumColumn, add_value_sql, create_sql, plan, recreate_sql, rows_using_sql,
        };
    }
    pub mod inspect {
        pub use crate::postgres::inspect::{Options, inspect};
    }
    pub mod keywords {
        pub use crate::postgres::keywords::needs_quotes;
    }
    pub mod model_order {
        pub use crate::postgres::model_order::run;
    }
    pub mod names {
        pub use crate::postgres::names::{ident, quote_ident};
    }
    pub mod no_transaction {
        pub use crate::postgres::no_transaction::{
            enum_value_used_later, runs_in_transaction, why_not_in_transaction,
        };
    }
    pub mod plan {
        pub use crate::postgres::plan::migration_of;
        pub mod precount {
            pub use crate::postgres::plan::precount::of;
        }
    }
    pub mod rename_hints {
        pub use crate::postgres::rename_hints::read;
    }
    pub mod schemas {
        pub use crate::postgres::schemas::{create_all, set_search_path, tolerant_create_schema};
    }
    pub mod sql {
        pub use crate::postgres::sql::{Kind, Token, check, split, tokenize, without_bom};
    }
    pub mod version_table {
        pub use crate::postgres::version_table::{FORMAT, VersionTable};
    }
}
pub mod risk {
    pub use crate::risk::{Risk, RiskKind};
}
pub mod schema {
    pub use crate::schema::{
        Check, Column, ColumnOptions, EnumType, ForeignKey, Identity, Index, IndexOptions,
        IndexPart, IndexTarget, NameRule, PostgresColumn, PostgresIndex, PostgresTable, PrimaryKey,
        Schema, Sequence, SequenceSettings, Table, TableOptions, Unique,
    };
}
pub mod script {
    pub use crate::script::{Revision, parse};
}
pub mod sqlite {
    pub mod affinity {
        pub use crate::sqlite::affinity::{Affinity, affinity};
    }
    pub mod backup {
        pub use crate::sqlite::backup::{folder, list};
    }
    pub mod ddl {
        pub use crate::sqlite::ddl::{create_schema, ident_list, referenced_names};
    }
    pub mod dialect {
        pub use crate::sqlite::dialect::SqliteDialect;
    }
    pub mod inspect {
        pub use crate::sqlite::inspect::inspect;
    }
    pub mod names {
        pub use crate::sqlite::names::same_name;
    }
    pub mod outside_lock {
        pub use crate::sqlite::outside_lock::lock_path;
    }
    pub mod plan {
        pub use crate::sqlite::plan::{migration, render};
    }
    pub mod risk {
        pub use crate::sqlite::risk::section_risks;
    }
    pub mod sql {
        pub use crate::sqlite::sql::{
            quote_ident, significant_text, split, split_statements, tokenize,
        };
    }
    pub mod version_table {
        pub use crate::sqlite::version_table::FORMAT;
    }
}
pub mod sum {
    pub use crate::sum::write;
}
