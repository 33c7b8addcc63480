"""Command-line interface: ``flask db …``, ``flask wechat push-menu``, ``flask journal
replay`` and ``flask chat``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from wechatpy.exceptions import WeChatClientException

from bot import migrate, protocol
from bot.db import get_db, utcnow
from bot.models import UnansweredQuestion
from bot.simulator.client import Reply

MENU_FILE = Path(__file__).parent / "data" / "menu.json"

db_cli = AppGroup("db", help="Database migrations (Alembic).")
wechat_cli = AppGroup("wechat", help="Calls to the WeChat API.")
journal_cli = AppGroup("journal", help="The inbound message journal.")
outbox_cli = AppGroup("outbox", help="Messages waiting to be pushed to consumers.")
forms_cli = AppGroup("forms", help="Complaint and report forms in progress.")


@forms_cli.command("expire")
def forms_expire() -> None:
    """Drops forms idle for 24 hours and tells their consumers (run it hourly from cron)."""
    from bot.dialog.form import expire_forms

    with get_db().transaction() as session:
        dropped = expire_forms(session, utcnow())
    click.echo(f"dropped {dropped} form(s) idle for 24 hours")


@outbox_cli.command("run")
def outbox_run() -> None:
    """Sends the pending messages that are due (run it every minute, e.g. from cron)."""
    from bot.outbound import drain
    from bot.wechat_api import client_for

    outcome = drain(get_db(), client_for(current_app),
                    template_id=current_app.config["WECHAT_TEMPLATE_ID"])
    click.echo(", ".join(f"{state} {count}" for state, count in sorted(outcome.items()))
               or "nothing due")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Applies migrations up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Reverts migrations down to REVISION (e.g. base)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("check")
def db_check() -> None:
    """Fails when the models and the migrations disagree."""
    migrate.check(current_app.config["DATABASE_URL"])
    click.echo("models and migrations agree")


@wechat_cli.command("push-menu")
@click.option("--file", "menu_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=MENU_FILE, show_default=True)
def push_menu(menu_file: Path) -> None:
    """Creates the custom menu of the official account from MENU_FILE."""
    from bot.wechat_api import client_for

    menu = json.loads(menu_file.read_text(encoding="utf-8"))
    try:
        result = client_for(current_app).call(lambda client: client.menu.create(menu))
    except (WeChatClientException, OSError, RuntimeError) as exc:
        raise click.ClickException(f"menu not created: {exc}") from None
    click.echo(f"menu created ({len(menu['button'])} top-level buttons): {result}")


@journal_cli.command("replay")
def journal_replay() -> None:
    """Handles messages spooled during a database outage, and journal entries that failed
    or were abandoned by a worker that died."""
    inbound = current_app.extensions["inbound"]
    replayed = 0
    for path in inbound.spool.pending():
        xml = path.read_text(encoding="utf-8")
        try:
            message = protocol.parse(xml)
        except protocol.Refused as refusal:
            click.echo(f"{path.name}: unreadable ({refusal.reason}), kept for inspection")
            continue
        inbound.respond(message, xml)
        path.unlink()
        replayed += 1
    for entry in inbound.journal.unfinished():
        inbound.respond(protocol.parse(entry.raw_xml), entry.raw_xml)
        replayed += 1
    click.echo(f"replayed {replayed} message(s)")


@journal_cli.command("unanswered")
@click.option("--limit", default=50, show_default=True)
@click.option("--mark-reviewed", is_flag=True, help="Mark the listed questions as reviewed.")
def journal_unanswered(limit: int, mark_reviewed: bool) -> None:
    """Lists questions the FAQ could not answer (newest first) for staff to review."""
    with get_db().transaction() as session:
        questions = list(session.scalars(
            select(UnansweredQuestion).where(UnansweredQuestion.reviewed.is_(False))
            .order_by(UnansweredQuestion.asked_at.desc()).limit(limit)))
        for question in questions:
            click.echo(f"{question.asked_at:%Y-%m-%d %H:%M}  {question.score:.2f}  "
                       f"{question.best_candidate or '-':28s}  {question.text}")
            if mark_reviewed:
                question.reviewed = True
    click.echo(f"{len(questions)} unreviewed question(s) listed")


@click.command("chat")
@click.option("--openid", default="o_terminal_user", show_default=True)
@with_appcontext
def chat(openid: str) -> None:
    """Chats with the bot in the terminal, through the real webhook (signed XML).

    Type a message and press Enter. /follow, /unfollow, /click KEY, /location LAT LON
    [LABEL] send events and locations; /quit ends.
    """
    from bot.simulator.client import sender_for

    sender = sender_for(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Chatting as {openid} ({'safe mode' if sender.encrypt else 'plain mode'}). "
               "/quit to end.")
    while True:
        try:
            line = input("你> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            continue
        if line == "/quit":
            break
        command, _, rest = line.partition(" ")
        if command == "/follow":
            reply = sender.event(openid, "subscribe")
        elif command == "/unfollow":
            reply = sender.event(openid, "unsubscribe")
        elif command == "/click":
            reply = sender.event(openid, "CLICK", rest.strip())
        elif command == "/location":
            lat, lon, *label = rest.split()
            reply = sender.location(openid, float(lat), float(lon), " ".join(label))
        else:
            reply = sender.text(openid, line)
        _print_reply(reply)


def _print_reply(reply: Reply) -> None:
    if reply.kind == "text":
        click.echo("公众号> " + reply.text.replace("\n", "\n        "))
    elif reply.kind == "news":
        for article in reply.articles:
            click.echo(f"公众号> [图文] {article['title']} {article['url']}")
    elif reply.kind == "image":
        click.echo(f"公众号> [图片 {reply.media_id}]")
    elif reply.kind == "none":
        click.echo("公众号> (no reply)")
    else:
        click.echo(f"公众号> [{reply.status} {reply.kind}] {reply.text}")


def init_app(app: Flask) -> None:
    for group in (db_cli, wechat_cli, journal_cli, outbox_cli, forms_cli):
        app.cli.add_command(group)
    app.cli.add_command(chat)
