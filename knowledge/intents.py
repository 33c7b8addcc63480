"""What a message wants: an FAQ answer, to complain, to report, to check progress, or
just to say hello. The patterns live in ``data/intents.toml``."""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.matcher import Level, Match, Matcher, default_matcher
from knowledge.normalize import normalize

PATTERNS_FILE = Path(__file__).parent / "data" / "intents.toml"
# A greeting is only a greeting when what is left after it is this short.
GREETING_REST = 6


class Intent(enum.StrEnum):
    FAQ = "faq"
    COMPLAINT = "complaint"
    REPORT = "report"
    PROGRESS = "progress"
    GREETING = "greeting"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Patterns:
    ticket: re.Pattern[str]
    progress_own: re.Pattern[str]
    progress_status: re.Pattern[str]
    progress_command: re.Pattern[str]
    complaint_wish: re.Pattern[str]
    report_wish: re.Pattern[str]
    how_question: re.Pattern[str]
    question: re.Pattern[str]
    greeting: re.Pattern[str]


@cache
def patterns(path: Path = PATTERNS_FILE) -> Patterns:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)

    def one(value: str | list[str]) -> re.Pattern[str]:
        parts = [value] if isinstance(value, str) else value
        return re.compile("|".join(f"(?:{p})" for p in parts))

    return Patterns(**{name: one(raw[name]) for name in Patterns.__dataclass_fields__})


@dataclass(frozen=True)
class Understanding:
    text: str
    intent: Intent
    match: Match
    ticket: str | None = None

    @property
    def faq_id(self) -> str | None:
        best = self.match.best
        return best.entry_id if self.intent is Intent.FAQ and best else None


def ticket_number(text: str) -> str | None:
    """``FJYYYYMMDD-NNNNNN`` in any case or spacing, as the canonical string."""
    found = patterns().ticket.search(normalize(text))
    return f"FJ{found.group(1)}-{found.group(2)}" if found else None


def understand(text: str, matcher: Matcher | None = None) -> Understanding:
    rules = patterns()
    clean = normalize(text)
    match = (matcher or default_matcher()).match(clean)
    ticket = ticket_number(clean)

    def result(intent: Intent) -> Understanding:
        return Understanding(text=text, intent=intent, match=match, ticket=ticket)

    asks_how = bool(rules.how_question.search(clean) or rules.question.search(clean))
    if ticket or rules.progress_command.search(clean) or (
            rules.progress_own.search(clean) and rules.progress_status.search(clean)):
        return result(Intent.PROGRESS)
    if not asks_how and rules.complaint_wish.search(clean):
        return result(Intent.COMPLAINT)
    if not asks_how and rules.report_wish.search(clean):
        return result(Intent.REPORT)
    if _is_greeting(clean, rules, match):
        return result(Intent.GREETING)
    if match.level is Level.LOW:
        return result(Intent.UNKNOWN)
    return result(Intent.FAQ)


def _is_greeting(clean: str, rules: Patterns, match: Match) -> bool:
    """Starts with a greeting and says little else, or nothing the FAQ knows about."""
    if not rules.greeting.search(clean) or match.level is Level.HIGH:
        return False
    rest = re.sub(r"[\W_]+", "", rules.greeting.sub("", clean))
    return len(rest) <= GREETING_REST or match.level is Level.LOW
