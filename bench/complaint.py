"""Whole complaint conversations through the real ``/wechat`` webhook, in process.

Each conversation is the slow path — 投诉, business, place, story, requests, name, phone,
an image, 好了, 确认 — as signed XML from its own consumer, and must end with a ticket
number. Prints the latency of each kind of step and conversations per second.

    .venv/bin/python bench/complaint.py [--conversations N] [--database-url URL] [--safe]

Without ``--database-url`` a fresh SQLite file in a temporary directory is used; a
PostgreSQL URL names the caller's database (migrated, never dropped).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from bot import create_app
from bot.migrate import upgrade
from bot.simulator.client import sender_for

SCRIPT = [
    ("start", "投诉"),
    ("business", "某某便利店"),
    ("place", "泉州市鲤城区中山中路"),
    ("story", "11月20日买的两瓶酸奶回家发现已经过期，花了18元，店员不肯退"),
    ("demands", "4 7"),
    ("name", "测试用户"),
    ("phone", "13800138000"),
    ("image", None),
    ("evidence", "好了"),
    ("confirm", "确认"),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--safe", action="store_true", help="encrypted (safe mode) XML")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="bench-complaint-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    upgrade(database_url)
    env = {"WECHAT_TOKEN": "bench", "DATABASE_URL": database_url, "SECRET_KEY": "bench"}
    if args.safe:
        env.update(WECHAT_APPID="wx5823bf96d3bd56c7",
                   WECHAT_AES_KEY="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
    app = create_app(overrides={"TESTING": True}, env=env)
    wechat = sender_for(app)
    timings: dict[str, list[float]] = defaultdict(list)
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    for n in range(args.conversations):
        openid = f"o_bench_{run}_{n}"
        for step, message in SCRIPT:
            before = time.perf_counter()
            if message is None:
                reply = wechat.send(openid, "image", {"PicUrl": "http://example/p.jpg",
                                                      "MediaId": f"m{n}", "MsgId": n + 1})
            else:
                reply = wechat.text(openid, message)
            timings[step].append((time.perf_counter() - before) * 1000)
            if reply.status != 200 or not reply.text:
                print(f"conversation {n} step {step}: {reply.status} {reply.text!r}")
                return 1
        if "编号：FJ" not in (reply.text or ""):
            print(f"conversation {n} ended without a ticket: {reply.text!r}")
            return 1
    elapsed = time.perf_counter() - started
    print(f"{args.conversations} complaint conversations, {'safe' if args.safe else 'plain'} "
          f"mode, {database_url.split(':')[0]}: {args.conversations / elapsed:.1f} "
          f"conversations/s ({len(SCRIPT)} messages each)")
    print(f"{'step':<10} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for step, _ in SCRIPT:
        values = timings[step]
        print(f"{step:<10} {percentile(values, 50):8.2f} {percentile(values, 99):8.2f} "
              f"{statistics.fmean(values):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
