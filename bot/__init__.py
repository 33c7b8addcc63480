"""The WeChat side of the service and the app factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from bot import db
from bot.config import load_config
from bot.inbound import Inbound
from bot.journal import Journal
from bot.reply_cache import RedisReplyCache
from bot.spool import Spool
from complaints import cli as complaints_cli
from knowledge import cli as knowledge_cli


def create_app(overrides: Mapping[str, Any] | None = None,
               env: Mapping[str, str] | None = None) -> Flask:
    """Builds the app from the environment; tests pass ``overrides`` on top of it."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path, env))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # noise on import

    database = db.init_app(app)
    cache = RedisReplyCache.from_url(app.config["REDIS_URL"]) if app.config["REDIS_URL"] else None
    spool = Spool(app.config.get("SPOOL_DIR") or Path(app.instance_path) / "spool")
    app.extensions["inbound"] = Inbound(db=database, journal=Journal(database, cache),
                                        spool=spool)

    from bot import cli, simulator, webhook
    from knowledge.matcher import default_matcher

    default_matcher()  # jieba and the FAQ index load once per process, at start-up

    app.register_blueprint(webhook.bp)
    if app.config["SIMULATOR_ENABLED"]:
        app.register_blueprint(simulator.bp)
    cli.init_app(app)
    knowledge_cli.init_app(app)
    complaints_cli.init_app(app)
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    """Short plain-text answers: no stack trace or framework page ever reaches a caller."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return Response(f"{error.code} {error.name}", status=error.code or 500,
                        mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return Response("500 Internal Server Error", status=500, mimetype="text/plain")
