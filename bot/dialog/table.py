"""The dialog, declared: which handler answers which message in which state.

Read top to bottom: global commands first, then each state's handlers, then events and
menu actions. Later flows (FAQ choices, the complaint form) add their states here.
"""

from __future__ import annotations

from bot.dialog import form, withdraw
from bot.dialog import handlers as h
from bot.dialog import questions as q
from bot.dialog.engine import DialogTable, Handler, State, StateSpec, Turn
from bot.dialog.progress import progress
from bot.dialog.replies import Reply

# Menu actions by the key of the custom-menu button (bot/data/menu.json).
MENU_ACTIONS: dict[str, Handler] = {
    "CONSULT": h.start_consult,
    "COMPLAIN": form.start_complaint,
    "REPORT": form.start_report,
    "PROGRESS": progress,
    "QUALITY_MONTH": h.quality_month,
    "MENU": h.show_menu,
}

# What a user may type instead of pressing a button (the numbers of the text menu).
MENU_WORDS: dict[str, str] = {
    "1": "CONSULT", "咨询": "CONSULT", "我要咨询": "CONSULT",
    "2": "COMPLAIN", "投诉": "COMPLAIN", "我要投诉": "COMPLAIN",
    "3": "REPORT", "举报": "REPORT", "我要举报": "REPORT",
    "4": "PROGRESS", "查询进度": "PROGRESS", "查询": "PROGRESS", "进度": "PROGRESS",
    "5": "QUALITY_MONTH", "质量月": "QUALITY_MONTH",
}


# During a form these menu actions answer and the form resumes; the others would leave it.
SHOWN_DURING_FORM = {"PROGRESS", "QUALITY_MONTH"}


def on_click(turn: Turn) -> Reply:
    action = turn.event_key if turn.event_key in MENU_ACTIONS else "MENU"
    if turn.state is State.FORM and action in SHOWN_DURING_FORM:
        return form.during_form(turn, MENU_ACTIONS[action](turn))
    if turn.state is State.FORM:  # 菜单/咨询/投诉/举报: finish or cancel the form first
        return form.in_progress(turn)
    return MENU_ACTIONS[action](turn)


def cancel(turn: Turn) -> Reply:
    return form.cancel(turn) if turn.state is State.FORM else h.cancel(turn)


def show_menu(turn: Turn) -> Reply:
    # The menu's numbers would be read as answers to the form: say how to leave it instead.
    return form.in_progress(turn) if turn.state is State.FORM else h.show_menu(turn)


def idle_text(turn: Turn) -> Reply:
    """At rest, a menu word or number runs its action; anything else is a question."""
    action = MENU_WORDS.get(turn.text.strip())
    return MENU_ACTIONS[action](turn) if action else q.answer_question(turn)


TABLE = DialogTable(
    commands={
        "取消": cancel, "退出": cancel, "放弃": cancel,
        "菜单": show_menu, "帮助": show_menu, "menu": show_menu, "help": show_menu,
    },
    states={
        State.IDLE: StateSpec(text=idle_text),
        State.CONSULT: StateSpec(text=q.answer_question),
        State.CHOOSING: StateSpec(text=q.choose),
        State.CONFIRM_WITHDRAW: StateSpec(text=withdraw.confirm),
        State.FORM: StateSpec(text=form.on_text, location=form.on_location, media=form.on_media),
    },
    events={
        "subscribe": h.welcome,
        "subscribe_scan": h.welcome,
        "unsubscribe": h.unsubscribed,
        "scan": h.welcome_back,
        "click": on_click,
        "view": h.ignore,
        "location": h.location_reported,
        "templatesendjobfinish": h.template_finished,
    },
    default_location=h.location_received,
    default_media=h.media_received,
    unknown=h.ignore,
)
