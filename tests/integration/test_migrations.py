"""The schema changes only through migrations, and the migrations describe the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from academy.migrate import alembic_config
from academy.models import Base
from academy.services import text_search


def test_migrations_have_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def _not_a_search_index(name, type_, parent_names) -> bool:
    """The trigram search's own objects, which the models cannot declare (migration 0013): SQLite's
    FTS5 tables with their shadow tables, PostgreSQL's GIN indexes. Exactly these, by name."""
    if type_ == "table":
        return name not in text_search.fts_table_names()
    if type_ == "index":
        return name not in text_search.TRIGRAM_INDEXES
    return True


def test_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": _not_a_search_index})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
