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
import logging
import threading
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from knowledge import faq, semantic
from knowledge.bm25 import BM25
from knowledge.segment import tokens, warm_up

log = logging.getLogger(__name__)


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
    # With the optional embedding model: how many lexical candidates it may reorder, and
    # its weight in the new order.
    rerank: int = 10
    semantic_weight: float = 0.5


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    lexical: float
    fuzzy: float
    semantic: float | None = None


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

    def __init__(self, entries: tuple[faq.Entry, ...], settings: Settings | None = None,
                 semantic_index: semantic.SemanticIndex | None = None) -> None:
        self.settings = settings or Settings()
        self.semantic = semantic_index
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
            lexical = ((1 - settings.bigram_weight) * by_word.get(entry, 0.0)
                       + settings.bigram_weight * by_bigram.get(entry, 0.0))
            scores[entry] = (settings.lexical_weight * lexical
                             + (1 - settings.lexical_weight) * fuzzy.get(entry, 0.0), lexical)
        best = heapq.nlargest(max(limit, settings.rerank), scores,
                              key=lambda entry: scores[entry][0])
        level = self._level([scores[e][0] for e in best[:2]])
        if level is Level.HIGH and len(set(words)) < 2:
            level = Level.MEDIUM  # one word is a topic, not yet a question: offer choices
        if level is not Level.HIGH and self.semantic is not None:
            fragment = len(set(words)) < 2 and scores[best[0]][0] >= settings.high
            return self._second_opinion(text, best, scores, fuzzy, limit, fragment)
        candidates = tuple(Candidate(self.entry_ids[e], round(scores[e][0], 4),
                                     round(scores[e][1], 4), round(fuzzy.get(e, 0.0), 4))
                           for e in best[:limit])
        return Match(candidates=candidates, level=level)

    def _second_opinion(self, text: str, best: list[int],
                        scores: dict[int, tuple[float, float]], fuzzy: dict[int, float],
                        limit: int, fragment: bool) -> Match:
        """Reorders the lexical candidates with the embedding model, which also decides
        whether the question is about this knowledge base at all."""
        assert self.semantic is not None
        similarity = self.semantic.similarities(text)
        settings = self.settings
        pool = list(dict.fromkeys([*best[:settings.rerank],
                                   *similarity.argsort()[::-1][:limit].tolist()]))

        def combined(entry: int) -> float:
            lexical = scores.get(entry, (0.0, 0.0))[0]
            meaning = (float(similarity[entry]) - semantic.FLOOR) * semantic.SCALE
            return (1 - settings.semantic_weight) * lexical + settings.semantic_weight * meaning

        ranked = sorted(pool, key=combined, reverse=True)[:limit]
        candidates = tuple(
            Candidate(self.entry_ids[e], round(combined(e), 4),
                      round(scores.get(e, (0.0, 0.0))[1], 4), round(fuzzy.get(e, 0.0), 4),
                      round(float(similarity[e]), 4))
            for e in ranked)
        # A one-word fragment that matches strongly ("退") is in the domain whatever the
        # model, which needs a sentence, thinks of it.
        in_domain = float(similarity.max()) >= semantic.IN_DOMAIN or fragment
        return Match(candidates=candidates, level=Level.MEDIUM if in_domain else Level.LOW)

    def _fuzzy(self, query: str) -> dict[int, float]:
        best: dict[int, float] = {}
        owners = self.phrasing_entry
        # extract() lists the best phrasings first, so an entry's first one is its closest.
        for _, score, phrasing in process.extract(query, self.phrasing_texts, scorer=fuzz.ratio,
                                                  limit=self.settings.pool):
            entry = owners[phrasing]
            if entry not in best:
                best[entry] = score / 100.0
        return best

    def _level(self, top_two: list[float]) -> Level:
        if not top_two:
            return Level.LOW
        settings = self.settings
        top = top_two[0]
        runner_up = top_two[1] if len(top_two) > 1 else 0.0
        if top >= settings.certain or (top >= settings.high
                                       and top - runner_up >= settings.high_margin):
            return Level.HIGH
        if top >= settings.medium:
            return Level.MEDIUM
        return Level.LOW


_semantic_ready = threading.Event()


@cache
def default_matcher() -> Matcher:
    """The matcher over the shipped knowledge base, built once per process.

    The optional embedding model is loaded in the background, so start-up stays fast and
    questions are answered lexically until it is ready; see ``ready_matcher``.
    """
    warm_up()
    matcher = Matcher(faq.entries())
    threading.Thread(target=_attach_semantic, args=(matcher,), name="semantic-index",
                     daemon=True).start()
    return matcher


def _attach_semantic(matcher: Matcher) -> None:
    try:
        matcher.semantic = semantic.build(faq.entries())
    except Exception:  # the second opinion is optional: never take the service down
        log.exception("embedding index unavailable; lexical matching only")
    finally:
        _semantic_ready.set()


def ready_matcher(timeout: float = 120.0) -> Matcher:
    """The default matcher once the embedding model (if installed) has loaded: for the
    command line, benchmarks and tests, which must not depend on timing."""
    matcher = default_matcher()
    _semantic_ready.wait(timeout)
    return matcher
