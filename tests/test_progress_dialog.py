"""查询 through the real webhook: a consumer's own tickets, one by number, nobody else's."""

from __future__ import annotations

from flask import Flask

from bot.simulator.client import WeChatSender
from complaints.workflow import Kind, Status
from tests.factories import open_ticket

ALICE, BOB = "o_alice", "o_bob"


def test_progress_lists_and_shows_own_tickets(wechat: WeChatSender, mode_app: Flask) -> None:
    assert "还没有通过本服务号提交" in wechat.text(ALICE, "查询").text
    complaint = open_ticket(mode_app, ALICE)
    report = open_ticket(mode_app, ALICE, Kind.REPORT)
    listing = wechat.text(ALICE, "查询").text
    assert complaint in listing and report in listing
    assert "受理期限：2026年10月13日" in listing
    detail = wechat.text(ALICE, f"查询 {complaint.lower()}").text
    assert "福州市鼓楼区市场监督管理局" in detail
    assert Status.PENDING.value in detail and "某某超市" in detail
    assert complaint in wechat.event(ALICE, "CLICK", "PROGRESS").text


def test_another_consumer_gets_the_same_not_found(wechat: WeChatSender,
                                                   mode_app: Flask) -> None:
    number = open_ticket(mode_app, ALICE)
    someone_elses = wechat.text(BOB, f"查询 {number}").text
    made_up = wechat.text(BOB, "查询 FJ20260928-999999").text
    assert "没有找到编号为" in someone_elses and "某某超市" not in someone_elses
    assert someone_elses.replace(number, "X") == made_up.replace("FJ20260928-999999", "X")
    assert number not in wechat.text(BOB, "查询").text
