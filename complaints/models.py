"""Tables of the complaints side."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime
from bot.models import IntPK


class Bureau(Base):
    """A market-regulation bureau that handles tickets: the ten prefecture-level ones
    (nine cities and 平潭综合实验区) and every county-level one, keyed by division code."""

    __tablename__ = "bureau"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefecture: Mapped[bool]
    # The prefecture-level bureau above a county bureau (None for prefecture-level ones).
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("bureau.code"))


class TicketCounter(Base):
    """The last ticket sequence number handed out on one day (China time)."""

    __tablename__ = "ticket_counter"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    last: Mapped[int]


class Ticket(Base):
    """One complaint (投诉) or report (举报), routed to the bureau that has jurisdiction."""

    __tablename__ = "ticket"

    id: Mapped[IntPK]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # workflow.Kind value
    status: Mapped[str] = mapped_column(String(8), index=True)  # workflow.Status value
    openid: Mapped[str] = mapped_column(String(64), index=True)
    bureau_code: Mapped[str] = mapped_column(ForeignKey("bureau.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    business_name: Mapped[str] = mapped_column(String(200))
    business_place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    story: Mapped[str] = mapped_column(Text, default="")
    demands: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(40))
    consumer_name: Mapped[str | None] = mapped_column(String(60))
    consumer_phone: Mapped[str | None] = mapped_column(String(20))
    anonymous: Mapped[bool] = mapped_column(default=False)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    linked_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The next legal deadline of the current step (acceptance, mediation or report check).
    due_on: Mapped[dt.date | None]
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[str | None] = mapped_column(String(8))
    rating_comment: Mapped[str | None] = mapped_column(Text)

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[TicketAttachment]] = relationship(
        order_by="TicketAttachment.id", cascade="all, delete-orphan")


class TicketEvent(Base):
    """Every status change: who, when, from, to, and why."""

    __tablename__ = "ticket_event"

    id: Mapped[IntPK]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(80))  # consumer:<openid> | staff:<login> | system
    source: Mapped[str | None] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketAttachment(Base):
    """Evidence the consumer sent during the form: an image, voice or video message.

    WeChat keeps temporary media for three days; ``media_id`` fetches it until then and
    ``url`` (images only) is WeChat's own copy.
    """

    __tablename__ = "ticket_attachment"

    id: Mapped[IntPK]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # image | voice | video | shortvideo
    media_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    msg_id: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message to push to a consumer, written in the same transaction as the change it
    reports, and sent later by ``flask outbox run`` (so an API outage loses nothing)."""

    __tablename__ = "outbox_message"

    id: Mapped[IntPK]
    openid: Mapped[str] = mapped_column(String(64), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    text: Mapped[str] = mapped_column(Text)
    # "custom" (customer-service message) or "template" once the 48-hour window has closed
    route: Mapped[str] = mapped_column(String(16), default="custom")
    # The same notice as values for a template message (number, status, time, bureau).
    fields: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # pending → sent | failed (gave up after retries) | undeliverable (WeChat refuses)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
