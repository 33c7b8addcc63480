"""Legal deadlines in working days, from chinese_calendar with a fallback for years it
does not know yet (today's tickets already reach into 2027).

The fallback never raises: it counts Monday–Friday, corrected by the holiday and make-up
day table in ``data/calendar-fallback.toml``, and logs a warning once per year so that
someone adds the official schedule.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
FALLBACK_FILE = Path(__file__).parent / "data" / "calendar-fallback.toml"
CHINA = ZoneInfo("Asia/Shanghai")

ACCEPTANCE_WORKING_DAYS = 7  # decide whether to accept a complaint
MEDIATION_DAYS = 60  # calendar days from acceptance (总局令第121号 第二十三条)
REPORT_CHECK_WORKING_DAYS = 15  # check a report, extendable once by 15


@cache
def _fallback() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    with FALLBACK_FILE.open("rb") as handle:
        table = tomllib.load(handle)
    return frozenset(table.get("holidays", [])), frozenset(table.get("workdays", []))


@cache
def _warn_once(year: int) -> None:
    log.warning("chinese_calendar has no data for %d: counting Monday–Friday with the "
                "fallback table %s; add the official schedule", year, FALLBACK_FILE.name)


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_once(day.year)
        holidays, workdays = _fallback()
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (the day of receipt does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += is_workday(day)
    return day


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def acceptance_deadline(received: dt.datetime) -> dt.date:
    return add_working_days(local_date(received), ACCEPTANCE_WORKING_DAYS)


def mediation_deadline(accepted: dt.datetime) -> dt.date:
    return local_date(accepted) + dt.timedelta(days=MEDIATION_DAYS)


def report_check_deadline(received: dt.datetime, extended: bool = False) -> dt.date:
    days = REPORT_CHECK_WORKING_DAYS * (2 if extended else 1)
    return add_working_days(local_date(received), days)
