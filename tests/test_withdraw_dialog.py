"""撤回 FJ… through the real webhook: confirmation, only one's own open complaint."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from bot.db import get_db
from bot.simulator.client import WeChatSender
from complaints import tickets
from complaints.models import Ticket
from complaints.workflow import Kind, Status
from tests.conftest import rows

ALICE, BOB = "o_alice", "o_bob"


def open_for(app: Flask, openid: str, kind: Kind = Kind.COMPLAINT) -> str:
    received = dt.datetime(2026, 9, 28, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with get_db(app).transaction() as session:
        return tickets.open_ticket(session, tickets.Draft(
            kind=kind, openid=openid, bureau_code="350102", business_name="某某超市"),
            received).number


def status_of(app: Flask, number: str) -> str:
    return rows(app, select(Ticket.status).where(Ticket.number == number))[0][0]


def test_withdraw_after_confirmation(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_for(mode_app, ALICE)
    assert "确认撤回投诉" in wechat.text(ALICE, f"撤回 {number}").text
    assert "请回复“确认”" in wechat.text(ALICE, "嗯？").text  # unexpected: asked again
    assert status_of(mode_app, number) == Status.PENDING
    assert "已撤回" in wechat.text(ALICE, "确认").text
    assert status_of(mode_app, number) == Status.WITHDRAWN
    assert "不能撤回" in wechat.text(ALICE, f"撤回 {number}").text


def test_cancel_keeps_the_complaint(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_for(mode_app, ALICE)
    wechat.text(ALICE, f"撤回 {number}")
    assert "已退出" in wechat.text(ALICE, "取消").text
    assert status_of(mode_app, number) == Status.PENDING


def test_nobody_else_can_withdraw(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_for(mode_app, ALICE)
    reply = wechat.text(BOB, f"撤回 {number}").text
    assert "没有找到编号为" in reply
    wechat.text(BOB, "确认")
    assert status_of(mode_app, number) == Status.PENDING


def test_reports_are_not_withdrawn_here(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_for(mode_app, ALICE, Kind.REPORT)
    assert "不能撤回" in wechat.text(ALICE, f"撤回 {number}").text
