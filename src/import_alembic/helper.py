"""Reads an Alembic history for `migrate import-alembic` and renders each
revision's upgrade and downgrade with Alembic's own offline mode (what
`alembic upgrade A:B --sql` prints), one revision at a time, so that a
revision Alembic cannot render offline fails alone.

Shipped inside the migrate binary and run with the project's Python, in the
directory of alembic.ini (Alembic reads `script_location` from there).
Prints one JSON document on stdout; env.py's logging goes to stderr.
Usage: python - ALEMBIC_INI
"""
import io
import json
import sys


def main():
    ini = sys.argv[1]
    try:
        from alembic import util
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory
    except ImportError as e:
        print(f"alembic is not importable by {sys.executable}: {e}", file=sys.stderr)
        sys.exit(3)

    # A print() in a migration must not corrupt the JSON on stdout.
    out, sys.stdout = sys.stdout, sys.stderr
    cfg = Config(ini)
    script = ScriptDirectory.from_config(cfg)
    seen = {"version_table": "alembic_version", "dialect": None}
    state = {}
    original = EnvironmentContext.configure

    # env.py calls configure(); ours adds an output buffer and a callback
    # after each step, so each revision's own statements can be cut out.
    def configure(self, *args, **kw):
        state["buf"] = kw["output_buffer"] = io.StringIO()
        state["pos"] = 0
        callbacks = util.to_tuple(kw.get("on_version_apply"), default=())
        kw["on_version_apply"] = tuple(callbacks) + (on_apply,)
        seen["version_table"] = kw.get("version_table") or "alembic_version"
        original(self, *args, **kw)
        seen["dialect"] = self.get_context().dialect.name

    def on_apply(ctx, step, heads, run_args):
        text = state["buf"].getvalue()
        if step.is_migration and state["want"] in step.up_revision_ids:
            state["chunk"] = text[state["pos"]:]
        state["pos"] = len(text)

    EnvironmentContext.configure = configure

    def render(rev, upgrade):
        state.update(want=rev.revision, chunk=None)
        if upgrade:
            parents = util.to_tuple(rev.down_revision, default=())
            start = parents or None
            dest = rev.revision

            def fn(heads, context):
                return script._upgrade_revs(dest, heads)
        else:
            start = rev.revision
            # Down to a parent: for a merge, Alembic also walks down the
            # other parent's branch, whose steps are left out ("-1" is an
            # ambiguous walk from a merge).
            parents = util.to_tuple(rev.down_revision, default=())
            dest = parents[0] if parents else "base"

            def fn(heads, context):
                return script._downgrade_revs(dest, heads)

        try:
            with EnvironmentContext(
                cfg, script, fn=fn, as_sql=True, starting_rev=start, destination_rev=dest
            ):
                script.run_env()
        except BaseException as e:  # a data migration may even sys.exit()
            message = str(e).strip().splitlines()
            return None, f"{type(e).__name__}: {message[0] if message else ''}".rstrip(": ")
        if state["chunk"] is None:
            return None, "Alembic ran no step for this revision"
        return state["chunk"], None

    revisions = []
    for rev in reversed(list(script.walk_revisions())):
        up, up_error = render(rev, True)
        down, down_error = render(rev, False)
        revisions.append(
            {
                "id": rev.revision,
                "parents": list(util.to_tuple(rev.down_revision, default=())),
                # The labels written on this revision, not those it inherits.
                "branch_labels": sorted(getattr(rev, "_orig_branch_labels", None) or ()),
                "depends_on": list(util.to_tuple(rev.dependencies, default=())),
                "message": (rev.doc or "").strip(),
                "path": rev.path,
                "up": up,
                "up_error": up_error,
                "down": down,
                "down_error": down_error,
            }
        )
    json.dump(
        {
            "dialect": seen["dialect"],
            "version_table": seen["version_table"],
            "revisions": revisions,
        },
        out,
    )


main()
