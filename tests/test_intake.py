"""The form's parsers and the one-message prefill, called directly."""

from __future__ import annotations

import pytest

from complaints import intake
from complaints.workflow import Kind


@pytest.mark.parametrize(("story", "business"), [
    ("我要投诉福州鼓楼区好又多超市卖过期牛奶", "好又多超市"),
    ("在厦门市思明区中山路的小美奶茶店喝出了头发", "小美奶茶店"),
    ("泉州市永春县某某电器城卖的空调不制冷", "某某电器城"),
    ("去年在福清市星河健身房办了年卡", "星河健身房"),
    ("手机在营业厅买的", None),  # no name before the suffix
    ("东西坏了", None),
])
def test_business_name_found_in_a_story(story: str, business: str | None) -> None:
    assert intake.find_business(story) == business


def test_prefill_reads_business_place_story_demands_and_phone() -> None:
    fields = intake.prefill(Kind.COMPLAINT,
                            "我要投诉漳州市芗城区某某药房卖假药，要求退款，电话13912345678")
    assert fields["business"] == "某某药房"
    assert (fields["region_code"], fields["place"]) == ("350602", "漳州市芗城区")
    assert fields["story"].startswith("漳州市芗城区某某药房卖假药")
    assert fields["demands"] == ["退还货款和服务费用"]
    assert fields["phone"] == "+8613912345678"


def test_prefill_of_a_bare_wish_is_empty() -> None:
    assert intake.prefill(Kind.COMPLAINT, "我要投诉") == {}


def test_prefill_outside_fujian_is_refused() -> None:
    with pytest.raises(intake.OutOfProvince):
        intake.start(Kind.COMPLAINT, "投诉上海浦东新区一家超市")


@pytest.mark.parametrize(("answer", "demands"), [
    ("4 7", ["退货", "赔偿损失"]),
    ("１、３", ["修理", "更换"]),
    ("47", ["退货", "赔偿损失"]),
    ("退钱再赔偿损失", ["退还货款和服务费用", "赔偿损失"]),
    ("给我换个新的", ["更换"]),
])
def test_demands(answer: str, demands: list[str]) -> None:
    assert intake.parse_demands(answer, {})["demands"] == demands


@pytest.mark.parametrize("answer", ["8", "0", "随便", ""])
def test_demands_refused(answer: str) -> None:
    with pytest.raises(intake.Invalid):
        intake.parse_demands(answer, {})


@pytest.mark.parametrize(("answer", "phone"), [
    ("13800138000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0591-87654321", "+8659187654321"),
    ("电话：１３９１２３４５６７８", "+8613912345678"),
])
def test_phone_numbers(answer: str, phone: str) -> None:
    assert intake.parse_phone(answer, {})["phone"] == phone


@pytest.mark.parametrize("answer", ["12345", "1380013800", "23800138000", "微信同号"])
def test_phone_numbers_refused(answer: str) -> None:
    with pytest.raises(intake.Invalid):
        intake.parse_phone(answer, {})


def test_name_with_phone_answers_both() -> None:
    assert intake.parse_name("我叫陈明 13700000000", {}) == {"name": "陈明",
                                                         "phone": "+8613700000000"}


@pytest.mark.parametrize(("answer", "key"), [("没有", "form_name_invalid"),
                                             ("张3", "form_name_invalid"),
                                             ("不想说", "form_name_required")])
def test_names_refused(answer: str, key: str) -> None:
    with pytest.raises(intake.Invalid) as refused:
        intake.parse_name(answer, {})
    assert refused.value.key == key


@pytest.mark.parametrize(("texts", "category"), [
    (("永辉超市", "买的牛奶过期了"), "食品"),
    (("某某4S店", "新车发动机漏油"), "汽车及配件"),
    (("星光健身房", "办了年卡老板跑路"), "预付式消费"),
    (("某某", "说不清"), None),
])
def test_category_inference(texts: tuple[str, str], category: str | None) -> None:
    assert intake.infer_category(*texts) == category


def test_edit_re_asks_one_field_and_returns_to_the_summary() -> None:
    form = intake.start(Kind.REPORT, "")
    for answer in ["某某网吧", "龙岩市新罗区", "接纳未成年人上网，还没有实名登记", "没有", "1",
                   "李四", "13800138000"]:
        intake.answer(form, answer)
    assert form["step"] == "summary"
    intake.edit(form, 5)  # 是否实名
    assert form["step"] == "anonymous"
    intake.answer(form, "匿名")
    assert form["step"] == "summary"
    assert form["fields"]["name"] is None and [s.key for s in intake.steps(form)][-1] == "anonymous"
