"""Questions through the real webhook: answers, "did you mean", related questions and the
fallback that keeps the question for staff."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from bot.models import Conversation, UnansweredQuestion
from bot.simulator.client import WeChatSender
from knowledge import faq
from tests.conftest import rows

DEV = Path(__file__).parent / "data" / "understand-dev.jsonl"
USER = "o_asker"


def opening(entry_id: str) -> str:
    return faq.by_id()[entry_id].answer[:40]


def test_dev_questions_get_their_answer(wechat: WeChatSender) -> None:
    """A sample of the development lines, as signed XML; "did you mean" is answered with
    the number of the right choice, as a consumer would."""
    lines = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    sample = [row for row in lines if row["intent"] == "faq"][::6]
    answered = 0
    for row in sample:
        reply = wechat.text(USER, row["text"]).text
        if "您是不是想问" in reply:
            titles = [line.split(" ", 1)[1] for line in reply.splitlines()
                      if line[:1].isdigit()]
            question = faq.by_id()[row["faq_id"]].question
            if question in titles:
                reply = wechat.text(USER, str(titles.index(question) + 1)).text
        answered += opening(row["faq_id"]) in reply
        wechat.text(USER, "取消")
    assert answered >= 0.92 * len(sample), f"{answered}/{len(sample)}"


def test_answer_then_related_question_by_number(wechat: WeChatSender, mode_app: Flask) -> None:
    reply = wechat.text(USER, "网购的东西七天之内可以无理由退货吗").text
    assert opening("return-7day") in reply
    assert "相关问题" in reply
    related = faq.by_id()["return-7day"].related[0]
    assert rows(mode_app, select(Conversation.state)) == [("choosing",)]
    assert opening(related) in wechat.text(USER, "1").text


def test_did_you_mean_and_a_wrong_number(wechat: WeChatSender, mode_app: Flask) -> None:
    reply = wechat.text(USER, "退").text
    assert "您是不是想问" in reply, reply
    options = [line for line in reply.splitlines() if line[:1].isdigit()]
    assert 2 <= len(options) <= 3
    out_of_range = wechat.text(USER, "9").text
    assert f"1 到 {len(options)}" in out_of_range
    (data,) = rows(mode_app, select(Conversation.data))[0]
    chosen = data["options"][1]
    assert opening(chosen) in wechat.text(USER, "2").text


def test_off_topic_question_gets_the_fallback_and_is_kept(wechat: WeChatSender,
                                                          mode_app: Flask) -> None:
    reply = wechat.text(USER, "薛定谔方程怎么推导").text
    assert "没能找到这个问题的答案" in reply and "12315" in reply
    (kept,) = rows(mode_app, select(UnansweredQuestion.openid, UnansweredQuestion.text))
    assert kept == (USER, "薛定谔方程怎么推导")


def test_a_wish_to_complain_is_not_answered_with_an_faq(wechat: WeChatSender) -> None:
    reply = wechat.text(USER, "我要投诉小区门口的水果店，称重少了二两").text
    assert "下面帮您登记投诉" in reply and "水果店" in reply
    assert opening("complaint-how") not in reply
    assert "已放弃本次投诉" in wechat.text(USER, "取消").text
    greeting = wechat.text(USER, "你好").text
    assert "智能助手" in greeting


def test_traditional_characters_and_emoji(wechat: WeChatSender) -> None:
    reply = wechat.text(USER, "買到過期的牛奶😭😭怎麼辦").text
    assert opening("expired-food") in reply


def test_staff_list_unanswered_questions(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "薛定谔方程怎么推导")
    runner = mode_app.test_cli_runner()
    listed = runner.invoke(args=["journal", "unanswered", "--mark-reviewed"])
    assert "薛定谔方程怎么推导" in listed.output
    assert "1 unreviewed question(s) listed" in listed.output
    again = runner.invoke(args=["journal", "unanswered"])
    assert "0 unreviewed question(s) listed" in again.output
