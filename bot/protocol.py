"""The WeChat wire protocol: signatures, clock skew, safe-mode crypto, parsing, replies.

Everything here is a plain function over bytes and strings so that the webhook, the
simulator and the tests share one implementation. wechatpy does the real work; this
module turns the exceptions it lets through into two clean refusals.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import ArticlesReply, BaseReply, ImageReply, TextReply


class Refused(Exception):
    """A request that must be refused with ``status``; ``reason`` goes to the log only."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 over the sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def verify_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    if not (token and signature and timestamp and nonce):
        raise Refused(403, "missing signature parameters")
    if not hmac.compare_digest(sign(token, timestamp, nonce), signature.lower()):
        raise Refused(403, "bad signature")


def verify_clock(timestamp: str, max_skew: int, now: float | None = None) -> None:
    """Refuses a timestamp too far from now: a replayed capture or a badly set clock."""
    try:
        stamp = int(timestamp)
    except ValueError:
        raise Refused(403, "timestamp is not a number") from None
    if max_skew and abs((now if now is not None else time.time()) - stamp) > max_skew:
        raise Refused(403, f"timestamp {stamp} outside the allowed clock skew")


@dataclass(frozen=True)
class Credentials:
    token: str
    appid: str = ""
    aes_key: str = ""

    @property
    def crypto(self) -> WeChatCrypto:
        if not self.aes_key:
            raise Refused(400, "encrypted message but WECHAT_AES_KEY is not configured")
        return WeChatCrypto(self.token, self.aes_key, self.appid)


def decrypt(creds: Credentials, body: bytes, msg_signature: str, timestamp: str,
            nonce: str) -> str:
    """Checks ``msg_signature`` over the Encrypt payload and returns the plaintext XML."""
    if not msg_signature:
        raise Refused(403, "safe mode without msg_signature")
    crypto = creds.crypto
    try:
        return crypto.decrypt_message(body, msg_signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Refused(403, "bad msg_signature") from None
    except InvalidAppIdException:
        raise Refused(400, "encrypted for another AppID") from None
    except (ExpatError, ValueError, KeyError, TypeError, UnicodeDecodeError,
            binascii.Error, IndexError) as exc:
        raise Refused(400, f"cannot decrypt: {type(exc).__name__}") from None


def parse(xml: str | bytes) -> BaseMessage:
    """Parses a plaintext message; refuses what is not a WeChat message."""
    try:
        message = parse_message(xml)
    except (ExpatError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(400, f"malformed XML: {type(exc).__name__}") from None
    if message is None or not getattr(message, "source", None):
        raise Refused(400, "not a WeChat message")
    return message


def _cdata_safe(value: Any) -> Any:
    # wechatpy wraps text in CDATA without escaping; "]]>" would end it early.
    if isinstance(value, str):
        return value.replace("]]>", "]]]]><![CDATA[>")
    return value


def text_reply(message: BaseMessage, content: str) -> TextReply:
    return TextReply(message=message, content=_cdata_safe(content))


def image_reply(message: BaseMessage, media_id: str) -> ImageReply:
    return ImageReply(message=message, media_id=_cdata_safe(media_id))


def news_reply(message: BaseMessage, articles: list[dict[str, str]]) -> ArticlesReply:
    reply = ArticlesReply(message=message)
    for article in articles:
        reply.add_article({key: _cdata_safe(value) for key, value in article.items()})
    return reply


def render(reply: BaseReply | None) -> str:
    """Plaintext reply XML; an empty string means "nothing to say" (WeChat's success)."""
    return reply.render() if reply is not None else ""


def encrypt(creds: Credentials, xml: str, nonce: str, timestamp: str) -> str:
    return creds.crypto.encrypt_message(xml, nonce, timestamp)
