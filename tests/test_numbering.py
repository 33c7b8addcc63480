"""Ticket numbers stay unique and gap-free per day when many workers open tickets at once."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.db import Database
from complaints.numbering import next_ticket_number

CHINA = dt.timezone(dt.timedelta(hours=8))


def test_format_and_daily_sequence(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.transaction() as session:
        first = next_ticket_number(session, dt.datetime(2026, 11, 20, 9, tzinfo=CHINA))
        second = next_ticket_number(session, dt.datetime(2026, 11, 20, 18, tzinfo=CHINA))
        # 17:00 UTC on the 20th is already the 21st in Fujian: a new day, a new sequence.
        next_day = next_ticket_number(session, dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC))
    assert (first, second, next_day) == ("FJ20261120-000001", "FJ20261120-000002",
                                         "FJ20261121-000001")
    db.engine.dispose()


def test_a_rolled_back_ticket_gives_its_number_back(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    moment = dt.datetime(2026, 11, 22, 9, tzinfo=CHINA)
    with pytest.raises(RuntimeError), db.transaction() as session:
        next_ticket_number(session, moment)
        raise RuntimeError("the ticket could not be saved")
    with db.transaction() as session:
        assert next_ticket_number(session, moment) == "FJ20261122-000001"
    db.engine.dispose()


def test_concurrent_numbers_are_unique(database_url: str) -> None:
    db = Database(database_url)
    moment = dt.datetime(2026, 11, 23, 9, tzinfo=CHINA)
    workers = 16
    barrier = threading.Barrier(workers)

    def open_ticket(_: int) -> str:
        barrier.wait()
        with db.transaction() as session:
            return next_ticket_number(session, moment)

    with ThreadPoolExecutor(workers) as pool:
        numbers = list(pool.map(open_ticket, range(workers)))
    assert sorted(numbers) == [f"FJ20261123-{n:06d}" for n in range(1, workers + 1)]
    db.engine.dispose()
