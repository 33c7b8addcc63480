"""Calibration figures for the matcher's thresholds, independent of the dev set.

Two-fold cross-check: each entry's alternates are split in two halves; one half is indexed
(with the questions and keywords), the other half asked. Prints how often a held-out
alternate finds its own entry, how precise direct (high-level) answers are, how many
FAQ questions and how many off-topic questions (tests/data/off-topic.txt) the medium
threshold keeps, and the pairs of entries that take each other's questions most.

    .venv/bin/python bench/matcher_calibration.py [--pairs 20]
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from pathlib import Path

from knowledge import faq, semantic
from knowledge.matcher import Matcher, default_matcher

OFF_TOPIC = Path(__file__).resolve().parents[1] / "tests" / "data" / "off-topic.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()
    entries = faq.entries()
    required = set(faq.required_topics())
    settings = default_matcher().settings
    confusions: Counter[tuple[str, str]] = Counter()
    right: list[tuple[float, float]] = []
    wrong: list[tuple[float, float]] = []
    for fold in (0, 1):
        indexed = tuple(replace(e, alternates=e.alternates[fold::2]) for e in entries)
        matcher = Matcher(indexed, settings)
        for entry in entries:
            for alternate in entry.alternates[1 - fold::2]:
                match = matcher.match(alternate)
                if match.best is None:
                    continue
                runner_up = match.candidates[1].score if len(match.candidates) > 1 else 0.0
                point = (match.best.score, match.best.score - runner_up)
                if match.best.entry_id == entry.id:
                    right.append(point)
                else:
                    wrong.append(point)
                    confusions[(entry.id, match.best.entry_id)] += 1
    total = len(right) + len(wrong)
    print(f"held-out alternates finding their own entry: {len(right)}/{total} "
          f"({len(right) / total:.1%})")
    def direct(score: float, lead: float) -> bool:
        return score >= settings.certain or (score >= settings.high
                                             and lead >= settings.high_margin)

    direct_right = sum(direct(s, m) for s, m in right)
    direct_wrong = sum(direct(s, m) for s, m in wrong)
    print(f"high level (>= {settings.certain}, or >= {settings.high} with a lead >= "
          f"{settings.high_margin}): precision "
          f"{direct_right / max(direct_right + direct_wrong, 1):.1%}, "
          f"answers {direct_right + direct_wrong}/{total} directly")
    kept = sum(s >= settings.medium for s, _ in right) / len(right)
    off = [line for line in OFF_TOPIC.read_text(encoding="utf-8").split() if line]
    lexical_only = Matcher(entries, settings)
    rejected = sum(lexical_only.match(t).confidence < settings.medium for t in off)
    print(f"medium threshold {settings.medium}: keeps {kept:.1%} of rightly matched FAQ "
          f"questions, rejects {rejected}/{len(off)} off-topic questions")
    semantic_figures(entries, off)
    print("\nentries taking each other's questions (* = required topic):")
    for (own, taken_by), count in confusions.most_common(args.pairs):
        print(f"  {count:2d}  {own}{'*' * (own in required)} -> "
              f"{taken_by}{'*' * (taken_by in required)}")


def semantic_figures(entries: tuple[faq.Entry, ...], off: list[str]) -> None:
    """How the embedding model's in-domain threshold splits held-out alternates (indexed
    half only) from off-topic questions."""
    index = semantic.build(entries)
    if index is None:
        print("embedding model not installed: no second-opinion figures")
        return
    import numpy as np

    rows = [(i, j, text) for i, e in enumerate(entries)
            for j, text in enumerate(e.phrasings)]
    vectors = index.vectors  # one row per phrasing, questions first within each entry
    kept = []
    for fold in (0, 1):
        # Questions (j == 0) and one half of the alternates are indexed; the rest is asked.
        indexed = np.array([j == 0 or (j - 1) % 2 == fold for _, j, _ in rows])
        for (_, j, text), asked in zip(rows, ~indexed, strict=True):
            if asked and j:
                query = np.asarray(index.model.query(text))
                kept.append(float((vectors[indexed] @ query).max()) >= semantic.IN_DOMAIN)
    rejected = sum(float(index.similarities(t).max()) < semantic.IN_DOMAIN for t in off)
    print(f"second opinion, in domain from {semantic.IN_DOMAIN}: keeps "
          f"{sum(kept) / len(kept):.1%} of held-out alternates, rejects {rejected}/{len(off)} "
          f"off-topic questions")


if __name__ == "__main__":
    main()
