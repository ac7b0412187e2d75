# The Python side of `[model] sqlalchemy = "package.module:Base"`, shipped
# inside the migrate binary (src/load/sqlalchemy.rs runs it with `python -c`).
#
# argv: module:attribute, the config's directory, the dialect name ("sqlite").
# It imports the user's module, takes its MetaData, and has SQLAlchemy itself
# write the DDL (create_mock_engine + create_all, so the DDL is what
# SQLAlchemy would run on a real database). Standard output carries one JSON
# object: {"statements": [...], "renames": [{"table", "column", "from"}]};
# anything the user's code prints goes to stderr, so it cannot corrupt that.
#
# Exit codes: 0 done; 3 the user's module failed (its traceback on stderr);
# 4 anything else, with one line saying what to do.
import json
import sys
import traceback


def user_error(e):
    """The user's traceback, without this helper's own frame."""
    traceback.print_exception(type(e), e, e.__traceback__.tb_next)
    sys.exit(3)


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(4)


def metadata_of(target, obj):
    from sqlalchemy import MetaData

    if isinstance(obj, MetaData):
        return obj
    metadata = getattr(obj, "metadata", None)
    if isinstance(metadata, MetaData):
        return metadata
    fail(
        "%s is a %s, not a declarative base or a MetaData; point [model] sqlalchemy "
        "at your Base class (module:Base) or at a MetaData (module:metadata)"
        % (target, type(obj).__name__)
    )


def hint(where, info):
    old = (info or {}).get("renamed_from")
    if old is None or (isinstance(old, str) and old):
        return old
    fail(
        '%s: info={"renamed_from": %r} must be the old name as a non-empty string'
        % (where, old)
    )


def renames(metadata):
    found = []
    for table in metadata.sorted_tables:
        old = hint("table %r" % table.name, table.info)
        if old is not None:
            found.append({"table": table.name, "column": None, "from": old})
        for column in table.columns:
            old = hint("column %r.%r" % (table.name, column.name), column.info)
            if old is not None:
                found.append({"table": table.name, "column": column.name, "from": old})
    return found


def main():
    target, directory, dialect = sys.argv[1:4]
    module_name, _, attribute = target.partition(":")
    sys.path.insert(0, directory)
    # No __pycache__ left in the project by migrate reading its models.
    sys.dont_write_bytecode = True
    try:
        import sqlalchemy
    except ImportError:
        fail(
            "SQLAlchemy is not importable by this interpreter; install it there "
            "(pip install sqlalchemy) or set [model] python to the one that has it"
        )
    if not sqlalchemy.__version__.startswith("2."):
        fail("SQLAlchemy %s found; migrate needs SQLAlchemy 2.x" % sqlalchemy.__version__)
    real_stdout = sys.stdout
    # Anything the user's code prints goes to stderr, not into our JSON.
    sys.stdout = sys.stderr
    try:
        # __import__ (not importlib.import_module) so that Python drops its
        # import machinery's frames from the traceback.
        __import__(module_name)
        module = sys.modules[module_name]
    except ImportError as e:
        missing = getattr(e, "name", None) or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            fail(
                "no module %r under %s (nor elsewhere on sys.path); the module part of "
                "[model] sqlalchemy is a dotted module path relative to the config's directory"
                % (module_name, directory)
            )
        user_error(e)
    except BaseException as e:
        user_error(e)
    obj = module
    for part in attribute.split("."):
        if not hasattr(obj, part):
            fail("module %r has no attribute %r (from [model] sqlalchemy = %r)" % (module_name, attribute, target))
        obj = getattr(obj, part)
    metadata = metadata_of(target, obj)

    statements = []
    engine = None

    def dump(ddl, *multiparams, **params):
        statements.append(str(ddl.compile(dialect=engine.dialect)).strip())

    engine = sqlalchemy.create_mock_engine(dialect + "://", dump)
    try:
        metadata.create_all(engine, checkfirst=False)
    except BaseException as e:
        user_error(e)
    found = renames(metadata)
    sys.stdout = real_stdout
    json.dump({"statements": statements, "renames": found}, sys.stdout)
    sys.stdout.flush()


main()
