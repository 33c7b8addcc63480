"""查询: a consumer's own tickets, or one of them by number."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog.engine import Turn
from bot.dialog.replies import Reply
from bot.texts import text
from complaints import tickets
from complaints.deadlines import local_date
from complaints.models import Bureau, Ticket
from complaints.workflow import Status
from knowledge.intents import ticket_number

RECENT = 5
# What the deadline of each open status is for.
DUE_LABELS = {Status.PENDING: "受理期限", Status.ACCEPTED: "调解期限",
              Status.MEDIATING: "调解期限", Status.CHECKING: "核查期限"}


def progress(turn: Turn) -> Reply:
    """Lists the sender's recent tickets, or shows the one whose number the message gives."""
    turn.leave_choices()
    number = ticket_number(turn.text)
    if number:
        ticket = tickets.find_for_consumer(turn.session, turn.message.source, number)
        if ticket is None:
            return Reply(text=text("progress_not_found", number=number))
        return Reply(text=_detail(turn, ticket))
    own = turn.session.scalars(tickets.tickets_of(turn.message.source).limit(RECENT)).all()
    if not own:
        return Reply(text=text("progress_none"))
    lines = "\n".join(text("progress_line", number=t.number, kind=t.kind, status=t.status,
                           due=_due(t)) for t in own)
    return Reply(text=text("progress_list", lines=lines, example=own[0].number))


def _due(ticket: Ticket) -> str:
    label = DUE_LABELS.get(Status(ticket.status))
    if not label or ticket.due_on is None:
        return ""
    return text("progress_due", label=label, date=f"{ticket.due_on:%Y年%m月%d日}")


def _detail(turn: Turn, ticket: Ticket) -> str:
    bureau = turn.session.scalars(select(Bureau.name).where(
        Bureau.code == ticket.bureau_code)).one_or_none() or ticket.bureau_code
    received = local_date(ticket.received_at)
    invite = ""
    if ticket.status == Status.CLOSED and ticket.rating is None:
        invite = "\n\n" + text("rating_invite")
    return text("progress_detail", number=ticket.number, kind=ticket.kind,
                business=ticket.business_name, bureau=bureau, status=ticket.status,
                due=_due(ticket), received=f"{received:%Y年%m月%d日}") + invite
