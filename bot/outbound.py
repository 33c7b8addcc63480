"""Sends the outbox through the WeChat API: retries with backoff, and every message ends
sent, failed after its retries, or undeliverable with WeChat's reason — visible to staff."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import requests
from sqlalchemy import select, update
from wechatpy.exceptions import WeChatClientException

from bot.db import Database, utcnow
from bot.wechat_api import ApiClient
from complaints.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=2)  # a worker that dies while sending frees its message then
# The customer-service window is closed (no message from the user for 48 h, or the user
# unfollowed) or its quota is spent: retrying cannot help.
UNDELIVERABLE = {45015: "outside the 48-hour customer-service window or unfollowed",
                 45047: "customer-service message quota used up"}


def drain(db: Database, client: ApiClient, now: dt.datetime | None = None,
          batch: int = 100) -> Counter[str]:
    """Sends the messages that are due; returns how many ended in each state.

    Each message is first leased (so a second worker skips it), then sent with no database
    transaction open — the token store may need the database meanwhile — and the outcome
    is written in a transaction of its own.
    """
    now = now or utcnow()
    outcome: Counter[str] = Counter()
    with db.transaction() as session:
        due = list(session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.state == "pending",
                                           OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(batch)))
    for message_id in due:
        with db.transaction() as session:
            leased = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending",
                       OutboxMessage.next_attempt_at <= now)
                .values(next_attempt_at=now + LEASE)).rowcount
            message = session.get(OutboxMessage, message_id)
            if not leased or message is None:
                continue  # another worker has it
            openid, text = message.openid, message.text
        error = _send(client, openid, text)
        with db.transaction() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            outcome[_record(message, error, now)] += 1
    return outcome


def _send(client: ApiClient, openid: str, text: str) -> tuple[int | None, str] | None:
    """None when WeChat accepted the message, else (error code or None, description)."""
    try:
        client.call(lambda c: c.message.send_text(openid, text))
    except WeChatClientException as exc:
        return exc.errcode, f"{exc.errcode}: {exc.errmsg}"
    except (requests.RequestException, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return None


def _record(message: OutboxMessage, error: tuple[int | None, str] | None,
            now: dt.datetime) -> str:
    message.attempts += 1
    if error is None:
        message.state = "sent"
        message.sent_at = now
        message.last_error = None
        return message.state
    code, description = error
    if code in UNDELIVERABLE:
        message.state = "undeliverable"
        message.last_error = f"{code}: {UNDELIVERABLE[code]}"
        return message.state
    return _retry_later(message, now, description)


def _retry_later(message: OutboxMessage, now: dt.datetime, error: str) -> str:
    message.last_error = error[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        message.state = "failed"
        log.error("outbox message %s failed after %d attempts: %s", message.id,
                  message.attempts, error)
        return message.state
    message.next_attempt_at = now + min(FIRST_RETRY * 2 ** (message.attempts - 1),
                                        LONGEST_RETRY)
    return "retry"
