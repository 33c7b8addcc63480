"""The outbound API client against a fake WeChat server: menu push and token handling."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from bot.cli import MENU_FILE
from bot.wechat_api import client_for
from tests.fake_wechat import FakeWeChat


def test_push_menu_sends_the_menu_file(api_app: Flask, wechat_api: FakeWeChat) -> None:
    result = api_app.test_cli_runner().invoke(args=["wechat", "push-menu"])
    assert result.exit_code == 0, result.output
    assert "menu created" in result.output
    assert wechat_api.calls == [("/cgi-bin/menu/create",
                                 json.loads(MENU_FILE.read_text(encoding="utf-8")))]
    assert wechat_api.tokens_issued == 1


def test_push_menu_reports_an_api_error_without_a_traceback(api_app: Flask,
                                                            wechat_api: FakeWeChat) -> None:
    wechat_api.fail_next = [40018]  # invalid button name
    result = api_app.test_cli_runner().invoke(args=["wechat", "push-menu"])
    assert result.exit_code != 0
    assert "menu not created" in result.output and "40018" in result.output
    assert "Traceback" not in result.output


def test_push_menu_without_credentials_says_what_is_missing(make_app) -> None:  # type: ignore[no-untyped-def]
    result = make_app().test_cli_runner().invoke(args=["wechat", "push-menu"])
    assert result.exit_code != 0
    assert "WECHAT_APPID and WECHAT_SECRET" in result.output


def test_api_unreachable_is_reported(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(WECHAT_APPID="wx1", WECHAT_SECRET="s",
                   WECHAT_API_BASE="http://127.0.0.1:9/cgi-bin/", WECHAT_API_TIMEOUT="1")
    result = app.test_cli_runner().invoke(args=["wechat", "push-menu"])
    assert result.exit_code != 0
    assert "menu not created" in result.output


def test_workers_share_one_token(api_app: Flask, wechat_api: FakeWeChat) -> None:
    """Each fetch invalidates the previous token, so eight workers must fetch once."""
    clients = [client_for(api_app) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda client: client.access_token, clients))
    assert tokens == {"ACCESS_TOKEN_1"}
    assert wechat_api.tokens_issued == 1


def test_invalid_token_is_refreshed_once(api_app: Flask, wechat_api: FakeWeChat) -> None:
    client = client_for(api_app)
    assert client.access_token == "ACCESS_TOKEN_1"
    wechat_api.current_token = "ROTATED_ELSEWHERE"  # e.g. someone fetched one by hand
    result = client.call(lambda c: c.message.send_text("o_user", "您好"))
    assert result["errcode"] == 0
    assert wechat_api.tokens_issued == 2
    assert wechat_api.calls == [("/cgi-bin/message/custom/send",
                                 {"touser": "o_user", "msgtype": "text",
                                  "text": {"content": "您好"}})]


def test_persistent_token_errors_are_not_retried_forever(api_app: Flask,
                                                        wechat_api: FakeWeChat) -> None:
    from wechatpy.exceptions import WeChatClientException

    client = client_for(api_app)
    wechat_api.fail_next = [40001, 40001, 40001, 40001]
    with pytest.raises(WeChatClientException) as error:
        client.call(lambda c: c.message.send_text("o_user", "x"))
    assert error.value.errcode == 40001
    assert wechat_api.tokens_issued == 2
    assert len(wechat_api.fail_next) == 2
