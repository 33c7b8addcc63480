"""Handlers of the dialog core: menu, cancel, follow/unfollow and the media replies.

Each takes a ``Turn``, may move the conversation, and returns the ``Reply``.
"""

from __future__ import annotations

import logging

from bot.dialog.engine import State, Turn
from bot.dialog.replies import NO_REPLY, Reply
from bot.texts import text

log = logging.getLogger(__name__)


def show_menu(turn: Turn) -> Reply:
    """Shows the menu; a flow in progress stays where it was, numbered FAQ choices go
    (the menu's own numbers replace them)."""
    if turn.state is State.CHOOSING:
        turn.move_to(State.IDLE)
    return Reply(text=text("menu"))


def cancel(turn: Turn) -> Reply:
    """Leaves whatever flow the user is in."""
    if turn.state is State.IDLE:
        return Reply(text=text("nothing_to_cancel"))
    turn.move_to(State.IDLE)
    return Reply(text=text("cancelled"))


def welcome(turn: Turn) -> Reply:
    """A new follower (also by a QR code) starts fresh and sees the menu."""
    turn.conversation.subscribed = True
    turn.move_to(State.IDLE)
    return Reply(text=text("welcome"))


def welcome_back(turn: Turn) -> Reply:
    """An existing follower scanned one of our QR codes."""
    return Reply(text=text("welcome_back"))


def unsubscribed(turn: Turn) -> Reply:
    """Remembers that pushes can no longer reach this user; WeChat shows no reply."""
    turn.conversation.subscribed = False
    turn.move_to(State.IDLE)
    return NO_REPLY


def start_consult(turn: Turn) -> Reply:
    turn.move_to(State.CONSULT)
    return Reply(text=text("consult_prompt"))


def quality_month(turn: Turn) -> Reply:
    return Reply(text=text("quality_month"))


def media_received(turn: Turn) -> Reply:
    kind = turn.message.type
    if kind == "voice":
        return Reply(text=text("voice_not_recognised"))
    if kind == "link":
        title = getattr(turn.message, "title", "") or getattr(turn.message, "url", "")
        return Reply(text=text("link_received", title=title[:100]))
    if kind == "image":
        return Reply(text=text("image_received"))
    return Reply(text=text("video_received"))


def location_received(turn: Turn) -> Reply:
    lat, lon = turn.message.location
    turn.remember(location={"lat": float(lat), "lon": float(lon),
                            "label": turn.message.label or "", "at": turn.now.isoformat()})
    label = turn.message.label or f"{lat}, {lon}"
    return Reply(text=text("location_received", label=label))


def location_reported(turn: Turn) -> Reply:
    """Periodic position report (if the account enables it): kept silently."""
    message = turn.message
    turn.remember(location={"lat": float(message.latitude), "lon": float(message.longitude),
                            "label": "", "at": turn.now.isoformat()})
    return NO_REPLY


def template_finished(turn: Turn) -> Reply:
    log.info("template message %s to %s finished: %s",
             turn.message.id, turn.message.source, getattr(turn.message, "status", ""))
    return NO_REPLY


def ignore(turn: Turn) -> Reply:
    return NO_REPLY
