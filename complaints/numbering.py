"""Ticket numbers: ``FJ`` + the day of receipt (China time) + ``-`` + a six-digit daily
sequence, e.g. ``FJ20261120-000123``.

One atomic upsert per number (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which
SQLite ≥ 3.35 and PostgreSQL both run) makes numbers unique under any concurrency; the
caller's transaction owns it, so a rolled-back ticket gives its number back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from complaints.deadlines import local_date
from complaints.models import TicketCounter

PREFIX = "FJ"
MAX_PER_DAY = 999_999


def next_ticket_number(session: Session, received: dt.datetime) -> str:
    day = local_date(received)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(TicketCounter).values(day=day, last=1)
                 .on_conflict_do_update(index_elements=[TicketCounter.day],
                                        set_={"last": TicketCounter.last + 1})
                 .returning(TicketCounter.last))
    sequence = session.execute(statement).scalar_one()
    if sequence > MAX_PER_DAY:
        raise OverflowError(f"more than {MAX_PER_DAY} tickets on {day}")
    return f"{PREFIX}{day:%Y%m%d}-{sequence:06d}"
