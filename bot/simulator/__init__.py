"""``/simulator``: a phone-sized WeChat chat that talks to ``/wechat`` like WeChat does.

Enabled by default in development (``SIMULATOR_ENABLED``). The page posts JSON here; this
view builds the real XML, signs it (and encrypts it when an AES key is configured), sends
it through the webhook and returns the decoded reply together with both XML documents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from bot.simulator.client import message_xml, new_msg_id, sender_for

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
MENU_FILE = Path(__file__).resolve().parents[1] / "data" / "menu.json"

# Which request fields each message type carries (besides MsgId for non-events).
FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("Content",),
    "image": ("PicUrl", "MediaId"),
    "voice": ("MediaId", "Format", "Recognition"),
    "video": ("MediaId", "ThumbMediaId"),
    "shortvideo": ("MediaId", "ThumbMediaId"),
    "location": ("Location_X", "Location_Y", "Scale", "Label"),
    "link": ("Title", "Description", "Url"),
    "event": ("Event", "EventKey", "Latitude", "Longitude", "Precision", "Status"),
}


@bp.get("")
def page() -> str:
    menu = json.loads(MENU_FILE.read_text(encoding="utf-8"))
    return render_template("simulator.html", menu=menu,
                           encrypted=bool(current_app.config["WECHAT_AES_KEY"]))


@bp.post("/api/send")
def send() -> Response | tuple[Response, int]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="a JSON object is required"), 400
    msg_type = str(payload.get("type", ""))
    openid = str(payload.get("openid", "")).strip()[:64]
    if msg_type not in FIELDS or not openid:
        return jsonify(error="type and openid are required"), 400
    fields: dict[str, Any] = {}
    for name in FIELDS[msg_type]:
        value = payload.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue  # absent, or not something WeChat could send in that field
        if value != "":
            fields[name] = value
    if msg_type != "event":
        fields["MsgId"] = new_msg_id()
    sender = sender_for(current_app)
    xml = message_xml(sender.account, openid, msg_type, fields)
    reply = sender.post(xml)
    return jsonify(status=reply.status, kind=reply.kind, text=reply.text,
                   articles=reply.articles, media_id=reply.media_id,
                   request_xml=xml, reply_xml=reply.raw, encrypted=sender.encrypt)
