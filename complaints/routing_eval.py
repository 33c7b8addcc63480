"""Scores routing against labelled lines (``{"text", "region_code"}``): exact and city-level
accuracy. City level compares prefecture-level bureaus, so 平潭 (350128) is not 福州."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from complaints.routing import Route, route
from knowledge.gazetteer import gazetteer


@dataclass(frozen=True)
class Miss:
    text: str
    expected: str | None
    got: str | None
    reason: str


@dataclass
class RoutingReport:
    lines: int = 0
    exact: int = 0
    city_level: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def exact_accuracy(self) -> float:
        return self.exact / self.lines if self.lines else 0.0

    @property
    def city_accuracy(self) -> float:
        return self.city_level / self.lines if self.lines else 0.0


def prefecture(code: str | None) -> str | None:
    """The prefecture-level area of a code; OUT, None and unknown codes stay as they are."""
    g = gazetteer()
    return g.prefecture(code) if code in g.divisions else code


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate(rows: Iterable[Mapping[str, Any]],
             router: Callable[[str], Route] = route) -> RoutingReport:
    report = RoutingReport()
    for row in rows:
        expected, result = row["region_code"], router(row["text"])
        report.lines += 1
        report.exact += result.region_code == expected
        report.city_level += prefecture(result.region_code) == prefecture(expected)
        if result.region_code != expected:
            report.misses.append(Miss(row["text"], expected, result.region_code, result.reason))
    return report
