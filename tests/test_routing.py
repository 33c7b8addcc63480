"""Routing a complaint to a bureau: the gazetteer, the rules, the dev figures and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from complaints.routing import OUT, bureau_for, city_choices, route, route_point
from complaints.routing_eval import evaluate, prefecture, read_jsonl
from knowledge.gazetteer import gazetteer

DEV = Path(__file__).parent / "data" / "routing-dev.jsonl"


def code(text: str, phone: str | None = None) -> str | None:
    return route(text, phone=phone).region_code


def test_dev_file_meets_the_targets() -> None:
    report = evaluate(read_jsonl(DEV))
    assert report.lines >= 100
    assert report.exact_accuracy >= 0.95, report.misses
    assert report.city_accuracy >= 0.98, report.misses


def test_gazetteer_is_complete() -> None:
    g = gazetteer()
    counties = [d for d in g.divisions.values() if d.level == "county"]
    assert len(counties) == 83  # 84 county-level units without 金门县
    assert len([d for d in g.divisions.values() if d.level == "city"]) == 9
    assert len(g.towns) == 1170
    seats = {s.code for s in g.seats if s.code}
    assert seats == {d.code for d in counties}
    assert all(bureau_for(d.code) for d in g.divisions.values())


def test_bureau_names_follow_the_authorities_own_names() -> None:
    assert bureau_for("350102") == "福州市鼓楼区市场监督管理局"
    assert bureau_for("350181") == "福清市市场监督管理局"
    assert bureau_for("350121") == "闽侯县市场监督管理局"
    assert bureau_for("350100") == "福州市市场监督管理局"
    assert bureau_for("350405") == "三明市沙县区市场监督管理局"
    assert bureau_for("350128") == "平潭综合实验区市场监督管理局"
    assert bureau_for("350527") is None  # 金门县
    assert bureau_for(OUT) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("在榕城一家奶茶店买的奶茶有异物", "350100"),
    ("鹭岛一家健身房跑路了", "350200"),
    ("刺桐城一家饭店乱收费", "350500"),
    ("温陵一家饭店乱收费", "350500"),
    ("莆阳一家金店成色不足", "350300"),
    ("岚岛一家民宿乱涨价", "350128"),
])
def test_city_nicknames(text: str, expected: str) -> None:
    assert code(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("长乐一家装修公司拖工期", "350112"),
    ("长泰一家装修公司拖工期", "350605"),
    ("龙海一家家具厂送货晚了", "350604"),
    ("龙文一家家具厂送货晚了", "350603"),
    ("永安一家电器店不保修", "350481"),
    ("永定一家电器店不保修", "350803"),
    ("永泰一家电器店不保修", "350125"),
    ("永春一家电器店不保修", "350525"),
    ("建阳一家超市卖过期酸奶", "350703"),
    ("建瓯一家超市卖过期酸奶", "350783"),
    ("建宁一家超市卖过期酸奶", "350430"),
    ("福安一家手机店卖翻新机", "350981"),
    ("福清一家手机店卖翻新机", "350181"),
    ("福鼎一家手机店卖翻新机", "350982"),
    ("古田一家菌菇店缺斤短两", "350922"),  # 古田县, not 上杭's 古田镇
    ("古田会议旧址旁一家饭店不标价", "350823"),
])
def test_similar_names_are_told_apart(text: str, expected: str) -> None:
    assert code(text) == expected


def test_gulou_is_fuzhou_unless_another_city_says_otherwise() -> None:
    assert code("鼓楼区一家理发店办卡后关门") == "350102"
    assert code("南京鼓楼一家理发店办卡后关门") == OUT
    assert code("徐州市鼓楼区一家理发店办卡后关门") == OUT
    assert code("厦门鼓楼一家理发店") == "350200"  # no 鼓楼 in 厦门: the city stands


@pytest.mark.parametrize(("bare", "district", "city"), [
    ("荔城", "350304", "莆田"), ("鲤城", "350502", "泉州"), ("芗城", "350602", "漳州"),
    ("延平", "350702", "南平"), ("蕉城", "350902", "宁德"),
])
def test_district_names_that_are_also_city_nicknames(bare: str, district: str,
                                                      city: str) -> None:
    city_code = district[:4] + "00"
    assert code(f"{bare}一家眼镜店配错了度数") == city_code  # ambiguous: the city's queue
    assert code(f"{city}{bare}一家眼镜店配错了度数") == district
    assert code(f"{bare}区一家眼镜店配错了度数") == district


def test_pingtan_has_its_own_prefecture_level_bureau() -> None:
    for text in ("平潭县城一家超市卖过期奶粉", "福州平潭一家超市卖过期奶粉",
                 "平潭综合实验区苏平镇一家超市卖过期奶粉"):
        result = route(text)
        assert result.region_code == "350128", text
        assert result.bureau == "平潭综合实验区市场监督管理局"
    assert prefecture("350128") == "350128"  # not 福州 at city level either
    assert code("福州一家超市卖过期奶粉") == "350100"


def test_jinmen_and_mazu_never_get_a_fujian_bureau() -> None:
    for text in ("去金门玩 一家特产店卖的贡糖过期", "马祖一家民宿临时加价",
                 "泉州金门县一家商店"):
        result = route(text)
        assert (result.region_code, result.level, result.bureau) == (OUT, "out", None), text
        assert "Taiwan" in result.reason
    assert code("厦门一家烟酒店卖的金门高粱是假酒") == "350200"  # a product, not a place
    assert code("连江县马祖乡一家商店") == OUT


def test_outside_fujian_goes_to_the_national_platform() -> None:
    for text in ("在杭州一家商场买的羽绒服跑绒", "湖南长沙一家培训机构不退费",
                 "在义乌批发的饰品掉色", "上海的一家网店发来的是旧货"):
        result = route(text)
        assert (result.region_code, result.level, result.bureau) == (OUT, "out", None), text
    # Other provinces' names on products and dishes do not place the business.
    assert code("超市买的新疆红枣发霉了") is None
    assert code("漳州一家店卖的四川火锅底料过期") == "350600"
    assert code("大理石台面裂了") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("我家在泉州 在漳州芗城一家店买的茶几有裂纹", "350602"),
    ("我老家是宁德的 在福州仓山一家店买的手机是翻新机", "350104"),
    ("我是南平人 来厦门出差 在集美一家酒店被多收了房费", "350211"),
    ("本人在莆田上班 这家店在仙游 卖的红木家具是假的", "350322"),
    ("人在北京工作 回三明过年 一家超市卖过期糖果", "350400"),
    ("公司注册地在龙岩新罗区 我住在厦门 合同纠纷", "350802"),
])
def test_the_business_place_decides_not_the_consumers_home(text: str, expected: str) -> None:
    assert code(text) == expected


def test_the_consumers_place_alone_is_not_the_business() -> None:
    assert code("我家住在厦门 这家店卖假货") is None
    assert code("我在泉州 在拼多多上买的鞋子开胶了") is None  # online: the shop is anywhere
    assert code("我在泉州 楼下那家店卖过期面包") == "350500"  # offline: where the consumer is
    assert code("网上买的台灯 收货地址是福州 一开就跳闸") is None  # the delivery address


def test_city_known_county_not_goes_to_the_city_queue() -> None:
    result = route("在龙岩买的电动车 电池不行")
    assert (result.region_code, result.level) == ("350800", "city")
    assert result.bureau == "龙岩市市场监督管理局"


def test_nothing_known_asks_with_the_ten_city_bureaus() -> None:
    result = route("买的电饭锅用了三天就坏了 商家不理人")
    assert (result.region_code, result.level, result.bureau) == (None, "unknown", None)
    choices = city_choices()
    assert [c.code for c in choices] == ["350100", "350200", "350300", "350400", "350500",
                                         "350600", "350700", "350800", "350900", "350128"]
    assert choices[0].name == "福州市市场监督管理局"
    assert choices[-1].name == "平潭综合实验区市场监督管理局"


def test_everyday_words_that_are_also_place_names() -> None:
    assert code("客服态度还算平和 但就是不退钱") is None  # 平和县
    assert code("理发店把我的马尾辫剪短了") is None  # 马尾区
    assert code("一份三明治卖三十块") is None  # 三明
    assert code("鱼竿在湖里泡了一次就断了") is None  # 湖里区
    assert code("平和县一家超市卖过期饼干") == "350628"


def test_words_written_together_are_one_place_clauses_are_not() -> None:
    assert code("泉州德化一家瓷器店") == "350526"
    assert code("福建省三明市将乐县一家擂茶店") == "350428"
    assert code("我住在厦门 福州一家店卖假货") == "350100"  # a space ends a clause
    assert code("福州市台江区上海新村一家店卖假货") == "350103"  # a street, not 上海
    assert code("厦门一家店 就在北京路上") == "350200"
    assert code("我家在泉州 在厦门中山路一家店买的") == "350203"


def test_towns_and_landmarks_resolve_to_their_county() -> None:
    assert code("石狮宝盖镇一家服装厂拖欠货款") == "350581"
    assert code("闽侯上街一家奶茶店卖过期奶茶") == "350121"
    assert code("周末上街买的裙子掉色") is None  # 上街 is also "go shopping"
    assert code("东街口一家电影院退票难") == "350102"
    assert code("中山路一家店卖假货") is None  # a 中山路 in many cities
    assert code("厦门中山路一家店卖假货") == "350203"
    assert code("泉州中山路一家店卖假货") == "350502"
    assert code("城关镇一家店卖假货") == "350426"  # the one 城关镇 (尤溪)
    assert code("三明市梅列区一家店卖假货") == "350404"  # merged into 三元区 in 2021
    assert code("金井镇一家店卖假货") is None  # in 平潭 and in 晋江: nothing to choose by


@pytest.mark.parametrize(("point", "expected"), [
    ((24.452, 118.087), "350203"),  # 厦门 思明, near 中山路
    ((25.510, 119.785), "350128"),  # 平潭
    ((31.230, 121.470), OUT),  # 上海
    ((24.440, 118.330), OUT),  # 金门
    ((23.370, 116.680), OUT),  # 汕头, across the Guangdong border
])
def test_location_routes_by_the_nearest_county_seat(point: tuple[float, float],
                                                    expected: str) -> None:
    assert route_point(*point).region_code == expected
    assert route("", location=point).region_code == expected


def test_phone_area_only_breaks_a_tie() -> None:
    tie = "厦门和福州之间的高速服务区买的面包过期了"
    assert code(tie, phone="0592-5123456") == "350200"
    assert code(tie, phone="13763801234") == "350100"  # a 福州 mobile prefix
    assert code("厦门一家饭店乱收费", phone="0591-87580701") == "350200"  # never the key
    assert code("外卖吃出了虫子", phone="0591-87580701") is None
    assert code(tie, phone="not a number") in {"350100", "350200"}


def test_cli_route_writes_one_json_object_per_line(app: Flask) -> None:
    lines = "鹭岛湖里区一家健身房不退卡\n\n在杭州买的茶叶\n网上买的衣服质量差\n"
    result = app.test_cli_runner().invoke(args=["route"], input=lines)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert objects == [
        {"text": "鹭岛湖里区一家健身房不退卡", "region_code": "350206",
         "bureau": "厦门市湖里区市场监督管理局"},
        {"text": "在杭州买的茶叶", "region_code": OUT, "bureau": None},
        {"text": "网上买的衣服质量差", "region_code": None, "bureau": None},
    ]


def test_cli_evaluate_routing_prints_both_figures_and_misses(app: Flask,
                                                            tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["evaluate-routing", str(DEV)])
    assert result.exit_code == 0, result.output
    assert "exact" in result.output and "city level" in result.output
    labelled = tmp_path / "two.jsonl"
    labelled.write_text(
        json.dumps({"text": "福清一家超市", "region_code": "350181"}, ensure_ascii=False)
        + "\n" + json.dumps({"text": "福州一家超市", "region_code": "350102"},
                            ensure_ascii=False) + "\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["evaluate-routing", str(labelled)])
    assert "exact       50.0%  (1/2)" in result.output
    assert "city level  100.0%  (2/2)" in result.output
    assert "expected 350102; got 350100" in result.output
