"""Tickets on SQLite and PostgreSQL: numbers, deadlines, transitions with their events,
and a consumer sees only her own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.db import Database
from complaints import tickets
from complaints.models import Ticket
from complaints.workflow import Kind, Needs, Status, TransitionError, reasons

CHINA = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 9, 28, 10, tzinfo=CHINA)
ALICE, BOB = "o_alice", "o_bob"


def draft(kind: Kind = Kind.COMPLAINT, openid: str = ALICE) -> tickets.Draft:
    return tickets.Draft(kind=kind, openid=openid, bureau_code="350102", region_code="350102",
                         business_name="某某超市", business_place="福州市鼓楼区五四路",
                         story="买到过期牛奶", demands=["退货", "赔偿损失"],
                         consumer_name="张女士", consumer_phone="13800000000")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.engine.dispose()


def test_a_complaint_through_mediation_to_closing(db: Database) -> None:
    with db.transaction() as session:
        ticket = tickets.open_ticket(session, draft(), RECEIVED)
        number = ticket.number
    assert number == "FJ20260928-000001"
    with db.transaction() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (ticket.status, ticket.due_on) == (Status.PENDING, dt.date(2026, 10, 13))
        accepted_at = RECEIVED + dt.timedelta(days=3)
        tickets.move(session, ticket, Status.ACCEPTED, actor="staff:lin", now=accepted_at)
        assert ticket.due_on == dt.date(2026, 11, 30)  # 60 calendar days
        tickets.move(session, ticket, Status.MEDIATING, actor="staff:lin", now=accepted_at)
        reason = reasons(Needs.TERMINATION_REASON)[2]
        tickets.move(session, ticket, Status.TERMINATED, actor="staff:lin", reason=reason,
                     now=accepted_at + dt.timedelta(days=20))
        tickets.move(session, ticket, Status.CLOSED, actor="staff:lin",
                     now=accepted_at + dt.timedelta(days=21))
    with db.transaction() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        trail = [(e.source, e.target, e.actor) for e in ticket.events]
        assert trail == [(None, "待受理", f"consumer:{ALICE}"),
                         ("待受理", "已受理", "staff:lin"), ("已受理", "调解中", "staff:lin"),
                         ("调解中", "终止调解", "staff:lin"), ("终止调解", "已办结", "staff:lin")]
        assert ticket.events[3].reason == reasons(Needs.TERMINATION_REASON)[2]
        assert ticket.closed_at is not None and ticket.due_on is None


def test_transfer_restarts_the_acceptance_clock(db: Database) -> None:
    with db.transaction() as session:
        ticket = tickets.open_ticket(session, draft(), RECEIVED)
        later = RECEIVED + dt.timedelta(days=1)
        tickets.move(session, ticket, Status.TRANSFERRED, actor="staff:lin", bureau="350206",
                     now=later)
        assert ticket.bureau_code == "350206"
        assert ticket.due_on == dt.date(2026, 10, 14)  # 7 working days from the 29th


def test_refusal_without_a_reason_changes_nothing(db: Database) -> None:
    with db.transaction() as session:
        ticket = tickets.open_ticket(session, draft(), RECEIVED)
        with pytest.raises(TransitionError):
            tickets.move(session, ticket, Status.REFUSED, actor="staff:lin", now=RECEIVED)
        assert ticket.status == Status.PENDING and len(ticket.events) == 1


def test_only_the_consumer_withdraws(db: Database) -> None:
    with db.transaction() as session:
        ticket = tickets.open_ticket(session, draft(), RECEIVED)
        with pytest.raises(TransitionError):
            tickets.move(session, ticket, Status.WITHDRAWN, actor="staff:lin", now=RECEIVED)
        tickets.move(session, ticket, Status.WITHDRAWN, actor=f"consumer:{ALICE}",
                     now=RECEIVED)
        assert ticket.status == Status.WITHDRAWN and ticket.closed_at is not None


def test_a_report_gets_fifteen_working_days(db: Database) -> None:
    with db.transaction() as session:
        report = tickets.open_ticket(session, draft(Kind.REPORT), RECEIVED)
        assert report.status == Status.CHECKING
        assert report.due_on == dt.date(2026, 10, 23)


def test_another_consumer_cannot_see_a_ticket(db: Database) -> None:
    with db.transaction() as session:
        mine = tickets.open_ticket(session, draft(), RECEIVED).number
        tickets.open_ticket(session, draft(openid=BOB), RECEIVED)
    with db.transaction() as session:
        assert tickets.find_for_consumer(session, ALICE, mine.lower()) is not None
        assert tickets.find_for_consumer(session, BOB, mine) is None
        assert tickets.find_for_consumer(session, BOB, "FJ20260928-999999") is None
        own = session.scalars(tickets.tickets_of(ALICE)).all()
        assert [t.number for t in own] == [mine]
