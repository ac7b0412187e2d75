"""Print the SQLAlchemy models of models.py as SQLite DDL on standard output.

Used by migrate as a model command:
    [model]
    command = "python3 export_schema.py"
"""

import os
import sys

from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import Base  # noqa: E402


def main() -> None:
    dialect = sqlite.dialect()
    for table in Base.metadata.sorted_tables:
        print(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n")
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            print(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n")


if __name__ == "__main__":
    main()
