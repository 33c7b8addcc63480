"""A database outage loses no message: it is spooled to disk, the consumer is told, and
``flask journal replay`` handles it once the database is back."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import bot.inbound
from bot.models import Conversation, InboundMessage, JournalState
from bot.simulator.client import sender_for
from tests.conftest import rows

USER = "o_patient"


def test_message_during_a_database_outage_is_spooled_and_replayed(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db_file = tmp_path / "bot.sqlite3"
    app: Flask = make_app()
    sender = sender_for(app)
    sender.event(USER, "subscribe")

    # The database disappears: move its file away and point the engine at a path that
    # cannot be opened.
    shutil.move(db_file, tmp_path / "away.sqlite3")
    (tmp_path / "bot.sqlite3").mkdir()
    app.extensions["db"].engine.dispose()
    reply = sender.text(USER, "菜单")
    assert reply.status == 200
    assert "已经收到并记录" in reply.text
    spool_dir = Path(app.config.get("SPOOL_DIR") or Path(app.instance_path) / "spool")
    spooled = list(spool_dir.glob("*.xml"))
    assert len(spooled) == 1 and "菜单" in spooled[0].read_text(encoding="utf-8")

    (tmp_path / "bot.sqlite3").rmdir()
    shutil.move(tmp_path / "away.sqlite3", db_file)
    app.extensions["db"].engine.dispose()
    result = app.test_cli_runner().invoke(args=["journal", "replay"])
    assert result.exit_code == 0, result.output
    assert "replayed 1 message" in result.output
    assert list(spool_dir.glob("*.xml")) == []
    assert rows(app, select(InboundMessage.content, InboundMessage.state)) == [
        ("", JournalState.HANDLED), ("菜单", JournalState.HANDLED)]
    assert rows(app, select(Conversation.turns)) == [(2,)]


def test_a_failing_handler_is_journaled_and_replayable(app: Flask,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = bot.inbound.dialog.handle

    def broken(*args: Any) -> Any:
        raise RuntimeError("bug in a handler")

    monkeypatch.setattr(bot.inbound.dialog, "handle", broken)
    reply = sender_for(app).text(USER, "菜单")
    assert reply.status == 200 and "已经收到并记录" in reply.text
    ((state, error),) = rows(app, select(InboundMessage.state, InboundMessage.error))
    assert state == JournalState.FAILED and "bug in a handler" in error

    monkeypatch.setattr(bot.inbound.dialog, "handle", real)
    result = app.test_cli_runner().invoke(args=["journal", "replay"])
    assert "replayed 1 message" in result.output
    assert rows(app, select(InboundMessage.state, InboundMessage.attempts)) == [
        (JournalState.HANDLED, 2)]
    assert rows(app, select(Conversation.turns)) == [(1,)]


def test_a_message_abandoned_by_a_dead_worker_is_replayed(app: Flask) -> None:
    import datetime as dt

    from bot.db import get_db, utcnow

    sender_for(app).text(USER, "菜单")
    with get_db(app).transaction() as session:  # as if the worker died mid-handling
        entry = session.scalars(select(InboundMessage)).one()
        entry.state = JournalState.PROCESSING
        entry.claimed_at = utcnow() - dt.timedelta(minutes=5)
    result = app.test_cli_runner().invoke(args=["journal", "replay"])
    assert "replayed 1 message" in result.output
    assert rows(app, select(InboundMessage.state, InboundMessage.attempts)) == [
        (JournalState.HANDLED, 2)]
    # A recent claim belongs to a live worker and is left alone.
    assert "replayed 0 message" in app.test_cli_runner().invoke(
        args=["journal", "replay"]).output
