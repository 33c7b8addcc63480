"""Configuration from the environment, the simulator switch and ``flask chat``."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.config import ConfigError, load_config


def test_defaults_for_development(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = load_config(str(tmp_path), env={})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/bot.sqlite3"
    assert config["SIMULATOR_ENABLED"] is True
    assert config["WECHAT_MAX_CLOCK_SKEW"] == 300
    assert config["WECHAT_API_BASE"] == "https://api.weixin.qq.com/cgi-bin/"
    assert config["MAX_CONTENT_LENGTH"] == 64 * 1024


@pytest.mark.parametrize(("env", "message"), [
    ({"APP_ENV": "production", "WECHAT_TOKEN": "t"}, "SECRET_KEY"),
    ({"APP_ENV": "production", "SECRET_KEY": "s"}, "WECHAT_TOKEN"),
    ({"WECHAT_AES_KEY": "short", "WECHAT_APPID": "wx1"}, "43-character"),
    ({"WECHAT_AES_KEY": "a" * 43}, "WECHAT_APPID"),
])
def test_unsafe_configuration_is_refused_at_start(tmp_path, env, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), env=env)


def test_simulator_is_off_in_production_unless_enabled(sqlite_url: str) -> None:
    env = {"APP_ENV": "production", "SECRET_KEY": "s", "WECHAT_TOKEN": "t",
           "DATABASE_URL": sqlite_url}
    assert create_app(env=env).test_client().get("/simulator").status_code == 404
    enabled = create_app(env={**env, "SIMULATOR_ENABLED": "1"})
    assert enabled.test_client().get("/simulator").status_code == 200


def test_unknown_pages_get_a_plain_404(app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().get("/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_flask_chat_talks_through_the_webhook(app) -> None:  # type: ignore[no-untyped-def]
    script = "/follow\n菜单\n/click QUALITY_MONTH\n/location 26.07 119.29 鼓楼区\n/quit\n"
    result = app.test_cli_runner().invoke(args=["chat", "--openid", "o_cli"], input=script)
    assert result.exit_code == 0, result.output
    assert "欢迎关注" in result.output
    assert "请回复数字或文字选择" in result.output
    assert "实验室开放日" in result.output
    assert "收到您的位置：鼓楼区" in result.output


@pytest.mark.parametrize("body", ["[1]", '"text"', "{", '{"type": "text"}',
                                  '{"type": "fax", "openid": "o"}'])
def test_simulator_api_refuses_malformed_requests(app, body: str) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().post("/simulator/api/send", data=body,
                                      content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_simulator_api_sends_signed_xml_through_the_webhook(app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().post("/simulator/api/send", json={
        "type": "text", "openid": "o_sim", "Content": "菜单", "Ignored": {"a": 1}})
    data = response.get_json()
    assert (data["status"], data["kind"]) == (200, "text")
    assert "请回复数字或文字选择" in data["text"]
    assert "<Content><![CDATA[菜单]]></Content>" in data["request_xml"]
