"""search: the full-text index of documents and dossiers

One index, `search_index`, of text folded without diacritics (schemas.vietnamese.fold, in
Python, so both engines see the same words): an FTS5 table on SQLite, a table with a tsvector
('simple' configuration) and a GIN index on PostgreSQL. Not a SQLModel table: env.py leaves
`search_index*` out of autogenerate. `hoso search reindex` fills it for existing data.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:10:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The text is folded already; unicode61 only splits it into words.
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5(body, tokenize = 'unicode61')")
        return
    op.execute("CREATE TABLE search_index (id BIGINT PRIMARY KEY, body TEXT NOT NULL, "
               "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)")
    op.execute("CREATE INDEX ix_search_index_tsv ON search_index USING GIN (tsv)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
