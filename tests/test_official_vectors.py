"""The official WXBizMsgCrypt samples decrypt through the webhook's own code path."""

from __future__ import annotations

from urllib.parse import urlencode

import xmltodict
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto

from bot import protocol
from bot.models import InboundMessage
from tests.conftest import rows

# Tencent's 公众号 sample (WXBizMsgCrypt Python Sample.py), copied from shared/wechat.md §1.7.
TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx2c2769f8efd9abc2"
TIMESTAMP = "1409735669"
NONCE = "1320562132"
MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
FROM_XML = """<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>"""  # noqa: E501
PLAINTEXT = """<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>
<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>
<CreateTime>1409735668</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[abcdteT]]></Content>
<MsgId>6054768590064713728</MsgId>
</xml>"""

# wechatpy's own vector (tests/test_crypto.py at v1.8.18), also from shared/wechat.md §1.7.
WP_TOKEN = "123456"
WP_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WP_APPID = "wx49f0ab532d5d035a"
WP_SIGNATURE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
WP_TIMESTAMP = "1411525903"
WP_NONCE = "461056294"
WP_ENCRYPT = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="  # noqa: E501


def official_app(make_app, **env):  # type: ignore[no-untyped-def]
    return make_app(WECHAT_TOKEN=TOKEN, WECHAT_AES_KEY=AES_KEY, WECHAT_APPID=APPID,
                    WECHAT_MAX_CLOCK_SKEW="0", **env)


def test_official_sample_decrypts_to_the_published_plaintext() -> None:
    creds = protocol.Credentials(token=TOKEN, appid=APPID, aes_key=AES_KEY)
    plaintext = protocol.decrypt(creds, FROM_XML.encode(), MSG_SIGNATURE, TIMESTAMP, NONCE)
    assert plaintext == PLAINTEXT


def test_wechatpy_vector_decrypts() -> None:
    creds = protocol.Credentials(token=WP_TOKEN, appid=WP_APPID, aes_key=WP_KEY)
    body = f"<xml><Encrypt><![CDATA[{WP_ENCRYPT}]]></Encrypt></xml>".encode()
    message = protocol.parse(protocol.decrypt(creds, body, WP_SIGNATURE, WP_TIMESTAMP, WP_NONCE))
    assert (message.source, message.content) == ("messense", "test")


def test_official_sample_through_the_webhook(make_app) -> None:  # type: ignore[no-untyped-def]
    app = official_app(make_app)
    query = urlencode({"signature": protocol.sign(TOKEN, TIMESTAMP, NONCE),
                       "timestamp": TIMESTAMP, "nonce": NONCE, "encrypt_type": "aes",
                       "msg_signature": MSG_SIGNATURE, "openid": "oyORnuP8q7ou2gfYjqLzSIWZf0rs"})
    response = app.test_client().post(f"/wechat?{query}", data=FROM_XML)
    assert response.status_code == 200

    envelope = xmltodict.parse(response.get_data(as_text=True))["xml"]
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["Nonce"] == NONCE
    reply = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        response.get_data(), envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    fields = xmltodict.parse(reply)["xml"]
    assert fields["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert fields["FromUserName"] == "gh_10f6c3c3ac5a"
    assert "abcdteT" in fields["Content"]

    journal = rows(app, select(InboundMessage.openid, InboundMessage.content,
                               InboundMessage.dedup_key))
    assert journal == [("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "abcdteT",
                        "msg:oyORnuP8q7ou2gfYjqLzSIWZf0rs:6054768590064713728")]


def test_official_sample_with_one_wrong_digit_is_refused(make_app) -> None:  # type: ignore[no-untyped-def]
    app = official_app(make_app)
    query = urlencode({"signature": protocol.sign(TOKEN, TIMESTAMP, NONCE),
                       "timestamp": TIMESTAMP, "nonce": NONCE, "encrypt_type": "aes",
                       "msg_signature": MSG_SIGNATURE[:-1] + "0"})
    response = app.test_client().post(f"/wechat?{query}", data=FROM_XML)
    assert response.status_code == 403
    assert rows(app, select(InboundMessage.id)) == []
