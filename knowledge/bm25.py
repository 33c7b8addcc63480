"""Okapi BM25 over short token lists, with an inverted index so a query touches only the
documents that share a token with it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

OOV_WEIGHT = 0.5


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        count = len(documents)
        self.lengths = [len(doc) for doc in documents]
        average = (sum(self.lengths) / count) if count else 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        frequencies: Counter[str] = Counter()
        for doc in documents:
            frequencies.update(set(doc))
        self.idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5))
                    for term, n in frequencies.items()}
        self.rarest = max(self.idf.values(), default=1.0)
        for index, doc in enumerate(documents):
            norm = k1 * (1 - b + b * len(doc) / average)
            for term, tf in Counter(doc).items():
                weight = self.idf[term] * tf * (k1 + 1) / (tf + norm)
                self.postings[term].append((index, weight))

    def scores(self, query: list[str]) -> dict[int, float]:
        """Document index → score, for documents sharing at least one query term."""
        result: dict[int, float] = defaultdict(float)
        for term in set(query):
            for index, weight in self.postings.get(term, ()):
                result[index] += weight
        return result

    def ceiling(self, query: list[str]) -> float:
        """Roughly what a document containing every query term would score.

        A term no document has counts as half the rarest known term: a question full of
        words the knowledge base never uses is far from all of it, while a consumer's story
        with a few incidental words (the product, the place) is not punished too hard.
        """
        unknown = self.rarest * OOV_WEIGHT
        return sum(self.idf.get(term, unknown) for term in set(query)) or 1.0

    def shares(self, query: list[str]) -> dict[int, float]:
        """Document index → its score as a share (0–1) of the query's ceiling.

        A term's BM25 weight tends to idf × (k1 + 1) as it repeats; dividing by (k1 + 1)
        keeps each term's part at most its idf, so the share never exceeds 1.
        """
        ceiling = self.ceiling(query) * (self.k1 + 1)
        return {index: score / ceiling for index, score in self.scores(query).items()}
