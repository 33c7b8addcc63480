"""Working-day deadlines across the 2026 National Day holiday and into 2027."""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar
import pytest

from complaints import deadlines

SHANGHAI = deadlines.CHINA


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def test_acceptance_deadline_across_national_day_2026() -> None:
    # Received Monday 28 September: 29, 30 Sep, then 8, 9, 10 (make-up Saturday), 12, 13 Oct.
    assert deadlines.acceptance_deadline(at(2026, 9, 28)) == dt.date(2026, 10, 13)
    assert deadlines.acceptance_deadline(at(2026, 9, 28)) == chinese_calendar.find_workday(
        7, dt.date(2026, 9, 28))


def test_receipt_is_counted_in_china_time() -> None:
    # 20:00 UTC on 27 Sep is already 28 Sep in Fujian.
    late = dt.datetime(2026, 9, 27, 20, tzinfo=dt.UTC)
    assert deadlines.acceptance_deadline(late) == dt.date(2026, 10, 13)


def test_deadline_into_2027_uses_the_fallback_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    deadlines._warn_once.cache_clear()
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 1, 4))
    with caplog.at_level(logging.WARNING, logger="complaints.deadlines"):
        # Thu 24 Dec 2026: 25, 28, 29, 30, 31 Dec (2026 data), then 2027 by the fallback:
        # 1 Jan is a listed holiday, so Mon 4 and Tue 5 Jan.
        due = deadlines.acceptance_deadline(at(2026, 12, 24))
    assert due == dt.date(2027, 1, 5)
    assert "no data for 2027" in caplog.text


def test_fallback_weekends_and_make_up_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deadlines, "_fallback",
                        lambda: (frozenset({dt.date(2027, 2, 8)}),
                                 frozenset({dt.date(2027, 2, 6)})))
    assert deadlines.is_workday(dt.date(2027, 2, 6))  # Saturday made a working day
    assert not deadlines.is_workday(dt.date(2027, 2, 8))  # Monday holiday
    assert not deadlines.is_workday(dt.date(2027, 2, 7))  # plain Sunday


def test_mediation_is_sixty_calendar_days() -> None:
    assert deadlines.mediation_deadline(at(2026, 11, 20)) == dt.date(2027, 1, 19)


def test_report_check_and_its_extension() -> None:
    received = at(2026, 9, 28)
    first = deadlines.report_check_deadline(received)
    extended = deadlines.report_check_deadline(received, extended=True)
    assert first == chinese_calendar.find_workday(15, dt.date(2026, 9, 28))
    assert extended == chinese_calendar.find_workday(30, dt.date(2026, 9, 28))
