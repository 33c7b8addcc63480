"""Whole complaint and report conversations as real signed (and, in safe mode, encrypted)
XML through the webhook, from following the account to the ticket in the database."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.db import get_db
from bot.models import Conversation
from bot.simulator.client import WeChatSender, new_msg_id, sender_for
from complaints.models import Ticket, TicketAttachment, TicketEvent
from complaints.workflow import Kind, Status
from tests.conftest import AppFactory, rows

USER = "o_consumer"
NUMBER = re.compile(r"编号：(FJ\d{8}-\d{6})")


def tickets(app: Flask) -> list[Ticket]:
    with get_db(app).transaction() as session:
        found = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        session.expunge_all()
        return found


def form_of(app: Flask, openid: str = USER) -> dict:
    (data,) = rows(app, select(Conversation.data).where(Conversation.openid == openid))[0]
    return data.get("form", {})


def age_form(app: Flask, by: dt.timedelta, openid: str = USER) -> None:
    """Moves the form's last activity back in time, as if the consumer had gone away."""
    with get_db(app).transaction() as session:
        conversation = session.get(Conversation, openid)
        assert conversation is not None
        data = copy.deepcopy(conversation.data)
        touched = dt.datetime.fromisoformat(data["form"]["touched"])
        data["form"]["touched"] = (touched - by).isoformat()
        conversation.data = data


def image(wechat: WeChatSender, name: str, openid: str = USER) -> str:
    return wechat.send(openid, "image", {"PicUrl": f"http://mmbiz.example/{name}.jpg",
                                         "MediaId": f"media-{name}",
                                         "MsgId": new_msg_id()}).text


def test_slow_path_one_field_per_message(wechat: WeChatSender, mode_app: Flask) -> None:
    assert "欢迎关注" in wechat.event(USER, "subscribe").text
    assert "被投诉的商家叫什么名字" in wechat.event(USER, "CLICK", "COMPLAIN").text
    assert "商家在哪里经营" in wechat.text(USER, "永辉超市").text
    assert "事情经过" in wechat.text(USER, "泉州市丰泽区田安路某号").text
    assert "怎么解决" in wechat.text(
        USER, "11月20日在这家超市买了一箱纯牛奶，花了59元，回家发现已经过期三天，店员不给退").text
    assert "请留下您的姓名" in wechat.text(USER, "4、7").text
    assert "手机号码" in wechat.text(USER, "林小红").text
    assert "证据" in wechat.text(USER, "138 0013 8000").text
    assert "共1个" in image(wechat, "receipt")
    assert "共2个" in image(wechat, "milk")
    summary = wechat.text(USER, "好了").text
    for expected in ["1 被投诉商家：永辉超市", "2 商家地址：泉州市丰泽区田安路某号",
                     "4 投诉请求：退货、赔偿损失", "5 投诉人姓名：林小红",
                     "6 联系电话：138 0013 8000", "7 证据：2个文件",
                     "处理部门：泉州市丰泽区市场监督管理局"]:
        assert expected in summary
    done = wechat.text(USER, "确认").text
    number = NUMBER.search(done).group(1)
    assert "泉州市丰泽区市场监督管理局" in done and "7个工作日" in done

    (ticket,) = tickets(mode_app)
    assert (ticket.number, ticket.kind, ticket.status) == (number, Kind.COMPLAINT, Status.PENDING)
    assert (ticket.business_name, ticket.region_code, ticket.bureau_code) == (
        "永辉超市", "350503", "350503")
    assert ticket.demands == ["退货", "赔偿损失"]
    assert (ticket.consumer_name, ticket.consumer_phone) == ("林小红", "+8613800138000")
    assert ticket.category == "食品"
    assert ticket.due_on is not None and ticket.due_on > ticket.received_at.date()
    assert ticket.story.startswith("11月20日在这家超市买了一箱纯牛奶，")
    attachments = rows(mode_app, select(TicketAttachment.kind, TicketAttachment.media_id))
    assert attachments == [("image", "media-receipt"), ("image", "media-milk")]
    assert rows(mode_app, select(TicketEvent.target)) == [(Status.PENDING.value,)]
    assert "待受理" in wechat.text(USER, "查询").text
    assert form_of(mode_app) == {}


def test_one_message_story_asks_only_for_the_rest(wechat: WeChatSender,
                                                  mode_app: Flask) -> None:
    reply = wechat.text(USER, "我要投诉福州鼓楼区好又多超市卖过期牛奶，要求退一赔十").text
    assert "已从您的描述中记下" in reply
    assert "被投诉商家：好又多超市" in reply and "商家地址：福州市鼓楼区" in reply
    assert "投诉请求：退还货款和服务费用、赔偿损失" in reply
    assert "请留下您的姓名" in reply  # business, place, story and demands are known
    assert "联系电话" not in wechat.text(USER, "陈大明 13912345678").text
    summary = wechat.text(USER, "没有").text
    assert "事情经过：福州鼓楼区好又多超市卖过期牛奶" in summary
    assert "处理部门：福州市鼓楼区市场监督管理局" in summary
    wechat.text(USER, "确认")
    (ticket,) = tickets(mode_app)
    assert (ticket.bureau_code, ticket.consumer_phone) == ("350102", "+8613912345678")


def test_wrong_answers_are_re_asked_and_corrections_keep_the_rest(wechat: WeChatSender,
                                                                  mode_app: Flask) -> None:
    wechat.text(USER, "投诉")
    wechat.text(USER, "星光健身房")
    wechat.text(USER, "厦门市湖里区")
    assert "请再具体一些" in wechat.text(USER, "跑路了").text
    wechat.text(USER, "办了3000元的年卡，才用了两个月健身房就关门了，老板联系不上")
    assert "没看明白您的要求" in wechat.text(USER, "9").text
    assert form_of(mode_app)["fields"]["business"] == "星光健身房"  # nothing lost
    wechat.text(USER, "6")
    assert "不含数字" in wechat.text(USER, "123").text
    assert "改为匿名“举报”" in wechat.text(USER, "不想说").text
    wechat.text(USER, "黄伟")
    assert "不像有效的电话号码" in wechat.text(USER, "12345").text
    wechat.text(USER, "0592-5123456")
    summary = wechat.text(USER, "没有").text
    assert "6 联系电话：0592 512 3456" in summary
    assert "商家在哪里经营" in wechat.text(USER, "修改 2").text
    summary = wechat.text(USER, "厦门市思明区中山路").text  # back to the summary at once
    assert "2 商家地址：厦门市思明区中山路" in summary
    assert "处理部门：厦门市思明区市场监督管理局" in summary
    assert "1 被投诉商家：星光健身房" in summary
    assert "请回复“修改”加 1 到 7" in wechat.text(USER, "修改 12").text
    assert "请回复“确认”提交" in wechat.text(USER, "嗯").text
    wechat.text(USER, "确认")
    (ticket,) = tickets(mode_app)
    assert (ticket.bureau_code, ticket.demands, ticket.category) == (
        "350203", ["退还货款和服务费用"], "预付式消费")


def test_cancel_abandons_the_form(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "我要投诉")
    wechat.text(USER, "某某手机店")
    assert "已放弃本次投诉" in wechat.text(USER, "取消").text
    assert tickets(mode_app) == []
    assert "没有进行中的步骤" in wechat.text(USER, "取消").text


def test_faq_question_mid_form_is_answered_and_the_form_resumes(wechat: WeChatSender,
                                                                mode_app: Flask) -> None:
    wechat.text(USER, "投诉")
    wechat.text(USER, "某某电器城")
    reply = wechat.text(USER, "投诉多久会有结果？").text
    assert "接着填写投诉" in reply and "商家在哪里经营" in reply
    assert "工作日" in reply  # the answer about the time limits came first
    assert form_of(mode_app)["fields"]["business"] == "某某电器城"
    assert "事情经过" in wechat.text(USER, "漳州市龙文区").text
    # Menu and progress mid-form: shown, and the way back with them.
    assert "还没提交" in wechat.text(USER, "菜单").text
    reply = wechat.event(USER, "CLICK", "PROGRESS").text
    assert "还没有通过本服务号提交" in reply and "接着填写投诉" in reply
    reply = wechat.text(USER, "查询").text  # typed, not taken as the story
    assert "还没有通过本服务号提交" in reply and "接着填写投诉" in reply
    assert form_of(mode_app)["step"] == "story"


def test_idle_form_asks_to_resume_and_expires_after_a_day(wechat: WeChatSender,
                                                          mode_app: Flask) -> None:
    wechat.text(USER, "投诉")
    wechat.text(USER, "某某家具城")
    age_form(mode_app, dt.timedelta(minutes=31))
    reply = wechat.text(USER, "龙岩市新罗区").text  # not taken as the answer
    assert "继续上次的投诉吗" in reply and "某某家具城" in reply
    assert "请回复“继续”" in wechat.text(USER, "啊？").text
    assert "商家在哪里经营" in wechat.text(USER, "继续").text
    assert "事情经过" in wechat.text(USER, "龙岩市新罗区").text

    age_form(mode_app, dt.timedelta(hours=25))
    assert "已经作废" in wechat.text(USER, "沙发坏了").text
    assert form_of(mode_app) == {}
    assert tickets(mode_app) == []


def test_restart_after_idle_starts_from_the_first_question(wechat: WeChatSender,
                                                           mode_app: Flask) -> None:
    wechat.text(USER, "举报")
    wechat.text(USER, "某某诊所")
    age_form(mode_app, dt.timedelta(hours=2))
    wechat.text(USER, "在吗")
    assert "要举报的商家叫什么名字" in wechat.text(USER, "重新开始").text
    assert form_of(mode_app)["fields"] == {}


def test_location_message_gives_the_place(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "投诉")
    wechat.text(USER, "某某海鲜酒楼")
    reply = wechat.location(USER, 24.4798, 118.0894, "厦门市思明区某某路").text
    assert "已记下商家位置" in reply and "厦门市思明区市场监督管理局" in reply
    assert "事情经过" in reply
    fields = form_of(mode_app)["fields"]
    assert fields["region_code"] == "350203" and fields["lat"] == pytest.approx(24.4798)


def test_anonymous_report(wechat: WeChatSender, mode_app: Flask) -> None:
    assert "举报人信息依法保密" in wechat.event(USER, "CLICK", "REPORT").text
    wechat.text(USER, "某某大药房")
    wechat.text(USER, "宁德市蕉城区")
    wechat.text(USER, "不凭处方就卖处方药，还在店里卖过期的感冒药")
    assert "共1个" in image(wechat, "shelf")
    voice = wechat.send(USER, "voice", {"MediaId": "media-voice", "Format": "amr",
                                        "MsgId": new_msg_id()}).text
    assert "共2个" in voice
    assert "匿名举报" in wechat.text(USER, "好了").text
    summary = wechat.text(USER, "2").text
    assert "是否实名：匿名" in summary and "姓名" not in summary
    done = wechat.text(USER, "确认").text
    assert "举报已登记" in done and "匿名" in done and "宁德市蕉城区市场监督管理局" in done
    (ticket,) = tickets(mode_app)
    assert (ticket.kind, ticket.status, ticket.anonymous) == (Kind.REPORT, Status.CHECKING,
                                                              True)
    assert (ticket.consumer_name, ticket.consumer_phone) == (None, None)
    assert rows(mode_app, select(TicketAttachment.kind)) == [("image",), ("voice",)]


def test_named_report_asks_for_name_and_phone(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "我要实名举报某某加油站")
    wechat.text(USER, "南平市建阳区")
    wechat.text(USER, "加油机显示加了40升，油箱明显没加满，怀疑计量作弊")
    wechat.text(USER, "没有")
    assert "请留下您的姓名" in wechat.text(USER, "实名").text
    wechat.text(USER, "郑先生")
    assert "是否实名：实名" in wechat.text(USER, "15905912345").text
    wechat.text(USER, "确认")
    (ticket,) = tickets(mode_app)
    assert (ticket.bureau_code, ticket.anonymous, ticket.consumer_name) == (
        "350703", False, "郑先生")


def test_out_of_province_business_gets_12315_and_no_ticket(wechat: WeChatSender,
                                                           mode_app: Flask) -> None:
    reply = wechat.text(USER, "我要投诉杭州西湖区的一家奶茶店").text
    assert "不在福建省" in reply and "www.12315.cn" in reply
    wechat.text(USER, "投诉")
    wechat.text(USER, "某某服装店")
    assert "不在福建省" in wechat.text(USER, "广东省深圳市南山区").text
    assert tickets(mode_app) == []
    assert form_of(mode_app) == {}


def test_unknown_place_offers_the_ten_city_bureaus(wechat: WeChatSender,
                                                   mode_app: Flask) -> None:
    wechat.text(USER, "投诉")
    wechat.text(USER, "某某装修公司")
    reply = wechat.text(USER, "就在我家楼下").text
    assert "1 福州市" in reply and "10 平潭综合实验区" in reply
    assert "1 到 10" in wechat.text(USER, "11").text
    assert "事情经过" in wechat.text(USER, "5").text
    assert form_of(mode_app)["fields"]["region_code"] == "350500"


def test_a_complaint_that_is_also_a_report_opens_two_linked_tickets(
        wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "我要投诉并举报莆田市城厢区某某超市卖过期食品")
    wechat.text(USER, "4 7")
    wechat.text(USER, "吴芳 13600000000")
    summary = wechat.text(USER, "没有").text
    assert "同时举报：是" in summary
    done = wechat.text(USER, "确认").text
    assert "同时登记了举报" in done
    complaint, report = tickets(mode_app)
    assert (complaint.kind, report.kind) == (Kind.COMPLAINT, Kind.REPORT)
    assert report.linked_ticket_id == complaint.id and complaint.linked_ticket_id == report.id
    assert report.status == Status.CHECKING and report.demands == []
    assert complaint.bureau_code == report.bureau_code == "350302"


def test_retried_confirmation_opens_one_ticket(make_app: AppFactory, database_url: str) -> None:
    app = make_app(database_url)
    wechat = sender_for(app)
    for answer in ["我要投诉福州市仓山区某某手机店卖翻新机当新机", "3",
                   "刘洋 13700000000", "没有"]:
        wechat.text(USER, answer)
    confirm_id = new_msg_id()
    first = wechat.text(USER, "确认", msg_id=confirm_id).text
    again = wechat.text(USER, "确认", msg_id=confirm_id).text  # WeChat retried
    assert first == again and NUMBER.search(first)
    assert rows(app, select(func.count()).select_from(Ticket)) == [(1,)]


def test_rating_after_closing(wechat: WeChatSender, mode_app: Flask) -> None:
    from complaints import tickets as workflow_ops

    wechat.text(USER, "我要投诉三明市梅列区某某餐厅菜里吃出虫子")
    wechat.text(USER, "7")
    wechat.text(USER, "张三 13800000000")
    wechat.text(USER, "没有")
    number = NUMBER.search(wechat.text(USER, "确认").text).group(1)
    assert "没有找到可以评价" in wechat.text(USER, "满意").text
    with get_db(mode_app).transaction() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        now = dt.datetime.now(dt.UTC)
        for target in (Status.ACCEPTED, Status.MEDIATING, Status.MEDIATED, Status.CLOSED):
            workflow_ops.move(session, ticket, target, actor="staff:test", now=now)
    assert "请对处理情况评价" in wechat.text(USER, f"查询 {number}").text
    assert "不满意" in wechat.text(USER, "不满意 处理太慢了").text
    (rated,) = tickets(mode_app)
    assert (rated.rating, rated.rating_comment) == ("不满意", "处理太慢了")
    # "不满意" that starts a question is still a question once nothing waits for a rating.
    assert "没有找到可以评价" not in wechat.text(USER, "不满意商家的处理结果怎么办").text


def test_forms_idle_for_a_day_are_dropped_and_the_consumer_told(wechat: WeChatSender,
                                                                mode_app: Flask) -> None:
    from complaints.models import OutboxMessage

    wechat.text(USER, "投诉")
    wechat.text(USER, "某某影城")
    wechat.text("o_recent", "举报")
    age_form(mode_app, dt.timedelta(hours=24, minutes=1))
    result = mode_app.test_cli_runner().invoke(args=["forms", "expire"])
    assert "dropped 1 form(s)" in result.output
    assert form_of(mode_app) == {} and form_of(mode_app, "o_recent") != {}
    ((openid, text, state),) = rows(mode_app, select(
        OutboxMessage.openid, OutboxMessage.text, OutboxMessage.state))
    assert (openid, state) == (USER, "pending") and "已经作废" in text


def test_evidence_is_capped(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "我要投诉宁德市福安市某某电动车店卖的电瓶车刚买一周就充不进电")
    for n in range(9):
        assert f"共{n + 1}个" in image(wechat, f"p{n}")
    assert "最多9个" in image(wechat, "one-too-many")
    assert len(form_of(mode_app)["evidence"]) == 9
    assert form_of(mode_app)["step"] == "demands"  # evidence sent early waits for its step


def test_also_report_can_be_chosen_at_the_summary(wechat: WeChatSender, mode_app: Flask) -> None:
    wechat.text(USER, "我要投诉南平市延平区某某超市卖的大米生虫了，要求退货")
    wechat.text(USER, "周强 13500000000")
    summary = wechat.text(USER, "没有").text
    assert "回复“同时举报”" in summary
    assert "同时举报：是" in wechat.text(USER, "同时举报").text
    assert "回复“同时举报”" in wechat.text(USER, "不举报").text
    wechat.text(USER, "同时举报")
    wechat.text(USER, "确认")
    assert [t.kind for t in tickets(mode_app)] == [Kind.COMPLAINT, Kind.REPORT]
