"""The conversation core, one message at a time through the real webhook."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from bot.dialog.engine import State
from bot.dialog.table import MENU_ACTIONS, TABLE
from bot.models import Conversation
from bot.simulator.client import WeChatSender
from tests.conftest import rows

USER = "o_dialog"


def state_of(app: Flask, openid: str = USER) -> tuple[str, int]:
    return rows(app, select(Conversation.state, Conversation.turns)
                .where(Conversation.openid == openid))[0]


def test_follow_then_menu_then_consult_then_cancel(wechat: WeChatSender, mode_app: Flask) -> None:
    assert "欢迎关注" in wechat.event(USER, "subscribe").text
    assert state_of(mode_app) == ("idle", 1)

    assert "请回复数字或文字选择" in wechat.text(USER, "帮助").text
    assert "请直接输入您的问题" in wechat.text(USER, "1").text
    assert state_of(mode_app) == ("consult", 3)

    # In the consult flow a number is part of a question, not a menu choice.
    assert "没能找到这个问题的答案" in wechat.text(USER, "5").text
    assert state_of(mode_app)[0] == "consult"
    # 菜单 shows the menu without leaving the flow; 取消 leaves it.
    assert "请回复数字或文字选择" in wechat.text(USER, "菜单").text
    assert state_of(mode_app)[0] == "consult"
    assert "已退出当前步骤" in wechat.text(USER, "退出").text
    assert state_of(mode_app)[0] == "idle"
    assert "没有进行中的步骤" in wechat.text(USER, "取消！").text


def test_menu_buttons_and_typed_words_reach_the_same_actions(wechat: WeChatSender) -> None:
    for key, word in [("CONSULT", "咨询"), ("COMPLAIN", "投诉"), ("REPORT", "举报"),
                      ("PROGRESS", "查询进度"), ("QUALITY_MONTH", "质量月")]:
        by_button = wechat.event(USER, "CLICK", key).text
        wechat.text(USER, "取消")
        by_word = wechat.text(USER, word).text
        assert by_button == by_word, key
        wechat.text(USER, "取消")


def test_users_do_not_share_state(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.event(USER, "CLICK", "CONSULT")
    wechat.text("o_someone_else", "菜单")
    assert state_of(mode_app)[0] == "consult"
    assert state_of(mode_app, "o_someone_else")[0] == "idle"


def test_unknown_menu_key_shows_the_menu(wechat: WeChatSender) -> None:
    assert "请回复数字或文字选择" in wechat.event(USER, "CLICK", "REMOVED_BUTTON").text


def test_a_state_from_a_removed_flow_starts_over(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "菜单")
    from bot.db import get_db

    with get_db(mode_app).transaction() as session:
        session.get(Conversation, USER).state = "flow_that_no_longer_exists"
    assert "质量月" in wechat.text(USER, "5").text


def test_the_table_covers_every_state_and_menu_key() -> None:
    import json

    from bot.cli import MENU_FILE

    assert set(TABLE.states) == set(State)
    menu = json.loads(MENU_FILE.read_text(encoding="utf-8"))
    keys = {b.get("key") for top in menu["button"] for b in [top, *top.get("sub_button", [])]}
    assert keys - {None} <= set(MENU_ACTIONS)
