"""Okapi BM25 over short token lists, with an inverted index so a query touches only the
documents that share a token with it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict


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

    def max_score(self, query: list[str]) -> float:
        """What a document made of exactly the query's known terms would roughly score."""
        return sum(self.idf.get(term, 0.0) for term in set(query))
