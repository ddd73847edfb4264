"""trigram indexes for the admin users and certificates searches and the manager's matrix search

Revision ID: 0013_search_indexes
Revises: 0012_analytics_summaries
Create Date: 2026-12-04 16:40:00.000000

A search is "contains, ignoring case" (``LIKE '%smith%'``), which a B-tree cannot answer; at
100,000 learners every search read every row (docs/benchmarks.md, "Searches and filters that do
not grow"). Trigram indexes answer it (academy/services/text_search.py):

- SQLite: FTS5 tables with the trigram tokenizer, external content (only the index is stored),
  kept in step with ``users`` (name, email) and ``certificates`` (holder_name, course_title, title,
  code) by triggers, and filled from the rows already there.
- PostgreSQL: the ``pg_trgm`` extension and GIN indexes on the expressions the searches test
  (``lower(users.name)``, ``users.email``, the four certificate columns).
"""

from alembic import op


revision = '0013_search_indexes'
down_revision = '0012_analytics_summaries'
branch_labels = None
depends_on = None

#: FTS5 table -> (content table, indexed columns). The names are repeated in text_search.py.
SQLITE_TABLES = {
    'users_search': ('users', ('name', 'email')),
    'certificates_search': ('certificates', ('holder_name', 'course_title', 'title', 'code')),
}
#: PostgreSQL index -> (table, indexed expression).
POSTGRESQL_INDEXES = {
    'ix_users_name_trgm': ('users', 'lower(name)'),
    'ix_users_email_trgm': ('users', 'email'),
    'ix_certificates_holder_name_trgm': ('certificates', 'holder_name'),
    'ix_certificates_course_title_trgm': ('certificates', 'course_title'),
    'ix_certificates_title_trgm': ('certificates', 'title'),
    'ix_certificates_code_trgm': ('certificates', 'code'),
}


def _sqlite_upgrade() -> None:
    for fts, (content, columns) in SQLITE_TABLES.items():
        names = ', '.join(columns)
        new = ', '.join(f'new.{c}' for c in columns)
        old = ', '.join(f'old.{c}' for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{content}', content_rowid='id', "
                   "tokenize='trigram')")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {content} BEGIN "
                   f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {content} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END")
        # Only when a searched column changes: signing in or revoking rewrites no index entry.
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {content} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _sqlite_upgrade()
    elif dialect == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, (table, expression) in POSTGRESQL_INDEXES.items():
            op.execute(f'CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for fts in SQLITE_TABLES:
            for trigger in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER IF EXISTS {fts}_{trigger}')
            op.execute(f'DROP TABLE IF EXISTS {fts}')
    elif dialect == 'postgresql':
        for name in POSTGRESQL_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
        # The extension stays: other objects may use it, and it holds no data of ours.
