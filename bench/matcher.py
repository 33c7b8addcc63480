"""Benchmark of question understanding on the full knowledge base.

Prints, for one core: start-up time of the index (jieba included, in a fresh process),
queries per second and p50/p99 latency of ``understand``, and top-1 on a labelled dev file
for our matcher against two baselines over the same entries: plain BM25 over jieba tokens
and plain rapidfuzz over the raw phrasings.

    .venv/bin/python bench/matcher.py [--dev tests/data/understand-dev.jsonl] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import jieba
from rapidfuzz import fuzz, process

from knowledge import faq
from knowledge.bm25 import BM25
from knowledge.intents import understand
from knowledge.matcher import ready_matcher

ROOT = Path(__file__).resolve().parents[1]
STARTUP = ("import time; t = time.perf_counter(); "
           "from knowledge.matcher import default_matcher; default_matcher(); "
           "print(time.perf_counter() - t)")


def startup_seconds(runs: int = 3) -> float:
    """Best of ``runs`` fresh interpreters building the index (jieba's disk cache warm)."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def load_rows(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def throughput(texts: list[str], rounds: int) -> tuple[float, float, float]:
    """(queries/s, p50 ms, p99 ms) of ``understand`` over ``texts`` repeated ``rounds``."""
    latencies = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            understand(text)
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / sum(latencies), statistics.median(latencies) * 1e3, p99 * 1e3


def top1_share(rows: list[dict[str, str | None]]) -> float:
    """Share of FAQ lines whose best candidate is the labelled entry (intent ignored)."""
    faq_rows = [row for row in rows if row["intent"] == "faq"]
    best = [understand(str(r["text"])).match.best for r in faq_rows]
    return sum(b is not None and b.entry_id == r["faq_id"]
               for b, r in zip(best, faq_rows, strict=True)) / len(faq_rows)


def default_level(text: str) -> str:
    return understand(text).match.level.value


def baseline_bm25(entries: tuple[faq.Entry, ...]):  # type: ignore[no-untyped-def]
    owners, docs = [], []
    for entry in entries:
        for phrasing in entry.phrasings:
            owners.append(entry.id)
            docs.append(jieba.lcut(phrasing))
    index = BM25(docs)

    def top1(text: str) -> str | None:
        best: dict[str, float] = defaultdict(float)
        for doc, score in index.scores(jieba.lcut(text)).items():
            best[owners[doc]] = max(best[owners[doc]], score)
        return max(best, key=best.__getitem__) if best else None

    return top1


def baseline_rapidfuzz(entries: tuple[faq.Entry, ...]):  # type: ignore[no-untyped-def]
    owners = [entry.id for entry in entries for _ in entry.phrasings]
    choices = [phrasing for entry in entries for phrasing in entry.phrasings]

    def top1(text: str) -> str | None:
        found = process.extractOne(text, choices, scorer=fuzz.WRatio)
        return owners[found[2]] if found else None

    return top1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "data" /
                        "understand-dev.jsonl")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    entries = faq.entries()
    rows = load_rows(args.dev)
    texts = [str(row["text"]) for row in rows]
    print(f"python {sys.version.split()[0]}, one core, {len(entries)} entries, "
          f"{sum(len(e.phrasings) for e in entries)} phrasings, {len(texts)} dev lines")
    print(f"start-up (fresh process, index + jieba): {startup_seconds():.3f} s")
    matcher = ready_matcher()
    second_opinion = matcher.semantic
    matcher.semantic = None
    qps, p50, p99 = throughput(texts, args.rounds)
    print(f"understand(), lexical only: {qps:,.0f} queries/s  p50 {p50:.3f} ms  "
          f"p99 {p99:.3f} ms ({args.rounds} rounds over the dev lines)")
    lexical_top1 = top1_share(rows)
    matcher.semantic = second_opinion
    if second_opinion is not None:
        direct = sum(default_level(t) == "high" for t in texts) / len(texts)
        qps, p50, p99 = throughput(texts, max(1, args.rounds // 5))
        print(f"understand(), with the embedding second opinion for the "
              f"{1 - direct:.0%} of lines that are not answered directly: {qps:,.0f} "
              f"queries/s  p50 {p50:.3f} ms  p99 {p99:.3f} ms")
    else:
        print("embedding second opinion not installed (extra 'semantic')")

    faq_rows = [row for row in rows if row["intent"] == "faq"]
    ours = top1_share(rows) * len(faq_rows)
    contenders = {"ours (intent ignored)": None,
                  "ours, lexical only": lexical_top1 * len(faq_rows),
                  "plain BM25 (jieba)": baseline_bm25(entries),
                  "plain rapidfuzz (WRatio)": baseline_rapidfuzz(entries)}
    print(f"\nFAQ top-1 on {len(faq_rows)} FAQ lines of {args.dev.name}:")
    for name, top1 in contenders.items():
        if isinstance(top1, float):
            hits = round(top1)
        elif top1 is None:
            hits = round(ours)
        else:
            hits = sum(top1(str(r["text"])) == r["faq_id"] for r in faq_rows)
        print(f"  {name:28s} {hits / len(faq_rows):.1%}  ({hits}/{len(faq_rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
