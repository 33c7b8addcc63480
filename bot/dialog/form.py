"""The complaint and report forms in the chat: asks the steps ``complaints.intake``
declares, keeps what the consumer already entered through every detour, and opens the
ticket on 确认.

Detours that keep the form: a wrong answer (re-asked with a hint), an FAQ question (answered,
then the form resumes), images and voice (attached as evidence), a location (the business's
place), 菜单/查询 (shown, then the form resumes), 30 minutes of silence (asked whether to
continue). Only 取消, a business outside Fujian, or 24 hours of silence end it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.engine import State, Turn, enter
from bot.dialog.progress import progress
from bot.dialog.replies import Reply
from bot.models import Conversation
from bot.texts import text
from complaints import intake, routing
from complaints.models import OutboxMessage
from complaints.workflow import Kind
from knowledge import faq
from knowledge.intents import Intent, patterns, ticket_number, understand
from knowledge.matcher import Level
from knowledge.normalize import normalize

ASK_TO_RESUME_AFTER = dt.timedelta(minutes=30)
DROP_AFTER = dt.timedelta(hours=24)
CONFIRM_WORDS = {"确认", "确定", "提交", "确认提交", "是", "是的", "对", "没问题", "ok"}
CONTINUE_WORDS = {"继续", "是", "是的", "好", "好的", "继续填写", "继续投诉", "继续举报"}
RESTART_WORDS = {"重新开始", "重新填写", "重来", "从头开始"}
_EDIT = re.compile(r"^(?:修改|更改|改)\s*第?\s*(\d+)")
# Steps whose answers are short and structured: a question there is never the answer.
_FREE_TEXT_STEPS = {"business", "place", "story", "evidence_done"}


def start_complaint(turn: Turn) -> Reply:
    return _start(turn, Kind.COMPLAINT)


def start_report(turn: Turn) -> Reply:
    return _start(turn, Kind.REPORT)


def in_progress(turn: Turn) -> Reply:
    form = _form(turn)
    if (stale := _stale(turn, form)) is not None:
        return stale
    return Reply(text=text("form_in_progress", kind=form["kind"], prompt=_prompt(form)))


def _start(turn: Turn, kind: Kind) -> Reply:
    if turn.state is State.FORM:
        return in_progress(turn)
    try:
        form = intake.start(kind, turn.text if turn.kind == "text" else "")
    except intake.OutOfProvince as out:
        return _out_of_province(turn, out)
    _save(turn, form)
    intro = text("form_start_complaint" if kind is Kind.COMPLAINT else "form_start_report")
    parts = [intro]
    if form["fields"]:
        lines = [f"{s.label}：{_short(intake.shown_value(form, s.key))}"
                 for s in intake.steps(form) if s.filled(form["fields"])]
        parts.append(text("form_prefilled", lines="\n".join(lines)))
    parts.append(_prompt(form))
    return Reply(text="\n\n".join(parts))


def on_text(turn: Turn) -> Reply:
    form = _form(turn)
    if (stale := _stale(turn, form)) is not None:
        return stale
    step = form["step"]
    if turn.message.type == "voice" and step == "evidence_done":
        return on_media(turn)
    clean = normalize(turn.text)
    if patterns().progress_command.search(clean) or ticket_number(clean):
        return during_form(turn, progress(turn))  # 查询 mid-form: shown, then the form
    if step == "resume":
        return _resume(turn, form)
    if step == "summary":
        return _at_summary(turn, form)
    finishing = step == "evidence_done" and intake.ends_evidence(turn.text)
    if step in _FREE_TEXT_STEPS and not finishing and (aside := _aside(turn.text)):
        _save(turn, form)
        return _then_continue(form, aside)
    try:
        intake.answer(form, turn.text)
    except intake.Invalid as invalid:
        _save(turn, form)
        return Reply(text=text(invalid.key, **invalid.values) + "\n\n" + _prompt(form))
    except intake.PlaceUnknown:
        pass  # the form now asks for the city
    except intake.OutOfProvince as out:
        return _out_of_province(turn, out)
    _save(turn, form)
    return Reply(text=_prompt(form))


def on_location(turn: Turn) -> Reply:
    """A location is where the business is: it answers (or corrects) the place."""
    form = _form(turn)
    if (stale := _stale(turn, form)) is not None:
        return stale
    lat, lon = (float(v) for v in turn.message.location)
    try:
        values = intake.place_from_location(lat, lon, turn.message.label or "")
    except intake.OutOfProvince as out:
        return _out_of_province(turn, out)
    form["fields"].update(values)
    if form["step"] in {"place", "city"}:
        intake.advance(form)
    _save(turn, form)
    saved = text("form_location_saved", place=values["place"], bureau=intake.bureau_name(form))
    return Reply(text=saved + "\n\n" + _prompt(form))


def on_media(turn: Turn) -> Reply:
    """Images, voice and video sent during the form are the ticket's evidence."""
    form = _form(turn)
    if (stale := _stale(turn, form)) is not None:
        return stale
    message = turn.message
    if message.type == "link":
        _save(turn, form)
        return Reply(text=text("form_evidence_link") + "\n\n" + _prompt(form))
    item = {"type": message.type, "media_id": getattr(message, "media_id", None),
            "url": getattr(message, "image", None), "msg_id": str(message.id),
            "at": turn.now.isoformat()}
    if intake.attach(form, item):
        reply = text("form_evidence_received", count=len(form["evidence"]))
    else:
        reply = text("form_evidence_full", max=intake.MAX_EVIDENCE)
    _save(turn, form)
    follow = text("form_evidence_more") if form["step"] == "evidence_done" else _prompt(form)
    return Reply(text=reply + "\n\n" + follow)


def during_form(turn: Turn, reply: Reply) -> Reply:
    """Another feature's reply (菜单, 查询, 质量月) shown mid-form, with the way back."""
    form = _form(turn)
    _save(turn, form)
    return _then_continue(form, reply.text or "")


def expire_forms(session: Session, now: dt.datetime) -> int:
    """Drops forms idle for 24 hours and queues a notice to each consumer (the 48-hour
    customer-service window is still open then). Run by ``flask forms expire``."""
    dropped = 0
    waiting = session.scalars(select(Conversation).where(Conversation.state == State.FORM.value)
                              .with_for_update())
    for conversation in waiting:
        form = (conversation.data or {}).get("form") or {}
        if _idle(form, now) < DROP_AFTER:
            continue
        enter(conversation, State.IDLE)
        session.add(OutboxMessage(openid=conversation.openid, next_attempt_at=now,
                                  created_at=now,
                                  text=text("form_expired", kind=form.get("kind", "投诉"))))
        dropped += 1
    return dropped


def cancel(turn: Turn) -> Reply:
    kind = _form(turn)["kind"]
    turn.move_to(State.IDLE)
    return Reply(text=text("form_cancelled", kind=kind))


# --- the parts -----------------------------------------------------------------------------

def _form(turn: Turn) -> dict[str, Any]:
    # A copy: the JSON column only notices a new value, not changes inside the old one.
    stored = turn.data.get("form")
    if not isinstance(stored, dict) or stored.get("kind") not in set(Kind):
        return intake.start(Kind.COMPLAINT)  # unreadable state: start over, never crash
    return copy.deepcopy(stored)


def _save(turn: Turn, form: dict[str, Any]) -> None:
    form["touched"] = turn.now.isoformat()
    turn.move_to(State.FORM, form=form)


def _stale(turn: Turn, form: dict[str, Any]) -> Reply | None:
    """After 24 hours the form is dropped; after 30 minutes the consumer is asked first."""
    idle = _idle(form, turn.now)
    if idle >= DROP_AFTER:
        turn.move_to(State.IDLE)
        return Reply(text=text("form_expired", kind=form["kind"]))
    if idle >= ASK_TO_RESUME_AFTER and form["step"] != "resume":
        form["resume_step"] = form["step"]
        form["step"] = "resume"
        _save(turn, form)
        return Reply(text=text("form_resume_question", kind=form["kind"],
                               filled=_filled(form)))
    return None


def _out_of_province(turn: Turn, out: intake.OutOfProvince) -> Reply:
    turn.move_to(State.IDLE)
    return Reply(text=text("form_out_of_province", place=_short(str(out))))


def _idle(form: dict[str, Any], now: dt.datetime) -> dt.timedelta:
    touched = form.get("touched")
    return now - dt.datetime.fromisoformat(touched) if touched else dt.timedelta(0)


def _resume(turn: Turn, form: dict[str, Any]) -> Reply:
    answer = _word(turn.text)
    if answer in CONTINUE_WORDS:
        form["step"] = form.pop("resume_step", None) or intake.next_step(form)
        _save(turn, form)
        return Reply(text=_prompt(form))
    if answer in RESTART_WORDS:
        restarted = intake.start(Kind(form["kind"]))
        _save(turn, restarted)
        return Reply(text=_prompt(restarted))
    if aside := _aside(turn.text):
        _save(turn, form)
        return Reply(text=aside + "\n\n" + text("form_resume_unclear", kind=form["kind"]))
    return Reply(text=text("form_resume_unclear", kind=form["kind"]))


def _at_summary(turn: Turn, form: dict[str, Any]) -> Reply:
    answer = _word(turn.text)
    if answer in CONFIRM_WORDS:
        return _submit(turn, form)
    if edit := _EDIT.match(answer):
        try:
            intake.edit(form, int(edit.group(1)))
        except intake.Invalid as invalid:
            return Reply(text=text(invalid.key, **invalid.values))
        _save(turn, form)
        return Reply(text=_prompt(form))
    if form["kind"] == Kind.COMPLAINT and answer in {"同时举报", "也要举报", "一并举报"}:
        form["also_report"] = True
        _save(turn, form)
        return Reply(text=_prompt(form))
    if form["kind"] == Kind.COMPLAINT and answer in {"不举报", "不用举报", "取消举报"}:
        form["also_report"] = False
        _save(turn, form)
        return Reply(text=_prompt(form))
    if aside := _aside(turn.text):
        return _then_continue(form, aside)
    return Reply(text=text("form_confirm_unclear"))


def _submit(turn: Turn, form: dict[str, Any]) -> Reply:
    if intake.next_step(form) != "summary":  # cannot happen through the dialog; be safe
        form["step"] = intake.next_step(form)
        _save(turn, form)
        return Reply(text=_prompt(form))
    opened = intake.submit(turn.session, form, turn.message.source, turn.now)
    turn.move_to(State.IDLE)
    first = opened[0]
    bureau = intake.bureau_name(form)
    due = f"{first.due_on:%Y年%m月%d日}" if first.due_on else ""
    if first.kind == Kind.COMPLAINT:
        reply = text("form_submitted_complaint", number=first.number, bureau=bureau, due=due)
    else:
        identity = text("form_report_anonymous" if first.anonymous else "form_report_named")
        reply = text("form_submitted_report", number=first.number, bureau=bureau, due=due,
                     identity=identity)
    for linked in opened[1:]:
        reply += text("form_submitted_linked", number=linked.number,
                      due=f"{linked.due_on:%Y年%m月%d日}" if linked.due_on else "")
    return Reply(text=reply)


def _prompt(form: dict[str, Any]) -> str:
    """What the consumer is asked now: the current step, the city choice or the summary."""
    step = form["step"]
    if step == "summary":
        return _summary(form)
    if step == "resume":
        return text("form_resume_unclear", kind=form["kind"])
    if step == "city":
        cities = "\n".join(text("form_city_line", number=n, name=routing.division_label(b.code))
                           for n, b in enumerate(routing.city_choices(), start=1))
        return text("form_ask_city", place=_short(form["fields"].get("place", "")),
                    choices=cities)
    key = intake.step(form, step).prompt
    if key == "form_ask_demands":
        return text(key, choices="\n".join(
            text("form_demand_line", number=n, name=name)
            for n, (name, _) in enumerate(intake.demand_words(), start=1)))
    return text(key, max=intake.MAX_EVIDENCE)


def _summary(form: dict[str, Any]) -> str:
    lines = "\n".join(text("form_summary_line", number=n, label=label, value=_short(value, 120))
                      for n, label, value in intake.summary_lines(form))
    also = ""
    if form["kind"] == Kind.COMPLAINT:
        also = "\n" + text("form_summary_also_report" if form.get("also_report")
                           else "form_summary_offer_report")
    return text("form_summary", kind=form["kind"], lines=lines,
                bureau=intake.bureau_name(form), also=also)


def _filled(form: dict[str, Any]) -> str:
    shown = [f"{label} {_short(value, 20)}" for _, label, value in intake.summary_lines(form)
             if value and value != "无"]
    return "；".join(shown) or "无"


def _then_continue(form: dict[str, Any], reply: str) -> Reply:
    return Reply(text=text("form_then_continue", reply=reply, kind=form["kind"],
                           prompt=_prompt(form)))


def _aside(message: str) -> str | None:
    """A reply to a message that is not an answer to the form: a greeting, or plainly a
    question the FAQ knows well (answered; the form then resumes)."""
    rules, clean = patterns(), normalize(message)
    asks = bool(rules.question.search(clean))
    if not asks and not rules.greeting.search(clean):
        return None  # a plain answer: no need to ask the matcher
    understood = understand(message)
    if understood.intent is Intent.GREETING:
        return text("form_greeting")
    best = understood.match.best
    if understood.intent is Intent.FAQ and understood.match.level is Level.HIGH and best and asks:
        return faq.by_id()[best.entry_id].answer
    return None


def _word(message: str) -> str:
    return message.strip().strip("。.!！~～ ").lower()


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"
