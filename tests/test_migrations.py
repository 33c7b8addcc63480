"""The same Alembic migrations build the schema on SQLite and PostgreSQL, agree with the
models, and go down and up again."""

from __future__ import annotations

import sqlalchemy as sa

from bot import migrate
from bot.db import Base


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade(database_url: str) -> None:
    expected = set(Base.metadata.tables)
    assert table_names(database_url) == expected
    migrate.check(database_url)  # raises when a model change has no migration
    migrate.downgrade(database_url, "base")
    assert table_names(database_url) == set()
    migrate.upgrade(database_url)
    assert table_names(database_url) == expected


def test_flask_db_upgrade_creates_the_schema(make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    app = make_app(database_url=url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert table_names(url) == set(Base.metadata.tables)
    assert app.test_cli_runner().invoke(args=["db", "check"]).exit_code == 0
