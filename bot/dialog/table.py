"""The dialog, declared: which handler answers which message in which state.

Read top to bottom: global commands first, then each state's handlers, then events and
menu actions. Later flows (FAQ choices, the complaint form) add their states here.
"""

from __future__ import annotations

from bot.dialog import handlers as h
from bot.dialog import questions as q
from bot.dialog import withdraw
from bot.dialog.engine import DialogTable, Handler, State, StateSpec, Turn
from bot.dialog.progress import progress
from bot.dialog.replies import Reply

# Menu actions by the key of the custom-menu button (bot/data/menu.json).
MENU_ACTIONS: dict[str, Handler] = {
    "CONSULT": h.start_consult,
    "COMPLAIN": h.complaint_offline,
    "REPORT": h.report_offline,
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


def on_click(turn: Turn) -> Reply:
    return MENU_ACTIONS.get(turn.event_key, h.show_menu)(turn)


def idle_text(turn: Turn) -> Reply:
    """At rest, a menu word or number runs its action; anything else is a question."""
    action = MENU_WORDS.get(turn.text.strip())
    return MENU_ACTIONS[action](turn) if action else q.answer_question(turn)


TABLE = DialogTable(
    commands={
        "取消": h.cancel, "退出": h.cancel,
        "菜单": h.show_menu, "帮助": h.show_menu, "menu": h.show_menu, "help": h.show_menu,
    },
    states={
        State.IDLE: StateSpec(text=idle_text),
        State.CONSULT: StateSpec(text=q.answer_question),
        State.CHOOSING: StateSpec(text=q.choose),
        State.CONFIRM_WITHDRAW: StateSpec(text=withdraw.confirm),
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
