"""After 已办结 the consumer rates the handling: 满意 / 基本满意 / 不满意, with a comment."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.dialog.engine import Turn
from bot.dialog.replies import Reply
from bot.texts import text
from complaints.models import Bureau, Ticket
from complaints.workflow import Status
from knowledge.intents import patterns, ticket_number
from knowledge.normalize import normalize

# Read after the ticket number, if any, is taken out ("评价 FJ… 满意" → "评价 满意").
_RATING = re.compile(r"^(?:评价\s*)?(基本满意|不满意|非常满意|满意)")
MAX_COMMENT = 500


def _without_number(message: str) -> str:
    return patterns().ticket.sub("", normalize(message), count=1).strip()


def is_rating(message: str) -> bool:
    clean = _without_number(message)
    return bool(_RATING.match(clean)) or clean.startswith("评价")


def rate(turn: Turn) -> Reply | None:
    """Rates the named ticket, or the consumer's latest closed ticket not rated yet.

    ``None`` when there is nothing to rate and the message may be a question
    ("不满意商家的处理怎么办").
    """
    number = ticket_number(turn.text)
    clean = _without_number(turn.text)
    found = _RATING.match(clean)
    query = select(Ticket).where(Ticket.openid == turn.message.source,
                                 Ticket.status == Status.CLOSED.value)
    if number:
        query = query.where(Ticket.number == number)
    else:
        query = query.where(Ticket.rating.is_(None)).order_by(Ticket.closed_at.desc())
    ticket = turn.session.scalars(query.limit(1)).first()
    if ticket is None:
        bare = clean.startswith("评价") or (found and len(clean) <= found.end() + 1)
        return Reply(text=text("rating_none")) if bare else None
    if not found:
        return Reply(text=text("rating_which", example=ticket.number))
    rating = "满意" if found.group(1) == "非常满意" else found.group(1)
    comment = clean[found.end():].strip(" ，,。:：")
    ticket.rating = rating
    ticket.rating_comment = comment[:MAX_COMMENT] or None
    bureau = turn.session.scalars(select(Bureau.name).where(
        Bureau.code == ticket.bureau_code)).one_or_none() or ""
    return Reply(text=text("rating_thanks", kind=ticket.kind, number=ticket.number,
                           rating=rating, bureau=bureau))
