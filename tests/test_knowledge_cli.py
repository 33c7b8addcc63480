"""``flask understand``, ``flask evaluate`` and ``flask faq check|ask``."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

DEV = Path(__file__).parent / "data" / "understand-dev.jsonl"


def test_understand_writes_one_json_object_per_line(app: Flask) -> None:
    lines = "网上买的鞋子不合适七天内能退吗\n我要投诉楼下超市\n\n查询 FJ20261201-000045\n你好\n"
    result = app.test_cli_runner().invoke(args=["understand"], input=lines)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["intent"] for o in objects] == ["faq", "complaint", "progress", "greeting"]
    assert objects[0]["faq_id"] == "return-7day"
    assert objects[0]["candidates"][0] == "return-7day" and len(objects[0]["candidates"]) <= 3
    assert 0 < objects[0]["confidence"] <= 1
    assert all(o["faq_id"] is None for o in objects[1:])
    assert set(objects[0]) == {"text", "intent", "faq_id", "candidates", "confidence"}


def test_evaluate_prints_the_four_figures(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["evaluate", str(DEV)])
    assert result.exit_code == 0, result.output
    for label in ("intent accuracy", "FAQ top-1", "FAQ top-3", "unknown rejected"):
        assert label in result.output


def test_faq_check_and_ask(app: Flask) -> None:
    check = app.test_cli_runner().invoke(args=["faq", "check"])
    assert check.exit_code == 0, check.output
    assert "every required topic present" in check.output
    ask = app.test_cli_runner().invoke(args=["faq", "ask", "商家说最终解释权归他们"])
    assert ask.exit_code == 0
    assert "overlord-clause" in ask.output.splitlines()[1]
