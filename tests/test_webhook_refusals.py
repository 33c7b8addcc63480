"""Forged, stale, oversized, malformed and hostile requests are refused cleanly:
the right status, a short plain body, no stack trace and nothing journaled."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot import protocol
from bot.models import InboundMessage
from bot.simulator.client import WeChatSender, message_xml, sender_for
from tests.conftest import AES_KEY, TOKEN, rows

USER = "o_attacker"
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o_attacker</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o_attacker</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


def signed_query(timestamp: str | None = None, token: str = TOKEN, **extra: str) -> str:
    timestamp = timestamp or str(int(time.time()))
    nonce = "12345"
    return urlencode({"signature": protocol.sign(token, timestamp, nonce),
                      "timestamp": timestamp, "nonce": nonce, **extra})


def text_xml(content: str = "菜单", msg_id: int = 99) -> str:
    return message_xml("gh_test", USER, "text", {"Content": content, "MsgId": msg_id})


def assert_refused(app: Flask, response, status: int) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert len(body) < 100
    assert "Traceback" not in body and "<html" not in body.lower()
    assert rows(app, select(InboundMessage.id)) == []


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_get_echoes_echostr_for_a_good_signature(client: FlaskClient) -> None:
    response = client.get(f"/wechat?{signed_query(echostr='4862583418836713245')}")
    assert (response.status_code, response.get_data(as_text=True)) == (200,
                                                                       "4862583418836713245")


@pytest.mark.parametrize("query", [
    "echostr=1",
    "signature=0000&timestamp=1&nonce=1&echostr=1",
    signed_query(token="not-our-token", echostr="1"),
    lambda: signed_query(timestamp=str(int(time.time()) - 3600), echostr="1"),
], ids=["missing", "forged", "wrong-token", "stale"])
def test_get_refuses_bad_verification(app: Flask, client: FlaskClient,
                                      query: str | Callable[[], str]) -> None:
    query = query() if callable(query) else query
    assert_refused(app, client.get(f"/wechat?{query}"), 403)


@pytest.mark.parametrize(("query", "body", "status"), [
    ("", text_xml(), 403),
    ("signature=deadbeef&timestamp=1&nonce=2", text_xml(), 403),
    (signed_query(token="forged"), text_xml(), 403),
    # Timestamps relative to when the test runs, not when it was collected.
    (lambda: signed_query(timestamp=str(int(time.time()) - 301)), text_xml(), 403),
    (lambda: signed_query(timestamp=str(int(time.time()) + 400)), text_xml(), 403),
    (signed_query(timestamp="yesterday"), text_xml(), 403),
    (signed_query(), "this is not xml", 400),
    (signed_query(), "<xml><ToUserName>a</ToUserName>", 400),
    (signed_query(), "<root><MsgType>text</MsgType></root>", 400),
    (signed_query(), "<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>", 400),
    (signed_query(), "", 400),
    (signed_query(), BILLION_LAUGHS, 400),
    (signed_query(), EXTERNAL_ENTITY, 400),
    (signed_query(), "<xml>\xff</xml>".encode("latin-1"), 400),
], ids=["unsigned", "forged", "wrong-token", "stale", "future", "bad-timestamp", "not-xml",
        "truncated", "wrong-root", "no-msgtype", "empty", "billion-laughs", "external-entity",
        "not-utf8"])
def test_post_refusals(app: Flask, client: FlaskClient, query: str | Callable[[], str],
                       body: str | bytes, status: int) -> None:
    query = query() if callable(query) else query
    assert_refused(app, client.post(f"/wechat?{query}", data=body), status)


def test_oversized_body_is_refused(app: Flask, client: FlaskClient) -> None:
    body = text_xml("投诉" * 40_000)
    assert len(body.encode()) > 64 * 1024
    assert_refused(app, client.post(f"/wechat?{signed_query()}", data=body), 413)


def test_body_just_under_the_limit_is_accepted(client: FlaskClient) -> None:
    body = text_xml("a" * (60 * 1024))
    assert client.post(f"/wechat?{signed_query()}", data=body).status_code == 200


def test_clock_check_can_be_turned_off(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(WECHAT_MAX_CLOCK_SKEW="0")
    query = signed_query(timestamp="1409735669")
    assert app.test_client().post(f"/wechat?{query}", data=text_xml()).status_code == 200


def test_stale_replay_of_a_captured_request_is_refused(app: Flask) -> None:
    sender = sender_for(app)
    old = str(int(time.time()) - 600)
    query, body = sender.signed_request(text_xml(msg_id=5), timestamp=old)
    assert_refused(app, app.test_client().post(f"/wechat?{query}", data=body), 403)


class TestSafeMode:
    @pytest.fixture
    def safe_app(self, make_app) -> Flask:  # type: ignore[no-untyped-def]
        return make_app(safe=True)

    def test_bad_msg_signature(self, safe_app: Flask) -> None:
        query, body = sender_for(safe_app).signed_request(text_xml())
        query = query.replace("msg_signature=", "msg_signature=0")
        assert_refused(safe_app, safe_app.test_client().post(f"/wechat?{query}", data=body), 403)

    def test_missing_msg_signature(self, safe_app: Flask) -> None:
        body = "<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>"
        response = safe_app.test_client().post(f"/wechat?{signed_query(encrypt_type='aes')}",
                                               data=body)
        assert_refused(safe_app, response, 403)

    @pytest.mark.parametrize("encrypt", ["not base64 at all!!", "QUJD", "A" * 64])
    def test_undecryptable_payload(self, safe_app: Flask, encrypt: str) -> None:
        timestamp, nonce = str(int(time.time())), "777"
        query = urlencode({"signature": protocol.sign(TOKEN, timestamp, nonce),
                           "timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes",
                           "msg_signature": protocol.sign(TOKEN, timestamp, nonce, encrypt)})
        body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        assert_refused(safe_app, safe_app.test_client().post(f"/wechat?{query}", data=body),
                       400)

    def test_encrypted_with_another_key(self, safe_app: Flask) -> None:
        other = WeChatSender(transport=lambda q, b: (0, b""), token=TOKEN,
                             appid=safe_app.config["WECHAT_APPID"],
                             aes_key=AES_KEY[::-1], encrypt=True)
        query, body = other.signed_request(text_xml())
        assert_refused(safe_app, safe_app.test_client().post(f"/wechat?{query}", data=body), 400)

    def test_encrypted_for_another_appid(self, safe_app: Flask) -> None:
        other = WeChatSender(transport=lambda q, b: (0, b""), token=TOKEN,
                             appid="wx0000000000000000", aes_key=AES_KEY, encrypt=True)
        query, body = other.signed_request(text_xml())
        assert_refused(safe_app, safe_app.test_client().post(f"/wechat?{query}", data=body), 400)

    def test_plain_account_refuses_encrypted_messages(self, app: Flask) -> None:
        sender = WeChatSender(transport=lambda q, b: (0, b""), token=TOKEN,
                              appid="wx5823bf96d3bd56c7", aes_key=AES_KEY, encrypt=True)
        query, body = sender.signed_request(text_xml())
        assert_refused(app, app.test_client().post(f"/wechat?{query}", data=body), 400)


def test_hostile_requests_then_the_real_one_is_handled_once(app: Flask,
                                                            client: FlaskClient) -> None:
    xml = text_xml(msg_id=4242)
    client.post(f"/wechat?{signed_query(token='forged')}", data=xml)
    client.post(f"/wechat?{signed_query(timestamp='100')}", data=xml)
    good = signed_query()
    first = client.post(f"/wechat?{good}", data=xml)
    replayed = client.post(f"/wechat?{good}", data=xml)
    assert first.status_code == replayed.status_code == 200
    assert first.get_data() == replayed.get_data()
    assert rows(app, select(InboundMessage.attempts)) == [(1,)]
