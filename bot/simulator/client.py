"""A WeChat server stand-in: builds the XML WeChat would post, signs it, encrypts it in
safe mode, posts it to ``/wechat`` and decodes the reply.

Used by the simulator page, ``flask chat``, the tests and the benchmarks, so that all
of them exercise the real webhook exactly as WeChat does.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.protocol import sign

# (query string, body) -> (HTTP status, response body)
Transport = Callable[[str, bytes], tuple[int, bytes]]


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(account: str, openid: str, msg_type: str, fields: dict[str, Any],
                create_time: int | None = None) -> str:
    """The plaintext XML of one message or event, in WeChat's field order."""
    parts = [f"<ToUserName>{_cdata(account)}</ToUserName>",
             f"<FromUserName>{_cdata(openid)}</FromUserName>",
             f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
             f"<MsgType>{_cdata(msg_type)}</MsgType>"]
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, int | float):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}>{_cdata(str(value))}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def new_msg_id() -> int:
    return random.getrandbits(63)


@dataclass
class Reply:
    status: int
    kind: str  # text | news | image | voice | video | music | none | error
    text: str = ""
    articles: list[dict[str, str]] = field(default_factory=list)
    media_id: str = ""
    raw: str = ""


@dataclass
class WeChatSender:
    transport: Transport
    token: str
    appid: str = ""
    aes_key: str = ""
    account: str = "gh_simulator"
    encrypt: bool = False

    def text(self, openid: str, content: str, msg_id: int | None = None) -> Reply:
        return self.send(openid, "text", {"Content": content, "MsgId": msg_id or new_msg_id()})

    def event(self, openid: str, event: str, key: str | None = None, **extra: Any) -> Reply:
        return self.send(openid, "event", {"Event": event, "EventKey": key, **extra})

    def location(self, openid: str, lat: float, lon: float, label: str = "",
                 scale: int = 15) -> Reply:
        return self.send(openid, "location", {"Location_X": lat, "Location_Y": lon,
                                              "Scale": scale, "Label": label,
                                              "MsgId": new_msg_id()})

    def send(self, openid: str, msg_type: str, fields: dict[str, Any],
             create_time: int | None = None) -> Reply:
        return self.post(message_xml(self.account, openid, msg_type, fields, create_time))

    def signed_request(self, xml: str, timestamp: str | None = None,
                       nonce: str | None = None) -> tuple[str, bytes]:
        """The query string and body WeChat would send for this plaintext XML."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": _openid_of(xml)}
        if not self.encrypt:
            return urlencode(query), xml.encode("utf-8")
        crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
        encrypted = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        body = (f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
                f"<Encrypt>{_cdata(encrypted['Encrypt'])}</Encrypt></xml>")
        query.update(encrypt_type="aes", msg_signature=encrypted["MsgSignature"])
        return urlencode(query), body.encode("utf-8")

    def post(self, xml: str) -> Reply:
        query, body = self.signed_request(xml)
        status, response = self.transport(query, body)
        return self.decode(status, response)

    def decode(self, status: int, response: bytes) -> Reply:
        raw = response.decode("utf-8", "replace")
        if status != 200:
            return Reply(status=status, kind="error", text=raw, raw=raw)
        if raw in {"", "success"}:
            return Reply(status=status, kind="none", raw=raw)
        if self.encrypt:
            envelope = xmltodict.parse(raw)["xml"]
            crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
            raw = crypto.decrypt_message(raw, envelope["MsgSignature"], envelope["TimeStamp"],
                                         envelope["Nonce"])
        data = xmltodict.parse(raw)["xml"]
        kind = data.get("MsgType", "")
        if kind == "text":
            return Reply(status, kind, text=data.get("Content") or "", raw=raw)
        if kind == "news":
            items = data.get("Articles", {}).get("item", [])
            items = items if isinstance(items, list) else [items]
            articles = [{"title": i.get("Title") or "", "description": i.get("Description") or "",
                         "image": i.get("PicUrl") or "", "url": i.get("Url") or ""}
                        for i in items]
            return Reply(status, kind, articles=articles, raw=raw)
        if kind == "image":
            return Reply(status, kind, media_id=data["Image"]["MediaId"], raw=raw)
        return Reply(status, kind or "unknown", raw=raw)


def _openid_of(xml: str) -> str:
    start = xml.find("<FromUserName><![CDATA[")
    if start < 0:
        return ""
    start += len("<FromUserName><![CDATA[")
    return xml[start:xml.find("]]>", start)]


def wsgi_transport(app: Any) -> Transport:
    """Posts through the app's WSGI stack in-process (simulator, flask chat, tests)."""
    client = app.test_client()

    def post(query: str, body: bytes) -> tuple[int, bytes]:
        response = client.post("/wechat?" + query, data=body,
                               headers={"Content-Type": "text/xml"})
        return response.status_code, response.get_data()

    return post


def http_transport(base_url: str, timeout: float = 10.0) -> Transport:
    """Posts over real HTTP (benchmarks, a running server)."""
    import requests

    session = requests.Session()

    def post(query: str, body: bytes) -> tuple[int, bytes]:
        response = session.post(f"{base_url}/wechat?{query}", data=body, timeout=timeout,
                                headers={"Content-Type": "text/xml"})
        return response.status_code, response.content

    return post


def sender_for(app: Any, transport: Transport | None = None) -> WeChatSender:
    config = app.config
    return WeChatSender(transport=transport or wsgi_transport(app), token=config["WECHAT_TOKEN"],
                        appid=config["WECHAT_APPID"], aes_key=config["WECHAT_AES_KEY"],
                        encrypt=bool(config["WECHAT_AES_KEY"]))


__all__ = ["Reply", "WeChatSender", "http_transport", "message_xml", "sender_for",
           "wsgi_transport"]
