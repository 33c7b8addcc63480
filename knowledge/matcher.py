"""Matching a consumer's question to FAQ entries.

Two views of the same knowledge base are combined: BM25 over jieba tokens (what the
question is about: rare, specific words weigh most) and rapidfuzz similarity against every
phrasing (typos, word order, partial overlap). Each entry's score is the best over its
phrasings; the combination is calibrated into a confidence and a level (high / medium /
low) that the dialog turns into an answer, a "did you mean" or a fallback.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from knowledge import faq
from knowledge.bm25 import BM25
from knowledge.segment import tokens, warm_up


class Level(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Settings:
    """Weights and thresholds; one set for the whole knowledge base, never per entry."""

    bm25_weight: float = 0.55
    bm25_half: float = 0.5  # share of the query's possible BM25 score that maps to 0.5
    high: float = 0.62
    high_margin: float = 0.06
    medium: float = 0.42
    pool: int = 25


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    bm25: float
    fuzzy: float


@dataclass(frozen=True)
class Match:
    candidates: tuple[Candidate, ...]
    level: Level

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


class Matcher:
    def __init__(self, entries: tuple[faq.Entry, ...], settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.entry_ids = [entry.id for entry in entries]
        self.doc_entry: list[int] = []
        documents: list[list[str]] = []
        self.fuzzy_texts: list[str] = []
        for index, entry in enumerate(entries):
            for phrasing in entry.phrasings:
                words = tokens(phrasing)
                documents.append(words)
                self.doc_entry.append(index)
                self.fuzzy_texts.append("".join(words))
        self.bm25 = BM25(documents)

    def match(self, text: str, limit: int = 3) -> Match:
        words = tokens(text)
        if not words:
            return Match(candidates=(), level=Level.LOW)
        settings = self.settings
        bm25 = self._bm25_by_entry(words)
        fuzzy = self._fuzzy_by_entry("".join(words))
        pool = sorted(bm25, key=bm25.__getitem__, reverse=True)[: settings.pool]
        pool += [i for i in sorted(fuzzy, key=fuzzy.__getitem__, reverse=True)[: settings.pool]
                 if i not in bm25]
        candidates = sorted(
            (self._candidate(i, bm25.get(i, 0.0), fuzzy.get(i, 0.0)) for i in set(pool)),
            key=lambda c: c.score, reverse=True)[:limit]
        return Match(candidates=tuple(candidates), level=self._level(candidates))

    def _bm25_by_entry(self, words: list[str]) -> dict[int, float]:
        ceiling = self.bm25.max_score(words) or 1.0
        best: dict[int, float] = defaultdict(float)
        for doc, score in self.bm25.scores(words).items():
            entry = self.doc_entry[doc]
            best[entry] = max(best[entry], score / ceiling)
        return best

    def _fuzzy_by_entry(self, query: str) -> dict[int, float]:
        best: dict[int, float] = defaultdict(float)
        for _, score, doc in process.extract(query, self.fuzzy_texts, scorer=fuzz.WRatio,
                                              limit=self.settings.pool * 4):
            entry = self.doc_entry[doc]
            best[entry] = max(best[entry], score / 100.0)
        return best

    def _candidate(self, entry: int, bm25: float, fuzzy: float) -> Candidate:
        settings = self.settings
        lexical = bm25 / (bm25 + settings.bm25_half) * (1 + settings.bm25_half)
        score = settings.bm25_weight * min(lexical, 1.0) + (1 - settings.bm25_weight) * fuzzy
        return Candidate(self.entry_ids[entry], round(score, 4), round(bm25, 4),
                         round(fuzzy, 4))

    def _level(self, candidates: list[Candidate]) -> Level:
        if not candidates:
            return Level.LOW
        settings = self.settings
        top = candidates[0].score
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if top >= settings.high and top - runner_up >= settings.high_margin:
            return Level.HIGH
        if top >= settings.medium:
            return Level.MEDIUM
        return Level.LOW


@cache
def default_matcher() -> Matcher:
    """The matcher over the shipped knowledge base, built once per process."""
    warm_up()
    return Matcher(faq.entries())
