"""The /simulator page in a real browser: Debian's Chromium driven by Playwright.

Runs once in plain mode and once in safe (encrypted) mode against the app served over
HTTP, clicks through the chat like a consumer would and saves a full-page screenshot to
tests/artifacts/simulator-<mode>.png.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import create_app, migrate
from bot.db import get_db
from tests.browser import chromium_executable, ensure_cjk_font, serve_app

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 900}
SAFE_MODE_ENV = {"WECHAT_APPID": "wx5823bf96d3bd56c7",
                 "WECHAT_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
REPLY_TIMEOUT_MS = 15_000
# A consumer's text that would break naive XML or HTML handling.
# Off-topic on purpose: the fallback reply quotes the message back, so the page must show
# the characters literally.
TRICKY_TEXT = "薛定谔 ]]> 和 <b>x</b> 方程"


@pytest.fixture(scope="module")
def chromium() -> str:
    pytest.importorskip("playwright.sync_api",
                        reason="the playwright package is missing: pip install -e '.[dev]'")
    path = chromium_executable()
    if path is None:
        pytest.skip("Debian's chromium is not at /usr/bin/chromium and could not be installed "
                    "(apt-get install chromium needs root and apt-get)")
    ensure_cjk_font()  # only for readable screenshots; the assertions read the DOM
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, headless=True,
                                              args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(params=["plain", "safe"])
def simulator_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(mode, base URL) of a freshly migrated app served over HTTP."""
    database_url = f"sqlite:///{tmp_path}/sim.db"
    migrate.upgrade(database_url)
    env = {"WECHAT_TOKEN": "simtoken", "DATABASE_URL": database_url, "SECRET_KEY": "x"}
    if request.param == "safe":
        env.update(SAFE_MODE_ENV)
    app = create_app(overrides={"TESTING": True, "SPOOL_DIR": tmp_path / "spool"}, env=env)
    assert app.config["SIMULATOR_ENABLED"]
    url, stop = serve_app(app)
    try:
        yield request.param, url
    finally:
        stop()
        get_db(app).engine.dispose()


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_simulator_chat(browser: Any, simulator_server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    mode, base_url = simulator_server
    safe = mode == "safe"
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="zh-CN")
    outside: list[str] = []
    problems: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    try:
        page.goto(f"{base_url}/simulator")
        page.wait_for_selector("body[data-ready='true']")

        # A reload keeps the same simulated user.
        openid = page.input_value("#openid-input")
        assert openid.startswith("o_sim_")
        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        assert page.input_value("#openid-input") == openid

        expect(page.locator("#safe-mode")).to_have_attribute(
            "data-encrypted", "true" if safe else "false")
        expect(page.locator("#safe-mode")).to_contain_text("已开启" if safe else "未开启")

        bot_bubbles = page.locator(".bubble.bot")

        def bot_reply(action: Callable[[], object], *expected: str) -> Any:
            """Runs ``action``, waits for exactly one new bot bubble and checks its text."""
            before = bot_bubbles.count()
            action()
            expect(bot_bubbles).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
            bubble = bot_bubbles.nth(before)
            for text in expected:
                expect(bubble).to_contain_text(text)
            return bubble

        def type_and_enter(text: str) -> None:
            page.fill("#message-input", text)
            page.press("#message-input", "Enter")

        welcome = bot_reply(lambda: page.click("#follow-button"), "欢迎关注")
        assert welcome.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"

        menu_reply = bot_reply(lambda: type_and_enter("菜单"), "请回复数字或文字选择")
        expect(page.locator("#message-input")).to_have_value("")

        # WeChat layout: the account on the left in white, the consumer on the right in green.
        phone = page.locator("#phone").bounding_box()
        mine = page.locator(".bubble.user").last
        theirs = menu_reply.bounding_box()
        ours = mine.bounding_box()
        assert phone and theirs and ours
        middle = phone["x"] + phone["width"] / 2
        assert phone["x"] < theirs["x"] < middle < ours["x"] + ours["width"] <= phone["x"] + 375
        assert mine.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(149, 236, 105)"
        assert menu_reply.evaluate("e => getComputedStyle(e).backgroundColor") == \
            "rgb(255, 255, 255)"

        # The custom menu: a top-level button opens its pop-up above the bar.
        page.click(".menu-button:has-text('投诉举报')")
        popup = page.locator(".menu-slot:has(.menu-button:has-text('投诉举报')) .menu-popup")
        expect(popup).to_be_visible()
        popup_box = popup.bounding_box()
        bar_box = page.locator("#menu-bar").bounding_box()
        assert popup_box and bar_box
        assert popup_box["y"] + popup_box["height"] <= bar_box["y"], "pop-up must sit above the bar"
        bot_reply(lambda: popup.locator(".menu-sub-button:has-text('我要投诉')").click(),
                  "被投诉的商家叫什么名字")
        expect(popup).to_be_hidden()
        bot_reply(lambda: type_and_enter("取消"), "已放弃本次投诉")

        bot_reply(lambda: type_and_enter("5"), "质量月")

        # Reply text is shown as text: CDATA terminators and tags come back literally.
        tricky = bot_reply(lambda: type_and_enter(TRICKY_TEXT), "]]>", "<b>x</b>")
        assert tricky.locator("b").count() == 0
        expect(page.locator(".bubble.user").last).to_have_text(TRICKY_TEXT)

        # The "+" panel: an image, then a location with the form's defaults.
        def send_image() -> None:
            page.click("#plus-button")
            page.click("#plus-image")

        bot_reply(send_image, "收到您的图片")

        def send_location() -> None:
            page.click("#plus-button")
            page.click("#plus-location")
            expect(page.locator("#location-form")).to_be_visible()
            expect(page.locator("#location-label")).to_have_value("福州市鼓楼区")
            page.click("#location-submit")

        bot_reply(send_location, "福州市鼓楼区")
        expect(page.locator(".bubble.user.location-card").last).to_contain_text("福州市鼓楼区")
        expect(page.locator("#location-form")).to_be_hidden()

        # The debug panel shows the last exchange and the mode.
        page.click("#debug-toggle")
        expect(page.locator("#debug-request")).to_contain_text(
            "<Label><![CDATA[福州市鼓楼区]]></Label>")
        expect(page.locator("#debug-request")).to_contain_text("<Location_X>26.0745</Location_X>")
        expect(page.locator("#debug-reply")).to_contain_text("收到您的位置")
        expect(page.locator("#debug-encrypted")).to_have_attribute(
            "data-encrypted", "true" if safe else "false")
        expect(page.locator("#debug-status")).to_contain_text("HTTP 200")

        assert not problems, problems
        assert not outside, f"the page fetched something not served by the app: {outside}"

        # Full-page screenshot; its size must match the laid-out page.
        page.locator("#message-input").blur()
        width, height = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"simulator-{mode}.png"
        shot.unlink(missing_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.exists()
        assert shot.stat().st_size > 10 * 1024
        assert width == VIEWPORT["width"]
        assert png_size(shot) == (width, max(height, VIEWPORT["height"]))
    finally:
        context.close()
