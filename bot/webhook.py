"""``/wechat``: URL verification and the message endpoint WeChat posts to."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from bot import protocol
from bot.inbound import Inbound
from bot.protocol import Credentials, Refused

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


def _credentials() -> Credentials:
    config = current_app.config
    return Credentials(token=config["WECHAT_TOKEN"], appid=config["WECHAT_APPID"],
                       aes_key=config["WECHAT_AES_KEY"])


def _verify_request(creds: Credentials) -> None:
    args = request.args
    protocol.verify_signature(creds.token, args.get("signature", ""),
                              args.get("timestamp", ""), args.get("nonce", ""))
    protocol.verify_clock(args.get("timestamp", ""), current_app.config["WECHAT_MAX_CLOCK_SKEW"])


def _refuse(refusal: Refused) -> Response:
    log.warning("refused %s %s from %s: %s", request.method, request.path,
                request.remote_addr, refusal.reason)
    messages = {400: "bad request", 403: "forbidden"}
    return Response(messages.get(refusal.status, "refused"), status=refusal.status,
                    mimetype="text/plain")


@bp.get("/wechat")
def verify_url() -> Response:
    """WeChat's server configuration check: echo ``echostr`` when the signature is ours."""
    try:
        _verify_request(_credentials())
    except Refused as refusal:
        return _refuse(refusal)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    creds = _credentials()
    args = request.args
    try:
        _verify_request(creds)
        body = request.get_data(cache=False)
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        if encrypted:
            plaintext = protocol.decrypt(creds, body, args.get("msg_signature", ""),
                                         args["timestamp"], args["nonce"])
        else:
            try:
                plaintext = body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused(400, "body is not UTF-8") from None
        message = protocol.parse(plaintext)
    except Refused as refusal:
        return _refuse(refusal)

    inbound: Inbound = current_app.extensions["inbound"]
    reply_xml = inbound.respond(message, plaintext)
    if not reply_xml:
        return Response("success", mimetype="text/plain")
    if encrypted:
        reply_xml = protocol.encrypt(creds, reply_xml, args["nonce"], args["timestamp"])
    return Response(reply_xml, mimetype="application/xml")
