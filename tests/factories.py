"""Objects tests need in the database, made the way the product makes them."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from bot.db import get_db
from complaints import tickets
from complaints.workflow import Kind

RECEIVED = dt.datetime(2026, 9, 28, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def open_ticket(app: Flask, openid: str, kind: Kind = Kind.COMPLAINT,
                business: str = "某某超市") -> str:
    """Opens a ticket in 鼓楼区 received on 2026-09-28 and returns its number."""
    with get_db(app).transaction() as session:
        return tickets.open_ticket(session, tickets.Draft(
            kind=kind, openid=openid, bureau_code="350102", business_name=business),
            RECEIVED).number
