"""One inbound message from journal to reply: the exactly-once, lose-nothing path."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from wechatpy.messages import BaseMessage

from bot import dialog, protocol
from bot.db import Database, utcnow
from bot.journal import Journal
from bot.spool import Spool
from bot.texts import text

log = logging.getLogger(__name__)


def render_reply(message: BaseMessage, reply: dialog.Reply) -> str:
    if reply.empty:
        return ""
    if reply.articles:
        articles = [{"title": a.title, "description": a.description, "url": a.url,
                     "image": a.image} for a in reply.articles]
        return protocol.render(protocol.news_reply(message, articles))
    if reply.media_id:
        return protocol.render(protocol.image_reply(message, reply.media_id))
    return protocol.render(protocol.text_reply(message, reply.text or ""))


@dataclass
class Inbound:
    db: Database
    journal: Journal
    spool: Spool

    def respond(self, message: BaseMessage, raw_xml: str, now: dt.datetime | None = None) -> str:
        """The plaintext reply XML for ``message`` ("" for none), handled at most once."""
        now = now or utcnow()
        try:
            claim = self.journal.claim(message, raw_xml)
        except DBAPIError as exc:
            self.spool.put(raw_xml)
            log.error("database unavailable, message from %s spooled: %s", message.source, exc)
            return render_reply(message, dialog.Reply(text=text("system_busy")))
        if not claim.owner:
            return claim.reply_xml or ""
        try:
            with self.db.transaction() as session:
                reply_xml = render_reply(message, dialog.handle(session, message, now))
                self.journal.mark_handled(session, claim, reply_xml)
        except Exception as exc:
            log.exception("handling message %s failed", claim.key)
            try:
                self.journal.fail(claim, f"{type(exc).__name__}: {exc}")
            except DBAPIError:
                log.error("could not mark %s failed; it stays claimed and will be retried",
                          claim.key)
            return render_reply(message, dialog.Reply(text=text("system_busy")))
        self.journal.publish(claim, reply_xml)
        return reply_xml
