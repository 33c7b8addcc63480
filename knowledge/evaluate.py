"""Scores question understanding against labelled lines (``{"text", "intent", "faq_id"}``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from knowledge.intents import Intent, Understanding


@dataclass
class Miss:
    text: str
    expected: str
    got: str


@dataclass
class Report:
    lines: int = 0
    intent_correct: int = 0
    faq_lines: int = 0
    top1: int = 0
    top3: int = 0
    unknown_lines: int = 0
    unknown_rejected: int = 0
    misses: list[Miss] = field(default_factory=list)

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def intent_accuracy(self) -> float:
        return self._share(self.intent_correct, self.lines)

    @property
    def faq_top1(self) -> float:
        return self._share(self.top1, self.faq_lines)

    @property
    def faq_top3(self) -> float:
        return self._share(self.top3, self.faq_lines)

    @property
    def unknown_rejection(self) -> float:
        return self._share(self.unknown_rejected, self.unknown_lines)

    def summary(self) -> str:
        return (f"lines {self.lines}  intent accuracy {self.intent_accuracy:.1%}  "
                f"FAQ top-1 {self.faq_top1:.1%}  top-3 {self.faq_top3:.1%} "
                f"(of {self.faq_lines})  unknown rejected {self.unknown_rejection:.1%} "
                f"(of {self.unknown_lines})")


def evaluate(rows: Iterable[dict[str, str | None]],
             understand: Callable[[str], Understanding]) -> Report:
    report = Report()
    for row in rows:
        text, intent, faq_id = str(row["text"]), str(row["intent"]), row.get("faq_id")
        got = understand(text)
        report.lines += 1
        candidates = [c.entry_id for c in got.match.candidates[:3]]
        if got.intent == intent:
            report.intent_correct += 1
        if intent == Intent.FAQ:
            report.faq_lines += 1
            answered = got.intent is Intent.FAQ
            report.top1 += answered and got.faq_id == faq_id
            report.top3 += answered and faq_id in candidates
            if not (answered and got.faq_id == faq_id):
                report.misses.append(Miss(text, f"faq {faq_id}",
                                          f"{got.intent} {', '.join(candidates)} "
                                          f"({got.match.confidence:.2f} {got.match.level})"))
        elif got.intent != intent:
            report.misses.append(Miss(text, intent, f"{got.intent} {got.faq_id or ''} "
                                                    f"({got.match.confidence:.2f})"))
        if intent == Intent.UNKNOWN:
            report.unknown_lines += 1
            report.unknown_rejected += got.intent is Intent.UNKNOWN
    return report
