"""Opening tickets and moving them through the workflow (the caller owns the transaction).

Every change writes a ``TicketEvent``; deadlines follow the rules in ``deadlines``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from complaints import deadlines, notify, workflow
from complaints.models import Ticket, TicketEvent
from complaints.numbering import next_ticket_number
from complaints.workflow import Kind, Status


@dataclass
class Draft:
    """What the intake form collected."""

    kind: Kind
    openid: str
    bureau_code: str
    business_name: str
    region_code: str | None = None
    business_place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    story: str = ""
    demands: list[str] = field(default_factory=list)
    category: str | None = None
    consumer_name: str | None = None
    consumer_phone: str | None = None
    anonymous: bool = False
    evidence_note: str | None = None


def _first_deadline(kind: Kind, received: dt.datetime) -> dt.date:
    if kind is Kind.COMPLAINT:
        return deadlines.acceptance_deadline(received)
    return deadlines.report_check_deadline(received)


def open_ticket(session: Session, draft: Draft, now: dt.datetime,
                linked_to: Ticket | None = None) -> Ticket:
    status = workflow.INITIAL[draft.kind]
    ticket = Ticket(
        number=next_ticket_number(session, now), kind=draft.kind.value, status=status.value,
        openid=draft.openid, bureau_code=draft.bureau_code, region_code=draft.region_code,
        business_name=draft.business_name, business_place=draft.business_place,
        latitude=draft.latitude, longitude=draft.longitude, story=draft.story,
        demands=list(draft.demands), category=draft.category,
        consumer_name=draft.consumer_name, consumer_phone=draft.consumer_phone,
        anonymous=draft.anonymous, evidence_note=draft.evidence_note, received_at=now,
        due_on=_first_deadline(draft.kind, now),
        linked_ticket_id=linked_to.id if linked_to else None)
    ticket.events.append(TicketEvent(at=now, actor=f"consumer:{draft.openid}", source=None,
                                     target=status.value))
    session.add(ticket)
    session.flush()
    return ticket


def move(session: Session, ticket: Ticket, target: Status, *, actor: str,
         now: dt.datetime, reason: str | None = None, bureau: str | None = None,
         note: str | None = None) -> Ticket:
    """Applies one transition after checking it against the workflow tables."""
    kind, source = Kind(ticket.kind), Status(ticket.status)
    workflow.check(kind, source, target, by_consumer=actor.startswith("consumer:"),
                   reason=reason, bureau=bureau)
    ticket.status = target.value
    if target is Status.ACCEPTED:
        ticket.due_on = deadlines.mediation_deadline(now)
    elif target is Status.TRANSFERRED and bureau:
        ticket.bureau_code = bureau
        ticket.due_on = deadlines.acceptance_deadline(now)  # the new bureau's clock starts
    elif target in {Status.CLOSED, Status.WITHDRAWN}:
        ticket.due_on = None
        ticket.closed_at = now
    elif target in {Status.REFUSED, Status.MEDIATED, Status.TERMINATED, Status.FILED,
                    Status.NOT_FILED}:
        ticket.due_on = None
    ticket.events.append(TicketEvent(at=now, actor=actor, source=source.value,
                                     target=target.value, reason=reason, note=note))
    if not actor.startswith("consumer:"):  # the consumer saw her own change in the chat
        notify.queue_status_notice(session, ticket, reason, now)
    session.flush()
    return ticket


def tickets_of(openid: str) -> Select[tuple[Ticket]]:
    """A consumer's own tickets, newest first (the caller limits or paginates)."""
    return (select(Ticket).where(Ticket.openid == openid)
            .order_by(Ticket.received_at.desc(), Ticket.id.desc()))


def find_for_consumer(session: Session, openid: str, number: str) -> Ticket | None:
    """The ticket if it exists and belongs to ``openid``; otherwise ``None`` either way, so
    nobody can learn whether someone else's number exists."""
    return session.scalars(select(Ticket).where(Ticket.number == number.upper(),
                                                Ticket.openid == openid)).one_or_none()
