"""Free-text questions: intent first, then an FAQ answer, a "did you mean" with numbered
choices, or an honest fallback that keeps the question for staff."""

from __future__ import annotations

from bot.dialog import form, rating, withdraw
from bot.dialog.engine import State, Turn
from bot.dialog.progress import progress
from bot.dialog.replies import Reply
from bot.models import UnansweredQuestion
from bot.texts import text
from knowledge import faq
from knowledge.intents import Intent, understand
from knowledge.matcher import Level

MAX_REPLY_BYTES = 2000  # WeChat cuts longer text replies
MAX_CHOICES = 3


def answer_question(turn: Turn) -> Reply:
    """Understands a question and answers it, or routes a wish to its flow."""
    if turn.text.strip().startswith("撤回"):
        return withdraw.ask(turn)
    if rating.is_rating(turn.text) and (rated := rating.rate(turn)):
        return rated
    understood = understand(turn.text)
    intent = understood.intent
    if intent is Intent.PROGRESS:
        return progress(turn)
    if intent is Intent.COMPLAINT:
        return form.start_complaint(turn)
    if intent is Intent.REPORT:
        return form.start_report(turn)
    if intent is Intent.GREETING:
        return Reply(text=text("greeting"))
    match = understood.match
    if intent is Intent.FAQ and match.level is Level.HIGH and match.best:
        return answer(turn, match.best.entry_id)
    if intent is Intent.FAQ and match.level is Level.MEDIUM:
        ids = [c.entry_id for c in match.candidates[:MAX_CHOICES]]
        turn.move_to(State.CHOOSING, options=ids)
        return Reply(text=text("did_you_mean", choices=_numbered(ids)))
    turn.session.add(UnansweredQuestion(
        openid=turn.message.source, text=turn.text[:2000],
        best_candidate=match.best.entry_id if match.best else None, score=match.confidence))
    turn.leave_choices()
    return Reply(text=text("question_not_understood", text=turn.text[:200]))


def answer(turn: Turn, entry_id: str) -> Reply:
    """The entry's answer, followed by its related questions as numbered choices that fit."""
    entry = faq.by_id()[entry_id]
    reply = text("faq_answer", answer=entry.answer)
    related = [r for r in entry.related if r in faq.by_id()][:MAX_CHOICES]
    while related:
        with_related = reply + "\n\n" + text("faq_related", choices=_numbered(related))
        if len(with_related.encode("utf-8")) <= MAX_REPLY_BYTES:
            turn.move_to(State.CHOOSING, options=related)
            return Reply(text=with_related)
        related.pop()
    turn.leave_choices()
    return Reply(text=reply)


def choose(turn: Turn) -> Reply:
    """A number picks one of the offered questions; anything else is a new question."""
    options: list[str] = list(turn.data.get("options", []))
    choice = turn.text.strip().rstrip(".。、")
    if choice.isdigit():
        number = int(choice)
        if 1 <= number <= len(options):
            return answer(turn, options[number - 1])
        return Reply(text=text("choice_out_of_range", count=len(options)))
    turn.leave_choices()
    return answer_question(turn)


def _numbered(ids: list[str]) -> str:
    entries = faq.by_id()
    return "\n".join(text("choice_line", number=n, question=entries[i].question)
                     for n, i in enumerate(ids, start=1))
