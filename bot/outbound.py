"""Sends the outbox through the WeChat API: retries with backoff, and every message ends
sent, failed after its retries, or undeliverable with WeChat's reason — visible to staff.

A message goes first as a customer-service message (the full text). When WeChat refuses
that because the 48-hour window is closed or the quota is spent (45015/45047) and a
template is configured (WECHAT_TEMPLATE_ID), the message stays pending for the template
route, whose short fields WeChat delivers outside the window; without a template it is
undeliverable.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

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
# Template messages WeChat will never deliver to this user.
TEMPLATE_UNDELIVERABLE = {43004: "the consumer no longer follows the account",
                          43101: "the consumer refused template messages"}
TEMPLATE_FILE = Path(__file__).parent / "data" / "template.toml"
# Longest value WeChat accepts per template field type (the field name starts with it).
FIELD_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "number": 32,
                "letter": 32, "symbol": 5, "time": 30, "amount": 20, "name": 10}


def drain(db: Database, client: ApiClient, now: dt.datetime | None = None,
          batch: int = 100, template_id: str = "") -> Counter[str]:
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
            openid, text, route = message.openid, message.text, message.route
            fields = dict(message.fields or {})
        if route == "template":
            error = _send_template(client, openid, template_id, fields)
        else:
            error = _send(client, openid, text)
        with db.transaction() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            outcome[_record(message, error, now, template_id)] += 1
    return outcome


Error = tuple[int | None, str] | None


def _send(client: ApiClient, openid: str, text: str) -> Error:
    """None when WeChat accepted the message, else (error code or None, description)."""
    return _attempt(lambda: client.call(lambda c: c.message.send_text(openid, text)))


def _send_template(client: ApiClient, openid: str, template_id: str,
                   fields: dict[str, str]) -> Error:
    if not template_id:
        return 0, "the template route needs WECHAT_TEMPLATE_ID"
    data = template_data(fields)
    return _attempt(lambda: client.call(
        lambda c: c.message.send_template(openid, template_id, data)))


@cache
def _template_fields() -> dict[str, str]:
    with TEMPLATE_FILE.open("rb") as handle:
        return dict(tomllib.load(handle)["fields"])


def template_data(fields: dict[str, str]) -> dict[str, Any]:
    """The template's fields filled from the notice's values, shortened to fit."""
    data = {}
    for name, value_of in _template_fields().items():
        value = str(fields.get(value_of, ""))
        limit = next((n for kind, n in FIELD_LIMITS.items() if name.startswith(kind)), 20)
        data[name] = {"value": value if len(value) <= limit else value[:limit - 1] + "…"}
    return data


def _attempt(send: Any) -> Error:
    try:
        send()
    except WeChatClientException as exc:
        return exc.errcode, f"{exc.errcode}: {exc.errmsg}"
    except (requests.RequestException, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return None


def _record(message: OutboxMessage, error: Error, now: dt.datetime, template_id: str) -> str:
    message.attempts += 1
    if error is None:
        message.state = "sent"
        message.sent_at = now
        message.last_error = None
        return message.state
    code, description = error
    if message.route == "custom" and code in UNDELIVERABLE:
        reason = f"{code}: {UNDELIVERABLE[code]}"
        if template_id and message.fields:
            message.route = "template"  # stays pending; goes out on the next run
            message.next_attempt_at = now
            message.last_error = reason + "; trying the template message"
            return "template"
        message.state = "undeliverable"
        message.last_error = reason
        return message.state
    if message.route == "template" and code in TEMPLATE_UNDELIVERABLE:
        message.state = "undeliverable"
        message.last_error = f"{code}: {TEMPLATE_UNDELIVERABLE[code]}"
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
