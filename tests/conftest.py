"""Shared fixtures: apps on a fresh SQLite file or on the real PostgreSQL server, and a
WeChat stand-in that posts real signed (and encrypted) XML to the webhook."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from bot import create_app, migrate
from bot.db import Base, get_db
from bot.simulator.client import WeChatSender, sender_for
from tests.fake_wechat import FakeWeChat, fake_wechat

TOKEN = "testtoken"
# Any valid 43-character EncodingAESKey and AppID pair works for safe-mode round trips.
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APPID = "wx5823bf96d3bd56c7"

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Reference data the migrations seed; tests read it and never change it.
SEEDED_TABLES = {"bureau"}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    """A complete environment, so nothing from the developer's shell leaks into a test."""
    return {"WECHAT_TOKEN": TOKEN, "DATABASE_URL": database_url, "SECRET_KEY": "test",
            **extra}


def safe_mode_env() -> dict[str, str]:
    return {"WECHAT_APPID": APPID, "WECHAT_AES_KEY": AES_KEY}


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    url = f"sqlite:///{tmp_path}/bot.sqlite3"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL admin URL, or a skip that says which server could not be reached."""
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} "
                    f"(set TEST_POSTGRES_URL): {exc.orig}")
    finally:
        engine.dispose()
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh database for this test run, migrated to head, dropped at the end."""
    name = f"bot_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The run's PostgreSQL database, emptied before each test."""
    engine = sa.create_engine(postgres_database)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables
                           if t.name not in SEEDED_TABLES)
        connection.execute(sa.text(f"TRUNCATE {tables}"))
    engine.dispose()
    return postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs a test on both databases."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(sqlite_url: str) -> Iterator[AppFactory]:
    apps: list[Flask] = []

    def factory(database_url: str | None = None, safe: bool = False,
                overrides: dict[str, Any] | None = None, **env: str) -> Flask:
        full_env = base_env(database_url or sqlite_url, **(safe_mode_env() if safe else {}),
                            **env)
        app = create_app(overrides={"TESTING": True, **(overrides or {})}, env=full_env)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        get_db(app).engine.dispose()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture(params=["plain", "safe"])
def mode_app(request: pytest.FixtureRequest, make_app: AppFactory) -> Flask:
    """The same test in plain mode and in safe (encrypted) mode."""
    return make_app(safe=request.param == "safe")


@pytest.fixture
def wechat(mode_app: Flask) -> WeChatSender:
    return sender_for(mode_app)


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChat]:
    """A fake WeChat API server on 127.0.0.1 for the outbound side."""
    with fake_wechat() as fake:
        yield fake


@pytest.fixture
def api_app(make_app: AppFactory, database_url: str, wechat_api: FakeWeChat) -> Flask:
    """An app whose WeChat API is the fake server, on both databases."""
    return make_app(database_url=database_url, WECHAT_APPID=wechat_api.appid,
                    WECHAT_SECRET=wechat_api.secret, WECHAT_API_BASE=wechat_api.api_base,
                    WECHAT_API_TIMEOUT="2")


def rows(app: Flask, statement: Any) -> list[Any]:
    with get_db(app).transaction() as session:
        return list(session.execute(statement).all())
