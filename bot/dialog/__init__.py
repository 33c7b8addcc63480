"""Conversation core: per-user state in the database and a table of handlers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session
from wechatpy.messages import BaseMessage

from bot.dialog.engine import State, dispatch
from bot.dialog.replies import NO_REPLY, Article, Reply
from bot.dialog.table import TABLE

__all__ = ["NO_REPLY", "Article", "Reply", "State", "handle"]


def handle(session: Session, message: BaseMessage, now: dt.datetime) -> Reply:
    """Answers one message and updates its sender's conversation (caller commits)."""
    return dispatch(TABLE, session, message, now)
