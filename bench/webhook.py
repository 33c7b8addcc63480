"""Round-trip benchmark of the real ``/wechat`` webhook.

Posts signed (in safe mode also AES-encrypted) text messages exactly as WeChat would and
checks every reply, for {plain, safe} x {in process through the Flask test client, over
HTTP through gunicorn with 2 sync workers}. Every message is new (fresh MsgId and text),
so each one pays for the journal insert and the conversation update: those database
writes are the cost being measured.

    .venv/bin/python bench/webhook.py [--messages N] [--concurrency C]
                                      [--database-url URL] [--only inprocess|http]

Without ``--database-url`` a fresh SQLite file in a temporary directory is used. A
PostgreSQL URL names the caller's database: it is migrated, never dropped, and the
benchmark's rows are appended to whatever it holds.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import make_url
from sqlalchemy import text as sql

from bot import create_app
from bot.db import make_engine
from bot.migrate import upgrade
from bot.protocol import sign
from bot.simulator.client import (
    Reply,
    Transport,
    WeChatSender,
    http_transport,
    wsgi_transport,
)
from bot.texts import text

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
APPID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
MODES = ("plain", "safe")
TRANSPORTS = ("inprocess", "http")
DEFAULT_MESSAGES = {"inprocess": 2000, "http": 2000}
WARMUP = 50
USERS = 50  # simulated subscribers, split between the client threads
GUNICORN_WORKERS = 2
READY_TIMEOUT = 30.0
# Log lines that mean the server had trouble, whatever the client saw.
TROUBLE = re.compile(r"\b(ERROR|CRITICAL|WARNING)\b|Traceback|locked|TIMEOUT|deadlock"
                     r"|^[\w.]+(Error|Exception)\b", re.IGNORECASE)
# Timestamps and pids of gunicorn's and the app's log lines, so repeats can be counted.
LOG_PREFIX = re.compile(r"^(\[[^\]]*\] \[\d+\] |\d{4}-\d\d-\d\d [\d:,.]+ )")
SHARED_MACHINE_NOTE = ("note: measured on a shared 2-core machine where the client, "
                       "gunicorn and the database compete for the same CPUs.")


@dataclass
class Tally:
    """What one client thread saw; merged into a ``Result`` at the end."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    warmup_errors: Counter[str] = field(default_factory=Counter)


@dataclass
class Result:
    mode: str
    transport: str
    messages: int
    elapsed_s: float
    tally: Tally
    server_trouble: list[str]

    @property
    def error_count(self) -> int:
        return sum(self.tally.errors.values())


def app_env(mode: str, database_url: str) -> dict[str, str]:
    """The environment ``bot.config.load_config`` reads, for both transports alike."""
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": "bench-secret",
            "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
            "WECHAT_AES_KEY": AES_KEY if mode == "safe" else "",
            "DATABASE_URL": database_url, "WECHAT_MAX_CLOCK_SKEW": "300",
            # Measure the database path, not a Redis the caller happens to have configured.
            "REDIS_URL": ""}


def make_sender(mode: str, transport: Transport) -> WeChatSender:
    safe = mode == "safe"
    return WeChatSender(transport=transport, token=TOKEN, appid=APPID,
                        aes_key=AES_KEY if safe else "", account="gh_bench", encrypt=safe)


def problem_with(reply: Reply) -> str | None:
    """Why ``reply`` is not a proper answer, or ``None``."""
    if reply.status != 200:
        return f"HTTP {reply.status}: {reply.text[:200]}"
    if reply.kind != "text":
        return f"reply of kind {reply.kind!r}: {reply.raw[:200]}"
    if not reply.text:
        return "empty text reply"
    # The app answers 200 with this text when the journal or the handler failed.
    if reply.text == text("system_busy"):
        return "system_busy reply (the app hit an error; see the server log lines)"
    return None


@dataclass
class Client:
    """One simulated WeChat connection: its own sender (and HTTP session) and users."""

    sender: WeChatSender
    openids: list[str]
    label: str
    tally: Tally = field(default_factory=Tally)
    sent: int = 0

    def run(self, count: int, measured: bool) -> None:
        for _ in range(count):
            self.send_one(measured)

    def send_one(self, measured: bool) -> None:
        openid = self.openids[self.sent % len(self.openids)]
        # Distinct text and (inside ``text``) a fresh MsgId: de-duplication must not
        # short-circuit anything.
        content = f"请问{self.label}第{self.sent}号样品按什么标准检验？"
        self.sent += 1
        start = time.perf_counter()
        try:
            problem = problem_with(self.sender.text(openid, content))
        except Exception as exc:  # a failed request is a result to report, not a crash
            problem = f"{type(exc).__name__}: {exc}"
        elapsed_ms = (time.perf_counter() - start) * 1000
        if problem is None:
            if measured:
                self.tally.latencies_ms.append(elapsed_ms)
        elif measured:
            self.tally.errors[problem] += 1
        else:
            self.tally.warmup_errors[problem] += 1


def openids_for(run_id: str, scenario: str, client: int, clients: int) -> list[str]:
    """Disjoint users per client, so per-user row locks do not serialise the clients."""
    users = [u for u in range(USERS) if u % clients == client] or [client]
    return [f"bench-{run_id}-{scenario}-{u:02d}" for u in users]


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def merge(tallies: list[Tally]) -> Tally:
    merged = Tally()
    for tally in tallies:
        merged.latencies_ms += tally.latencies_ms
        merged.errors.update(tally.errors)
        merged.warmup_errors.update(tally.warmup_errors)
    return merged


# --- in process -------------------------------------------------------------------------

class _Collector(logging.Handler):
    """Keeps the app's warnings and errors of an in-process run for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def run_inprocess(mode: str, database_url: str, messages: int, run_id: str,
                  workdir: Path) -> Result:
    spool = workdir / f"spool-{mode}-inprocess"
    app = create_app(overrides={"SPOOL_DIR": str(spool)}, env=app_env(mode, database_url))
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    client = Client(make_sender(mode, wsgi_transport(app)),
                    openids_for(run_id, f"{mode}-inproc", 0, 1), f"{mode}进程内")
    try:
        client.run(WARMUP, measured=False)
        start = time.perf_counter()
        client.run(messages, measured=True)
        elapsed = time.perf_counter() - start
    finally:
        logging.getLogger().removeHandler(collector)
        app.extensions["db"].engine.dispose()
    trouble = collector.lines + spooled_note(spool, set())
    return Result(mode, "inprocess", messages, elapsed, client.tally, trouble)


# --- over HTTP --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(base_url: str) -> bool:
    """True once a worker answers the signed URL check WeChat itself performs."""
    timestamp, nonce = str(int(time.time())), "4242"
    params = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce, "echostr": "ready"}
    try:
        response = requests.get(f"{base_url}/wechat", params=params, timeout=2)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.text == "ready"


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n"
                               + log_path.read_text(errors="replace")[-3000:])
        # Wait until both workers are forked: they then load the app side by side, and
        # the warm-up absorbs whatever is left, so neither starts cold mid-run.
        booted = log_path.read_text(errors="replace").count("Booting worker")
        if booted >= GUNICORN_WORKERS and answers(base_url):
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT:.0f} s:\n"
                       + log_path.read_text(errors="replace")[-3000:])


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: gunicorn's graceful shutdown
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(env: Mapping[str, str], log_path: Path) -> Iterator[str]:
    """A gunicorn serving ``wsgi:app`` from the checkout; yields its base URL."""
    port = free_port()
    # No control socket: its default path in ~/.gunicorn is shared with any other
    # gunicorn of this user, and shutting down would remove theirs.
    command = [str(Path(sys.prefix) / "bin" / "gunicorn"), "-w", str(GUNICORN_WORKERS),
               "-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_ready(base_url, process, log_path)
        yield base_url
    finally:
        stop(process)


def server_trouble(log_path: Path) -> list[str]:
    lines = log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if TROUBLE.search(line)]


def spooled_note(spool: Path, before: set[Path]) -> list[str]:
    """The app spools messages it could not journal; each one is a database failure."""
    new = sorted(set(spool.glob("*.xml")) - before) if spool.is_dir() else []
    if not new:
        return []
    return [f"{len(new)} message(s) spooled to {spool} (database unavailable), "
            f"first: {new[0].name}"]


def run_http(mode: str, database_url: str, messages: int, concurrency: int, run_id: str,
             workdir: Path) -> Result:
    log_path = workdir / f"gunicorn-{mode}.log"
    # wsgi:app spools into the checkout's instance/; watch it so failures cannot hide there.
    spool = ROOT / "instance" / "spool"
    spooled_before = set(spool.glob("*.xml")) if spool.is_dir() else set()
    with gunicorn(app_env(mode, database_url), log_path) as base_url:
        # One session per thread as a real client would keep; gunicorn's sync workers
        # close every connection anyway, so each message also pays for a TCP connect.
        clients = [Client(make_sender(mode, http_transport(base_url)),
                          openids_for(run_id, f"{mode}-http", i, concurrency), f"{mode}{i}线")
                   for i in range(concurrency)]
        elapsed = drive_concurrently(clients, messages)
    trouble = server_trouble(log_path) + spooled_note(spool, spooled_before)
    return Result(mode, "http", messages, elapsed, merge([c.tally for c in clients]),
                  trouble)


def drive_concurrently(clients: list[Client], messages: int) -> float:
    """Warms up, then times the measured messages from a common start; wall seconds."""
    start_line = threading.Barrier(len(clients) + 1)

    def work(client: Client, warmup: int, count: int) -> None:
        try:
            client.run(warmup, measured=False)
        finally:
            start_line.wait()  # even after a crash, so the main thread is not stranded
        client.run(count, measured=True)

    threads = [threading.Thread(target=work, args=(client, warmup, count), daemon=True)
               for client, warmup, count in zip(clients, split(WARMUP, len(clients)),
                                                split(messages, len(clients)), strict=True)]
    for thread in threads:
        thread.start()
    start_line.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


# --- database and report ----------------------------------------------------------------

def existing_journal_rows(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sql("select count(*) from inbound_message")).scalar_one())
    finally:
        engine.dispose()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * pct / 100))
    return ordered[rank - 1]


def print_report(results: list[Result], database_url: str, concurrency: int) -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"database {make_url(database_url).render_as_string(hide_password=True)}, "
          f"HTTP: gunicorn -w {GUNICORN_WORKERS} sync, {concurrency} client threads")
    print(SHARED_MACHINE_NOTE)
    header = ("mode", "transport", "messages", "errors", "p50 ms", "p99 ms", "msgs/s")
    print("{:<6} {:<10} {:>8} {:>6} {:>8} {:>8} {:>8}".format(*header))
    for r in results:
        latencies = r.tally.latencies_ms
        print(f"{r.mode:<6} {r.transport:<10} {r.messages:>8} {r.error_count:>6} "
              f"{percentile(latencies, 50):>8.2f} {percentile(latencies, 99):>8.2f} "
              f"{r.messages / r.elapsed_s:>8.1f}")
    for r in results:
        print_problems(r)


def print_problems(result: Result) -> None:
    name = f"{result.mode}/{result.transport}"
    for title, errors in (("errors", result.tally.errors),
                          ("warm-up errors", result.tally.warmup_errors)):
        if errors:
            print(f"!!! {name}: {sum(errors.values())} {title}:")
            for problem, count in errors.most_common(10):
                print(f"    {count} x {problem}")
    if result.server_trouble:
        print(f"!!! {name}: {len(result.server_trouble)} server log line(s) of trouble:")
        repeats = Counter(LOG_PREFIX.sub("", line) for line in result.server_trouble)
        for line, count in repeats.most_common(15):
            print(f"    {count} x {line}")


def failed(results: list[Result]) -> bool:
    return any(r.error_count or r.tally.warmup_errors or r.server_trouble for r in results)


# --- main -------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=None,
                        help="measured messages per run (default: "
                             + ", ".join(f"{k} {v}" for k, v in DEFAULT_MESSAGES.items()) + ")")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="HTTP client threads, each with its own session (default 4)")
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--only", choices=TRANSPORTS, default=None)
    args = parser.parse_args(argv)
    if args.concurrency < 1 or (args.messages is not None and args.messages < 1):
        parser.error("--messages and --concurrency must be positive")
    return args


def run_all(args: argparse.Namespace, database_url: str, workdir: Path) -> list[Result]:
    run_id = uuid.uuid4().hex[:8]  # keeps openids apart from earlier runs on the same DB
    results = []
    for transport in (args.only,) if args.only else TRANSPORTS:
        messages = args.messages or DEFAULT_MESSAGES[transport]
        for mode in MODES:
            print(f"running {mode}/{transport}: {messages} messages ...", file=sys.stderr)
            if transport == "inprocess":
                results.append(run_inprocess(mode, database_url, messages, run_id, workdir))
            else:
                results.append(run_http(mode, database_url, messages, args.concurrency,
                                        run_id, workdir))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A root handler makes create_app's basicConfig a no-op: the in-process app's warnings
    # are summarised in the report instead of streaming one line per message to stderr.
    logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        upgrade(database_url)
        existing = existing_journal_rows(database_url)
        if existing:
            print(f"note: the database already holds {existing} journal rows; "
                  "this run appends to them.", file=sys.stderr)
        results = run_all(args, database_url, workdir)
    print_report(results, database_url, args.concurrency)
    if failed(results):
        print("!!! THIS RUN HAD ERRORS OR SERVER TROUBLE: the figures above are not valid.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
