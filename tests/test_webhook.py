"""Every message type and event, as real signed XML, in plain and in safe mode."""

from __future__ import annotations

import time

import pytest
import xmltodict
from flask import Flask
from sqlalchemy import select

from bot.models import Conversation, InboundMessage, JournalState
from bot.simulator.client import WeChatSender, message_xml, new_msg_id
from tests.conftest import rows

USER = "o_consumer_1"

# (message type, fields, substring the reply must contain or None for no reply)
MESSAGES = [
    ("text", {"Content": "菜单"}, "请回复数字或文字选择"),
    ("text", {"Content": "5"}, "增强质量意识 推进高质量发展"),
    ("image", {"PicUrl": "http://mmbiz.example/p.jpg", "MediaId": "m1"}, "收到您的图片"),
    ("voice", {"MediaId": "v1", "Format": "amr", "Recognition": "菜单。"}, "请回复数字或文字选择"),
    ("voice", {"MediaId": "v2", "Format": "amr"}, "没能识别出文字"),
    ("video", {"MediaId": "m2", "ThumbMediaId": "t2"}, "收到您的视频"),
    ("shortvideo", {"MediaId": "m3", "ThumbMediaId": "t3"}, "收到您的视频"),
    ("location", {"Location_X": 26.0745, "Location_Y": 119.2965, "Scale": 15,
                  "Label": "福州市鼓楼区五四路"}, "收到您的位置：福州市鼓楼区五四路"),
    ("link", {"Title": "某品牌电动车召回", "Description": "d", "Url": "http://example.org/a"},
     "某品牌电动车召回"),
]

EVENTS = [
    ({"Event": "subscribe"}, "欢迎关注"),
    ({"Event": "subscribe", "EventKey": "qrscene_42", "Ticket": "TICKET"}, "欢迎关注"),
    ({"Event": "SCAN", "EventKey": "42", "Ticket": "TICKET"}, "欢迎回来"),
    ({"Event": "CLICK", "EventKey": "QUALITY_MONTH"}, "实验室开放日"),
    ({"Event": "CLICK", "EventKey": "COMPLAIN"}, "被投诉的商家叫什么名字"),
    ({"Event": "CLICK", "EventKey": "MENU"}, "请回复数字或文字选择"),
    ({"Event": "VIEW", "EventKey": "http://example.org/"}, None),
    ({"Event": "LOCATION", "Latitude": 24.4798, "Longitude": 118.0894, "Precision": 65.0},
     None),
    ({"Event": "TEMPLATESENDJOBFINISH", "MsgID": 200163836, "Status": "success"}, None),
    ({"Event": "unsubscribe"}, None),
    ({"Event": "some_future_event"}, None),
]


@pytest.mark.parametrize(("msg_type", "fields", "expected"), MESSAGES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MESSAGES)])
def test_message_types(wechat: WeChatSender, mode_app: Flask, msg_type: str,
                       fields: dict[str, object], expected: str) -> None:
    reply = wechat.send(USER, msg_type, {**fields, "MsgId": new_msg_id()})
    assert reply.status == 200
    assert reply.kind == "text"
    assert expected in reply.text
    reply_fields = xmltodict.parse(reply.raw)["xml"]
    assert reply_fields["ToUserName"] == USER
    assert reply_fields["FromUserName"] == wechat.account
    (entry,) = rows(mode_app, select(InboundMessage.msg_type, InboundMessage.state))
    assert entry == (msg_type, JournalState.HANDLED)


@pytest.mark.parametrize(("fields", "expected"), EVENTS,
                         ids=[f"{e[0]['Event']}-{i}" for i, e in enumerate(EVENTS)])
def test_events(wechat: WeChatSender, mode_app: Flask, fields: dict[str, str],
                expected: str | None) -> None:
    reply = wechat.send(USER, "event", fields)
    assert reply.status == 200
    if expected is None:
        assert (reply.kind, reply.raw) == ("none", "success")
    else:
        assert reply.kind == "text"
        assert expected in reply.text
    (entry,) = rows(mode_app, select(InboundMessage.event, InboundMessage.state))
    # wechatpy names a follow through a parametric QR code "subscribe_scan".
    event = "subscribe_scan" if fields.get("EventKey", "").startswith("qrscene_") else None
    assert entry == (event or str(fields["Event"]).lower(), JournalState.HANDLED)


def test_unknown_message_type_gets_success(wechat: WeChatSender, mode_app: Flask) -> None:
    reply = wechat.send(USER, "miniprogrampage", {"Title": "x", "MsgId": new_msg_id()})
    assert (reply.status, reply.raw) == (200, "success")
    assert rows(mode_app, select(InboundMessage.msg_type)) == [("miniprogrampage",)]


def test_unsubscribe_and_location_event_are_remembered(wechat: WeChatSender,
                                                        mode_app: Flask) -> None:
    wechat.event(USER, "subscribe")
    wechat.send(USER, "event", {"Event": "LOCATION", "Latitude": 24.4798,
                                "Longitude": 118.0894, "Precision": 65.0})
    wechat.event(USER, "unsubscribe")
    ((subscribed, data),) = rows(mode_app, select(Conversation.subscribed, Conversation.data))
    assert subscribed is False
    assert data["_location"]["lat"] == pytest.approx(24.4798)


def test_reply_text_cannot_break_out_of_cdata(wechat: WeChatSender) -> None:
    hostile = "abc]]><MsgType>news</MsgType><x>&amp;"
    reply = wechat.text(USER, hostile)
    assert reply.kind == "text"
    assert hostile in reply.text


def test_a_retry_gets_the_same_reply_and_no_second_effect(wechat: WeChatSender,
                                                           mode_app: Flask) -> None:
    xml = message_xml(wechat.account, USER, "text", {"Content": "菜单", "MsgId": 7001})
    first, second = wechat.post(xml), wechat.post(xml)
    assert first.raw == second.raw
    assert rows(mode_app, select(Conversation.turns)) == [(1,)]
    assert len(rows(mode_app, select(InboundMessage.id))) == 1


def test_events_are_deduplicated_by_sender_and_create_time(wechat: WeChatSender,
                                                           mode_app: Flask) -> None:
    now = int(time.time())
    click = {"Event": "CLICK", "EventKey": "MENU"}
    for _ in range(3):
        wechat.send(USER, "event", click, create_time=now)
    wechat.send("o_other_user", "event", click, create_time=now)
    wechat.send(USER, "event", click, create_time=now + 1)
    assert len(rows(mode_app, select(InboundMessage.id))) == 3
    turns = dict(rows(mode_app, select(Conversation.openid, Conversation.turns)))
    assert turns == {USER: 2, "o_other_user": 1}


def test_state_survives_a_restart(make_app, wechat: WeChatSender, mode_app: Flask) -> None:  # type: ignore[no-untyped-def]
    wechat.event(USER, "CLICK", "CONSULT")
    assert rows(mode_app, select(Conversation.state)) == [("consult",)]
    restarted = make_app(database_url=mode_app.config["DATABASE_URL"],
                         safe=bool(mode_app.config["WECHAT_AES_KEY"]))
    from bot.simulator.client import sender_for

    reply = sender_for(restarted).text(USER, "取消")
    assert "已退出当前步骤" in reply.text
    assert rows(restarted, select(Conversation.state)) == [("idle",)]
