"""Status notices go through the outbox to a fake WeChat API: every one ends sent or
visibly failed, whatever the API does."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from bot.db import get_db
from bot.outbound import MAX_ATTEMPTS, drain
from bot.wechat_api import client_for
from complaints import tickets
from complaints.models import OutboxMessage, Ticket
from complaints.workflow import Status
from tests.conftest import rows
from tests.factories import open_ticket
from tests.fake_wechat import FakeWeChat

ALICE = "o_alice"
NOW = dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC)



def accept(app: Flask, number: str) -> None:
    with get_db(app).transaction() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        tickets.move(session, ticket, Status.ACCEPTED, actor="staff:lin", now=NOW)


def outbox(app: Flask) -> list[tuple[str, int, str | None]]:
    return rows(app, select(OutboxMessage.state, OutboxMessage.attempts,
                            OutboxMessage.last_error))


def test_a_staff_change_is_queued_with_the_change_and_sent(api_app: Flask,
                                                            wechat_api: FakeWeChat) -> None:
    number = open_ticket(api_app, ALICE)
    assert outbox(api_app) == []  # opening is confirmed in the chat itself
    accept(api_app, number)
    ((text,),) = rows(api_app, select(OutboxMessage.text))
    assert number in text and "福州市鼓楼区市场监督管理局" in text and "2026年11月30日" in text
    assert drain(get_db(api_app), client_for(api_app), NOW)["sent"] == 1
    assert outbox(api_app) == [("sent", 1, None)]
    (path, body), = wechat_api.calls
    assert path == "/cgi-bin/message/custom/send"
    assert body["touser"] == ALICE and number in body["text"]["content"]


def test_expired_token_is_refreshed(api_app: Flask, wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    client = client_for(api_app)
    assert client.access_token == "ACCESS_TOKEN_1"
    wechat_api.current_token = "ROTATED"  # as if another service fetched a new one
    assert drain(get_db(api_app), client, NOW)["sent"] == 1
    assert wechat_api.tokens_issued == 2


def test_outside_the_window_is_undeliverable_with_the_reason(api_app: Flask,
                                                              wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    wechat_api.fail_next = [45015]
    drain(get_db(api_app), client_for(api_app), NOW)
    ((state, attempts, error),) = outbox(api_app)
    assert (state, attempts) == ("undeliverable", 1)
    assert "48-hour" in error


def test_api_down_retries_with_backoff_until_it_is_back(make_app, database_url: str,  # type: ignore[no-untyped-def]
                                                        wechat_api: FakeWeChat) -> None:
    down = make_app(database_url=database_url, WECHAT_APPID=wechat_api.appid,
                    WECHAT_SECRET=wechat_api.secret,
                    WECHAT_API_BASE="http://127.0.0.1:9/cgi-bin/", WECHAT_API_TIMEOUT="1")
    accept(down, open_ticket(down, ALICE))
    assert drain(get_db(down), client_for(down), NOW)["retry"] == 1
    ((state, attempts, error),) = outbox(down)
    assert (state, attempts) == ("pending", 1) and "Connection" in error
    assert drain(get_db(down), client_for(down), NOW) == {}  # not due yet: backoff
    back = make_app(database_url=database_url, WECHAT_APPID=wechat_api.appid,
                    WECHAT_SECRET=wechat_api.secret, WECHAT_API_BASE=wechat_api.api_base)
    later = NOW + dt.timedelta(minutes=1)
    assert drain(get_db(back), client_for(back), later)["sent"] == 1
    assert outbox(back)[0][:2] == ("sent", 2)


def test_gives_up_visibly_after_its_retries(api_app: Flask, wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    wechat_api.fail_next = [-1] * MAX_ATTEMPTS  # "system busy", again and again
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        drain(get_db(api_app), client_for(api_app), moment)
        moment += dt.timedelta(hours=2)
    ((state, attempts, error),) = outbox(api_app)
    assert (state, attempts) == ("failed", MAX_ATTEMPTS) and error.startswith("-1")


def test_flask_outbox_run(api_app: Flask, wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    result = api_app.test_cli_runner().invoke(args=["outbox", "run"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output


TEMPLATE = "TPL_status_change"


def test_outside_the_window_goes_out_as_a_template_message(api_app: Flask,
                                                           wechat_api: FakeWeChat) -> None:
    number = open_ticket(api_app, ALICE)
    accept(api_app, number)
    wechat_api.fail_next = [45015]
    db, client = get_db(api_app), client_for(api_app)
    assert drain(db, client, NOW, template_id=TEMPLATE) == {"template": 1}
    ((state, attempts, error),) = outbox(api_app)
    assert (state, attempts) == ("pending", 1) and "trying the template" in error
    assert drain(db, client, NOW, template_id=TEMPLATE) == {"sent": 1}
    (path, body), = wechat_api.calls
    assert path == "/cgi-bin/message/template/send"
    assert (body["touser"], body["template_id"]) == (ALICE, TEMPLATE)
    assert body["data"]["character_string1"] == {"value": number}
    assert body["data"]["phrase2"] == {"value": "已受理"}
    assert body["data"]["thing3"]["value"] == "福州市鼓楼区市场监督管理局"


def test_quota_error_without_a_template_is_undeliverable(api_app: Flask,
                                                         wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    wechat_api.fail_next = [45047]
    assert drain(get_db(api_app), client_for(api_app), NOW) == {"undeliverable": 1}
    assert "quota" in outbox(api_app)[0][2]


def test_template_refused_for_an_unfollowed_user_is_undeliverable(
        api_app: Flask, wechat_api: FakeWeChat) -> None:
    accept(api_app, open_ticket(api_app, ALICE))
    wechat_api.fail_next = [45015, 43004]
    db, client = get_db(api_app), client_for(api_app)
    drain(db, client, NOW, template_id=TEMPLATE)
    assert drain(db, client, NOW, template_id=TEMPLATE) == {"undeliverable": 1}
    ((state, attempts, error),) = outbox(api_app)
    assert (state, attempts) == ("undeliverable", 2) and "no longer follows" in error


def test_long_template_values_are_shortened_to_the_field_limits() -> None:
    from bot.outbound import template_data

    data = template_data({"number": "FJ20261125-000001", "status": "不予受理",
                          "bureau": "三明市沙县区市场监督管理局" * 2, "time": "2026-11-25 10:00"})
    assert len(data["thing3"]["value"]) == 20 and data["thing3"]["value"].endswith("…")
    assert data["phrase2"]["value"] == "不予受理"
