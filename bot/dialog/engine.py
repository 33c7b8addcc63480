"""The dialog engine: loads a user's state, picks the handler from the table, saves.

The table itself lives in ``bot.dialog.table``; handlers are plain functions of a
``Turn`` that return a ``Reply`` and may move the conversation to another state.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wechatpy.messages import BaseMessage

from bot.dialog.replies import Reply
from bot.models import Conversation


class State(enum.StrEnum):
    """Stable names stored in ``conversation.state``; never renumber or reuse."""

    IDLE = "idle"
    CONSULT = "consult"
    CHOOSING = "choosing"  # numbered FAQ choices are on screen
    CONFIRM_WITHDRAW = "confirm_withdraw"  # 撤回 asked, waiting for 确认
    FORM = "form"  # a complaint or report form; its step is in data["form"]


# Messages that are not the user talking to us: they neither count as a turn nor open
# the customer-service window.
PASSIVE_EVENTS = frozenset({"templatesendjobfinish", "location", "unsubscribe", "view"})


@dataclass
class Turn:
    """One inbound message in the context of its sender's conversation."""

    session: Session
    conversation: Conversation
    message: BaseMessage
    now: dt.datetime

    @property
    def kind(self) -> str:
        """``text`` (typed or recognised speech), ``event``, or the WeChat message type."""
        if self.message.type == "voice" and self.recognition:
            return "text"
        return self.message.type

    @property
    def recognition(self) -> str:
        return (getattr(self.message, "recognition", None) or "").strip()

    @property
    def text(self) -> str:
        if self.message.type == "text":
            return (self.message.content or "").strip()
        return self.recognition

    @property
    def event(self) -> str:
        return (getattr(self.message, "event", "") or "").lower()

    @property
    def event_key(self) -> str:
        return str(getattr(self.message, "key", "") or "")

    @property
    def state(self) -> State:
        try:
            return State(self.conversation.state)
        except ValueError:
            return State.IDLE  # a state from a removed flow: start over rather than crash

    @property
    def data(self) -> Mapping[str, Any]:
        return self.conversation.data or {}

    def move_to(self, state: State, **data: Any) -> None:
        """Enters ``state`` with fresh flow data (the JSON column needs a new dict)."""
        enter(self.conversation, state, **data)

    def leave_choices(self) -> None:
        """Numbered choices no longer on screen must not catch the next number."""
        if self.state is State.CHOOSING:
            self.move_to(State.IDLE)

    def remember(self, **values: Any) -> None:
        """Stores values that outlive any flow (keys starting with an underscore)."""
        self.conversation.data = {**self.data, **{f"_{k}": v for k, v in values.items()}}


def enter(conversation: Conversation, state: State, **data: Any) -> None:
    """Moves a conversation to ``state`` with fresh flow data, keeping the values that
    outlive any flow (keys starting with an underscore)."""
    conversation.state = state.value
    keep = {k: v for k, v in (conversation.data or {}).items() if k.startswith("_")}
    conversation.data = {**keep, **data}


Handler = Callable[[Turn], Reply]


@dataclass(frozen=True)
class StateSpec:
    """How one state treats each kind of message; ``None`` means the table's default."""

    text: Handler
    location: Handler | None = None
    media: Handler | None = None


@dataclass(frozen=True)
class DialogTable:
    states: Mapping[State, StateSpec]
    commands: Mapping[str, Handler]  # whole-message words that work in every state
    events: Mapping[str, Handler]
    default_location: Handler
    default_media: Handler
    unknown: Handler

    def handler_for(self, turn: Turn) -> Handler:
        if turn.kind == "event":
            return self.events.get(turn.event, self.unknown)
        spec = self.states[turn.state]
        if turn.kind == "text":
            return self.commands.get(_command_word(turn.text), spec.text)
        if turn.kind == "location":
            return spec.location or self.default_location
        if turn.kind in {"image", "voice", "video", "shortvideo", "link"}:
            return spec.media or self.default_media
        return self.unknown


def _command_word(text: str) -> str:
    return text.strip().strip("。.!！?？ ").lower()


def load_conversation(session: Session, openid: str) -> Conversation:
    """The sender's conversation, locked for this transaction, created on first contact."""
    conversation = session.get(Conversation, openid, with_for_update=True)
    if conversation is not None:
        return conversation
    try:
        with session.begin_nested():
            session.add(Conversation(openid=openid, state=State.IDLE.value, data={}))
    except IntegrityError:
        pass  # another worker created it between our read and insert
    conversation = session.get(Conversation, openid, with_for_update=True, populate_existing=True)
    assert conversation is not None
    return conversation


def dispatch(table: DialogTable, session: Session, message: BaseMessage,
             now: dt.datetime) -> Reply:
    conversation = load_conversation(session, message.source)
    turn = Turn(session=session, conversation=conversation, message=message, now=now)
    if not (turn.kind == "event" and turn.event in PASSIVE_EVENTS):
        conversation.turns += 1
        conversation.last_interaction_at = now
    return table.handler_for(turn)(turn)
