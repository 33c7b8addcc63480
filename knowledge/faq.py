"""The FAQ: entries loaded from ``knowledge/faq/<category>.toml`` and their checks."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FAQ_DIR = Path(__file__).parent / "faq"
REQUIRED_TOPICS = Path(__file__).parent / "data" / "required-topics.tsv"
MAX_ANSWER_BYTES = 2000  # one WeChat text reply
MIN_ALTERNATES = 4
# The only phone number an answer may give; see shared/faq-facts.md.
ALLOWED_NUMBERS = {"12315"}
# Official addresses an answer may name (domain.md §10 and faq-facts.md).
ALLOWED_HOSTS = {"www.12315.cn", "12315.cn"}
# A run of five or more digits that is not a national standard's number (GB 21027).
_LONG_NUMBER = re.compile(r"(?<![\d.])(?<!GB )(?<!GB/T )(?<!GB)(?<!GB/T)\d{5,}(?![\d.])")
_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+(?:cn|com|org|net|gov)(?:\.cn)?)\b", re.I)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    legal_basis: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...]

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)


class FaqError(ValueError):
    pass


def _entry(raw: dict[str, object], category: str, source: Path) -> Entry:
    try:
        return Entry(
            id=str(raw["id"]), category=str(raw.get("category", category)),
            question=str(raw["question"]),
            alternates=tuple(str(a) for a in raw.get("alternates", [])),  # type: ignore[attr-defined]
            answer=str(raw["answer"]).strip(),
            legal_basis=tuple(str(b) for b in raw.get("legal_basis", [])),  # type: ignore[attr-defined]
            keywords=tuple(str(k) for k in raw.get("keywords", [])),  # type: ignore[attr-defined]
            related=tuple(str(r) for r in raw.get("related", [])),  # type: ignore[attr-defined]
        )
    except KeyError as missing:
        raise FaqError(f"{source.name}: entry {raw.get('id', '?')} lacks {missing}") from None


def load_entries(directory: Path = FAQ_DIR) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        entries.extend(_entry(raw, path.stem, path) for raw in data.get("entry", []))
    return tuple(entries)


@cache
def entries() -> tuple[Entry, ...]:
    return load_entries()


@cache
def by_id() -> dict[str, Entry]:
    return {entry.id: entry for entry in entries()}


def required_topics(path: Path = REQUIRED_TOPICS) -> dict[str, str]:
    """Topic id → category of every topic the knowledge base must cover."""
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row["category"] for row in csv.DictReader(handle, delimiter="\t")}


def problems(all_entries: tuple[Entry, ...], required: dict[str, str]) -> list[str]:
    """Everything that makes the knowledge base unfit to publish; empty when it is fine."""
    found: list[str] = []
    ids = [entry.id for entry in all_entries]
    known = set(ids)
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):  # few hundred: fine
        found.append(f"{duplicate}: id used more than once")
    for topic in sorted(required):
        if topic not in known:
            found.append(f"{topic}: required topic missing")
    for entry in all_entries:
        found.extend(f"{entry.id}: {problem}" for problem in _entry_problems(entry, known))
        if entry.id in required and entry.category != required[entry.id]:
            found.append(f"{entry.id}: category {entry.category}, expected {required[entry.id]}")
    seen: dict[str, str] = {}
    for entry in all_entries:
        for phrasing in entry.phrasings:
            other = seen.setdefault(phrasing, entry.id)
            if other != entry.id:
                found.append(f"{entry.id}: phrasing also in {other}: {phrasing}")
    return found


def _entry_problems(entry: Entry, known: set[str]) -> list[str]:
    found = []
    if not ID_PATTERN.match(entry.id):
        found.append("id must be lowercase words joined by hyphens")
    if len(set(entry.alternates)) < MIN_ALTERNATES:
        found.append(f"needs at least {MIN_ALTERNATES} different alternates")
    size = len(entry.answer.encode("utf-8"))
    if size > MAX_ANSWER_BYTES:
        found.append(f"answer is {size} bytes, over {MAX_ANSWER_BYTES}")
    if not entry.keywords:
        found.append("no keywords")
    for number in _LONG_NUMBER.findall(entry.answer):
        if number not in ALLOWED_NUMBERS:
            found.append(f"answer names the number {number}")
    for host in _HOST.findall(entry.answer):
        if host.lower() not in ALLOWED_HOSTS:
            found.append(f"answer names the address {host}")
    for related in entry.related:
        if related not in known:
            found.append(f"related id {related} does not exist")
        if related == entry.id:
            found.append("related to itself")
    return found
