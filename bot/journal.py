"""The inbound journal: every message is written down before it is handled.

The journal row is also the exactly-once guard. Its ``dedup_key`` is unique, so of all
deliveries of one message (WeChat retries after 5 s, up to three times, possibly into
different workers) exactly one inserts the row and handles the message; the others wait
for its reply and send the same one. With ``REDIS_URL`` set, Redis answers the waiting
retries so that they do not poll the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wechatpy.messages import BaseMessage

from bot.db import Database, utcnow
from bot.models import InboundMessage, JournalState

log = logging.getLogger(__name__)

# How long a retry waits for the first delivery's reply: WeChat gives up after 5 s.
WAIT_FOR_REPLY = 4.0
POLL_INTERVAL = 0.05
# A claim older than this whose worker never finished (crash, kill) may be taken over.
STALE_CLAIM = dt.timedelta(seconds=30)


def dedup_key(message: BaseMessage) -> str:
    """MsgId for messages, sender + CreateTime + event for events (WeChat's advice).

    The sender is part of both: MsgIds have been seen to collide across users.
    """
    data = getattr(message, "_data", {})
    if message.type == "event" or not message.id:
        event = str(data.get("Event", "")).lower()
        return f"evt:{message.source}:{message.time}:{event}:{data.get('EventKey') or ''}"[:200]
    return f"msg:{message.source}:{message.id}"


def summary(message: BaseMessage) -> tuple[str, str | None, str]:
    """(type, event, content) as WeChat sent them, for a clerk reading the journal."""
    data = getattr(message, "_data", {})
    kind = str(data.get("MsgType") or message.type)
    if kind == "event":
        return kind, str(data.get("Event", "")).lower(), str(data.get("EventKey") or "")
    if message.type == "text":
        return kind, None, message.content or ""
    if message.type == "voice":
        return kind, None, getattr(message, "recognition", None) or f"[media {message.media_id}]"
    if message.type in {"image", "video", "shortvideo"}:
        url = getattr(message, "image", "") if kind == "image" else ""
        return kind, None, f"[media {message.media_id}] {url}".strip()
    if message.type == "location":
        lat, lon = message.location
        return kind, None, f"{lat},{lon} {message.label or ''}".strip()
    if message.type == "link":
        return kind, None, f"{message.title or ''} {message.url or ''}".strip()
    return kind, None, ""


@dataclass(frozen=True)
class Claim:
    """The outcome of journaling one delivery.

    ``owner``: this delivery must handle the message. Otherwise ``reply_xml`` is the
    reply the first delivery gave (``None`` if it is not ready in time).
    """

    key: str
    entry_id: int
    owner: bool
    reply_xml: str | None = None


class ReplyCache(Protocol):
    def try_claim(self, key: str) -> bool: ...
    def publish(self, key: str, reply_xml: str) -> None: ...
    def reply(self, key: str) -> str | None: ...


class Journal:
    def __init__(self, db: Database, cache: ReplyCache | None = None) -> None:
        self.db = db
        self.cache = cache

    def claim(self, message: BaseMessage, raw_xml: str) -> Claim:
        key = dedup_key(message)
        wait = WAIT_FOR_REPLY
        if self.cache is not None and not self.cache.try_claim(key):
            cached = self._wait_in_cache(key)
            if cached is not None:
                return Claim(key=key, entry_id=0, owner=False, reply_xml=cached)
            wait = 0.0  # already waited; the database only says whether to take over
        kind, event, content = summary(message)
        try:
            with self.db.transaction() as session:
                entry = InboundMessage(
                    dedup_key=key, openid=message.source, msg_type=kind, event=event,
                    content=content, raw_xml=raw_xml,
                    wechat_time=dt.datetime.fromtimestamp(message.time, dt.UTC),
                )
                session.add(entry)
                session.flush()
                return Claim(key=key, entry_id=entry.id, owner=True)
        except IntegrityError:
            return self._wait_in_database(key, wait)

    def mark_handled(self, session: Session, claim: Claim, reply_xml: str) -> None:
        """Records the reply in the handler's own transaction: effect and record commit
        together, so a crash can never leave a handled message looking unhandled."""
        session.execute(
            update(InboundMessage).where(InboundMessage.id == claim.entry_id)
            .values(state=JournalState.HANDLED, reply_xml=reply_xml, handled_at=utcnow(),
                    error=None))

    def publish(self, claim: Claim, reply_xml: str) -> None:
        if self.cache is not None:
            self.cache.publish(claim.key, reply_xml)

    def fail(self, claim: Claim, error: str) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(InboundMessage).where(InboundMessage.id == claim.entry_id)
                .values(state=JournalState.FAILED, error=error[:2000]))

    def _wait_in_cache(self, key: str) -> str | None:
        assert self.cache is not None
        deadline = time.monotonic() + WAIT_FOR_REPLY
        while time.monotonic() < deadline:
            cached = self.cache.reply(key)
            if cached is not None:
                return cached
            time.sleep(POLL_INTERVAL)
        return None

    def _wait_in_database(self, key: str, wait: float) -> Claim:
        deadline = time.monotonic() + wait
        while True:
            with self.db.transaction() as session:
                entry = session.scalars(
                    select(InboundMessage).where(InboundMessage.dedup_key == key)).one()
                if entry.state == JournalState.HANDLED:
                    return Claim(key=key, entry_id=entry.id, owner=False, reply_xml=entry.reply_xml)
                if self._take_over(session, entry):
                    return Claim(key=key, entry_id=entry.id, owner=True)
            if time.monotonic() >= deadline:
                return Claim(key=key, entry_id=entry.id, owner=False, reply_xml=None)
            time.sleep(POLL_INTERVAL)

    def unfinished(self) -> list[InboundMessage]:
        """Entries that failed, or whose worker died while handling them."""
        with self.db.transaction() as session:
            return list(session.scalars(
                select(InboundMessage).where(
                    (InboundMessage.state == JournalState.FAILED)
                    | ((InboundMessage.state == JournalState.PROCESSING)
                       & (InboundMessage.claimed_at < utcnow() - STALE_CLAIM)))
                .order_by(InboundMessage.id)))

    @staticmethod
    def _take_over(session: Session, entry: InboundMessage) -> bool:
        """A failed or abandoned delivery is retried by whoever wins this update."""
        abandoned = (entry.state == JournalState.PROCESSING
                     and entry.claimed_at < utcnow() - STALE_CLAIM)
        if entry.state != JournalState.FAILED and not abandoned:
            return False
        won = session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == entry.id, InboundMessage.attempts == entry.attempts,
                   InboundMessage.state == entry.state)
            .values(state=JournalState.PROCESSING, attempts=entry.attempts + 1,
                    claimed_at=utcnow())).rowcount
        return won == 1
