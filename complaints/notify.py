"""Status-change notices for the consumer, queued in the outbox with the change itself."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints.deadlines import CHINA
from complaints.models import Bureau, OutboxMessage, Ticket

NOTICES_FILE = Path(__file__).parent / "data" / "notifications.toml"


@cache
def _notices() -> dict[str, str]:
    with NOTICES_FILE.open("rb") as handle:
        return {status: text.strip() for status, text in tomllib.load(handle).items()}


def queue_status_notice(session: Session, ticket: Ticket, reason: str | None,
                        now: dt.datetime) -> OutboxMessage | None:
    """Queues the notice for the ticket's new status, if that status has one."""
    template = _notices().get(ticket.status)
    if template is None:
        return None
    bureau = session.scalars(select(Bureau.name).where(
        Bureau.code == ticket.bureau_code)).one_or_none() or "市场监督管理部门"
    due = f"{ticket.due_on:%Y年%m月%d日}" if ticket.due_on else ""
    fields = {"number": ticket.number, "kind": ticket.kind, "status": ticket.status,
              "bureau": bureau, "time": f"{now.astimezone(CHINA):%Y-%m-%d %H:%M}",
              "reason": reason or "", "due": due}
    message = OutboxMessage(openid=ticket.openid, ticket_id=ticket.id, next_attempt_at=now,
                            created_at=now, fields=fields,
                            text=template.format(number=ticket.number, kind=ticket.kind,
                                                 status=ticket.status,
                                                 bureau=bureau, reason=reason or "", due=due))
    session.add(message)
    return message
