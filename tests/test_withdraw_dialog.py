"""撤回 FJ… through the real webhook: confirmation, only one's own open complaint."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from bot.simulator.client import WeChatSender
from complaints.models import Ticket
from complaints.workflow import Kind, Status
from tests.conftest import rows
from tests.factories import open_ticket

ALICE, BOB = "o_alice", "o_bob"


def status_of(app: Flask, number: str) -> str:
    return rows(app, select(Ticket.status).where(Ticket.number == number))[0][0]


def test_withdraw_after_confirmation(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_ticket(mode_app, ALICE)
    assert "确认撤回投诉" in wechat.text(ALICE, f"撤回 {number}").text
    assert "请回复“确认”" in wechat.text(ALICE, "嗯？").text  # unexpected: asked again
    assert status_of(mode_app, number) == Status.PENDING
    assert "已撤回" in wechat.text(ALICE, "确认").text
    assert status_of(mode_app, number) == Status.WITHDRAWN
    assert "不能撤回" in wechat.text(ALICE, f"撤回 {number}").text


def test_cancel_keeps_the_complaint(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_ticket(mode_app, ALICE)
    wechat.text(ALICE, f"撤回 {number}")
    assert "已退出" in wechat.text(ALICE, "取消").text
    assert status_of(mode_app, number) == Status.PENDING


def test_nobody_else_can_withdraw(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_ticket(mode_app, ALICE)
    reply = wechat.text(BOB, f"撤回 {number}").text
    assert "没有找到编号为" in reply
    wechat.text(BOB, "确认")
    assert status_of(mode_app, number) == Status.PENDING


def test_reports_are_not_withdrawn_here(wechat: WeChatSender, mode_app: Flask) -> None:
    number = open_ticket(mode_app, ALICE, Kind.REPORT)
    assert "不能撤回" in wechat.text(ALICE, f"撤回 {number}").text
