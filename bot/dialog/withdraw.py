"""撤回 FJ…: a consumer withdraws one of her open complaints, after confirming."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog.engine import State, Turn
from bot.dialog.replies import Reply
from bot.texts import text
from complaints import tickets
from complaints.models import Ticket
from complaints.workflow import Kind, Status, allowed
from knowledge.intents import ticket_number

CONFIRM_WORDS = {"确认", "确定", "是", "是的", "对", "确认撤回"}


def _actor(turn: Turn) -> str:
    return f"consumer:{turn.message.source}"


def _withdrawable(ticket: Ticket) -> bool:
    return ticket.kind == Kind.COMPLAINT and any(
        t.target is Status.WITHDRAWN
        for t in allowed(Kind(ticket.kind), Status(ticket.status), by_consumer=True))


def ask(turn: Turn) -> Reply:
    """Finds the consumer's ticket and asks her to confirm."""
    number = ticket_number(turn.text)
    if not number:
        return Reply(text=text("withdraw_which"))
    ticket = tickets.find_for_consumer(turn.session, turn.message.source, number)
    if ticket is None:
        return Reply(text=text("progress_not_found", number=number))
    if not _withdrawable(ticket):
        return Reply(text=text("withdraw_not_open", number=number, status=ticket.status))
    turn.move_to(State.CONFIRM_WITHDRAW, number=number)
    return Reply(text=text("withdraw_confirm", number=number, business=ticket.business_name))


def confirm(turn: Turn) -> Reply:
    """确认 withdraws; anything else keeps the question open (取消 is a global command)."""
    number = str(turn.data.get("number", ""))
    if turn.text.strip().rstrip("。.!！") not in CONFIRM_WORDS:
        return Reply(text=text("withdraw_pending_answer", number=number))
    turn.move_to(State.IDLE)
    ticket = turn.session.scalars(
        select(Ticket).where(Ticket.number == number,
                             Ticket.openid == turn.message.source)
        .with_for_update()).one_or_none()
    if ticket is None:
        return Reply(text=text("progress_not_found", number=number))
    if not _withdrawable(ticket):  # staff may have moved it meanwhile
        return Reply(text=text("withdraw_not_open", number=number, status=ticket.status))
    tickets.move(turn.session, ticket, Status.WITHDRAWN, actor=_actor(turn), now=turn.now,
                 note="consumer withdrew through WeChat")
    return Reply(text=text("withdraw_done", number=number))
