"""Tables of the WeChat side: the inbound journal, conversation state and a small cache."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
IntPK = Annotated[
    int, mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
]
Created = Annotated[dt.datetime, mapped_column(default=utcnow)]


class JournalState(enum.StrEnum):
    PROCESSING = "processing"
    HANDLED = "handled"
    FAILED = "failed"


class InboundMessage(Base):
    """Every message WeChat delivers, written before it is handled.

    ``dedup_key`` is unique, so the insert is also the claim that makes a WeChat retry
    (same MsgId, or same sender and CreateTime for events) a no-op that gets the same reply.
    """

    __tablename__ = "inbound_message"

    id: Mapped[IntPK]
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text, default="")
    raw_xml: Mapped[str] = mapped_column(Text)
    wechat_time: Mapped[dt.datetime]
    received_at: Mapped[Created]
    state: Mapped[JournalState] = mapped_column(
        String(16), default=JournalState.PROCESSING
    )
    attempts: Mapped[int] = mapped_column(default=1)
    claimed_at: Mapped[Created]
    handled_at: Mapped[dt.datetime | None]
    reply_xml: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class Conversation(Base):
    """Per-user dialog state, shared by every worker and kept across restarts."""

    __tablename__ = "conversation"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(40), default="idle")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subscribed: Mapped[bool] = mapped_column(default=True)
    turns: Mapped[int] = mapped_column(default=0)
    # The 48-hour customer-service message window starts at the user's last interaction.
    last_interaction_at: Mapped[Created]
    created_at: Mapped[Created]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CacheEntry(Base):
    """Shared key/value store with expiry (access token) for deployments without Redis."""

    __tablename__ = "cache_entry"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None]


class UnansweredQuestion(Base):
    """A question the FAQ could not answer, kept for staff to review and improve the FAQ."""

    __tablename__ = "unanswered_question"

    id: Mapped[IntPK]
    openid: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[Created]
    best_candidate: Mapped[str | None] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(default=0.0)
    reviewed: Mapped[bool] = mapped_column(default=False)
