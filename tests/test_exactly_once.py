"""WeChat retries a slow message up to three times, possibly into different workers at
once: every delivery gets the same reply and the message takes effect once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

import bot.inbound
from bot.models import Conversation, InboundMessage, JournalState
from bot.simulator.client import Reply, WeChatSender, http_transport, message_xml, sender_for
from tests.conftest import REDIS_URL, base_env, rows, safe_mode_env
from tests.servers import gunicorn

USER = "o_impatient"


def deliver_concurrently(sender: WeChatSender, xml: str, times: int = 10) -> list[Reply]:
    """Posts the same signed request ``times`` times, all released at the same instant."""
    query, body = sender.signed_request(xml)
    barrier = threading.Barrier(times)

    def deliver(_: int) -> Reply:
        barrier.wait()
        return sender.decode(*sender.transport(query, body))

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(deliver, range(times)))


def assert_one_effect(app: Flask, replies: list[Reply]) -> None:
    assert {r.status for r in replies} == {200}
    assert {r.kind for r in replies} == {"text"}
    assert len({r.raw for r in replies}) == 1, "every delivery must get the same reply"
    assert "请回复数字或文字选择" in replies[0].text
    assert rows(app, select(Conversation.turns)) == [(1,)]
    assert rows(app, select(InboundMessage.state, InboundMessage.attempts)) == [
        (JournalState.HANDLED, 1)]


@pytest.fixture
def slow_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes handling take 300 ms so that every duplicate arrives while it runs."""
    real = bot.inbound.dialog.handle

    def slow(*args: Any) -> Any:
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(bot.inbound.dialog, "handle", slow)


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_ten_concurrent_deliveries_in_process(make_app, database_url: str, safe: bool,  # type: ignore[no-untyped-def]
                                              slow_dialog: None) -> None:
    app = make_app(database_url=database_url, safe=safe)
    xml = message_xml("gh_test", USER, "text", {"Content": "菜单", "MsgId": 880001})
    assert_one_effect(app, deliver_concurrently(sender_for(app), xml))


@pytest.mark.postgres
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_ten_concurrent_deliveries_across_gunicorn_workers(make_app, postgres_url: str,  # type: ignore[no-untyped-def]
                                                           safe: bool) -> None:
    env = base_env(postgres_url, **(safe_mode_env() if safe else {}), APP_ENV="production")
    app = make_app(database_url=postgres_url, safe=safe)
    with gunicorn(env, workers=4) as base:
        sender = sender_for(app, transport=http_transport(base))
        for n in range(3):  # a few rounds, so different workers win the race
            xml = message_xml("gh_test", f"{USER}{n}", "text",
                              {"Content": "菜单", "MsgId": 770000 + n})
            replies = deliver_concurrently(sender, xml)
            assert {r.status for r in replies} == {200}
            assert len({r.raw for r in replies}) == 1
    turns = rows(app, select(Conversation.openid, Conversation.turns))
    assert sorted(turns) == [(f"{USER}{n}", 1) for n in range(3)]
    assert len(rows(app, select(InboundMessage.id))) == 3


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} (set TEST_REDIS_URL): {exc}")
    return REDIS_URL


@pytest.mark.redis
def test_ten_concurrent_deliveries_with_redis(make_app, database_url: str, redis_url: str,  # type: ignore[no-untyped-def]
                                              slow_dialog: None) -> None:
    app = make_app(database_url=database_url, REDIS_URL=redis_url)
    xml = message_xml("gh_test", USER, "text", {"Content": "菜单", "MsgId": 660001})
    assert_one_effect(app, deliver_concurrently(sender_for(app), xml))
    client = redis.Redis.from_url(redis_url)
    assert client.get(f"wx:reply:msg:{USER}:660001").decode() == rows(
        app, select(InboundMessage.reply_xml))[0][0]


@pytest.mark.redis
def test_redis_outage_falls_back_to_the_database(make_app, slow_dialog: None) -> None:  # type: ignore[no-untyped-def]
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    xml = message_xml("gh_test", USER, "text", {"Content": "菜单", "MsgId": 550001})
    assert_one_effect(app, deliver_concurrently(sender_for(app), xml, times=4))
