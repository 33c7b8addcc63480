"""Matching a consumer's question to FAQ entries.

Two views of the same knowledge base are combined: BM25 over each entry's words and
character bigrams, all phrasings and keywords together (what the question is about: rare,
specific words weigh most), and rapidfuzz similarity to the entry's closest phrasing
(typos, word order, partial overlap). The combination is a confidence and a level
(high / medium / low) that the dialog turns into an answer, a "did you mean" or a fallback.
"""

from __future__ import annotations

import enum
import heapq
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

    lexical_weight: float = 0.75  # the rest is fuzzy similarity
    bigram_weight: float = 0.3  # share of character bigrams within the lexical part
    keyword_repeat: int = 1  # extra copies of an entry's keywords in its document
    # Calibrated on held-out alternates (half of each entry's alternates indexed, the other
    # half asked) and off-topic questions (tests/data/off-topic.txt): at 0.35 with a 0.1
    # lead 94 % of direct answers are right; 0.2 keeps 96 % of FAQ questions while it
    # rejects only 43 % of off-topic ones, the limit of lexical scores.
    # bench/matcher_calibration.py prints these figures.
    high: float = 0.35
    high_margin: float = 0.1
    certain: float = 0.7  # a near-verbatim match is answered whatever the runner-up scores
    medium: float = 0.2
    pool: int = 100


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    lexical: float
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


def bigrams(words: list[str]) -> list[str]:
    """Character bigrams of the content words: robust when jieba cuts a phrase differently."""
    text = "".join(words)
    return [text[i:i + 2] for i in range(len(text) - 1)] or [text]


class Matcher:
    """Each entry is one document (all its phrasings and keywords) for BM25 over words and
    over character bigrams; fuzzy similarity takes the entry's closest phrasing."""

    def __init__(self, entries: tuple[faq.Entry, ...], settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.entry_ids = [entry.id for entry in entries]
        self.phrasing_entry: list[int] = []
        self.phrasing_texts: list[str] = []
        word_docs: list[list[str]] = []
        bigram_docs: list[list[str]] = []
        for index, entry in enumerate(entries):
            words: list[str] = []
            grams: list[str] = []
            for phrasing in entry.phrasings:
                phrasing_words = tokens(phrasing)
                words += phrasing_words
                grams += bigrams(phrasing_words)
                self.phrasing_entry.append(index)
                self.phrasing_texts.append("".join(phrasing_words))
            keywords = [word for keyword in entry.keywords for word in tokens(keyword)]
            word_docs.append(words + keywords * (1 + self.settings.keyword_repeat))
            bigram_docs.append(grams)
        self.words = BM25(word_docs)
        self.bigrams = BM25(bigram_docs)

    def match(self, text: str, limit: int = 3) -> Match:
        words = tokens(text)
        if not words:
            return Match(candidates=(), level=Level.LOW)
        by_word = self.words.shares(words)
        by_bigram = self.bigrams.shares(bigrams(words))
        fuzzy = self._fuzzy("".join(words))
        settings = self.settings
        scores: dict[int, tuple[float, float]] = {}
        for entry in set(by_word) | set(by_bigram) | set(fuzzy):
            # A share above 1 happens when an entry repeats the query's words; cap the reward.
            lexical = ((1 - settings.bigram_weight) * min(by_word.get(entry, 0.0), 1.5)
                       + settings.bigram_weight * min(by_bigram.get(entry, 0.0), 1.5))
            scores[entry] = (settings.lexical_weight * lexical
                             + (1 - settings.lexical_weight) * fuzzy.get(entry, 0.0), lexical)
        best = heapq.nlargest(limit, scores, key=lambda entry: scores[entry][0])
        candidates = [Candidate(self.entry_ids[e], round(scores[e][0], 4),
                                round(scores[e][1], 4), round(fuzzy.get(e, 0.0), 4))
                      for e in best]
        level = self._level(candidates)
        if level is Level.HIGH and len(set(words)) < 2:
            level = Level.MEDIUM  # one word is a topic, not yet a question: offer choices
        return Match(candidates=tuple(candidates), level=level)

    def _fuzzy(self, query: str) -> dict[int, float]:
        best: dict[int, float] = defaultdict(float)
        for _, score, phrasing in process.extract(query, self.phrasing_texts, scorer=fuzz.ratio,
                                                  limit=self.settings.pool):
            entry = self.phrasing_entry[phrasing]
            best[entry] = max(best[entry], score / 100.0)
        return best

    def _level(self, candidates: list[Candidate]) -> Level:
        if not candidates:
            return Level.LOW
        settings = self.settings
        top = candidates[0].score
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if top >= settings.certain or (top >= settings.high
                                       and top - runner_up >= settings.high_margin):
            return Level.HIGH
        if top >= settings.medium:
            return Level.MEDIUM
        return Level.LOW


@cache
def default_matcher() -> Matcher:
    """The matcher over the shipped knowledge base, built once per process."""
    warm_up()
    return Matcher(faq.entries())
