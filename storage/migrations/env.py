"""Alembic environment: runs on the connection hoso hands over (storage.db.upgrade)."""

from alembic import context
from sqlmodel import SQLModel

import schemas.models  # noqa: F401  (the tables)
from storage.db import get_engine

target_metadata = SQLModel.metadata


def _include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    # The full-text index (migration 0005) is no SQLModel table: autogenerate leaves it alone.
    return not (type_ == "table" and (name or "").startswith("search_index"))


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the alembic command line: `alembic -c ... revision --autogenerate`
    with get_engine(context.config.get_main_option("sqlalchemy.url")).begin() as conn:
        run(conn)
