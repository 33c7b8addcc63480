"""The complaint (投诉) and report (举报) forms, declared as tables of steps.

A form is a JSON-able dict the dialog keeps in the conversation::

    {"kind": "投诉", "fields": {...}, "evidence": [...], "step": "story",
     "also_report": False, "touched": "<ISO time>"}

Each ``Step`` has a prompt (a text key the dialog renders), a parser that turns the
consumer's answer into fields or raises ``Invalid`` with the text key of a helpful reply,
and a condition saying whether it applies (the report's name and phone only when the
reporter gives them). Nothing here knows about WeChat; ``submit`` opens the tickets.

The contents follow the 投诉登记表 and 举报登记表 (domain.md 1.2, 1.3): complainant's name
and phone, the business's name and place, the facts of the dispute and one or more of
the seven requests; a report needs the business, the place and the conduct, and may be
anonymous. A submission that is both is handled separately (Art 9): two linked tickets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from complaints import routing, tickets
from complaints.models import Ticket, TicketAttachment
from complaints.workflow import Kind
from knowledge.intents import patterns
from knowledge.normalize import normalize

DATA = Path(__file__).parent / "data"
MAX_EVIDENCE = 9
MAX_TEXT = 1000
MIN_STORY = 8
# What a name "ends" with when it names a place rather than a business ("鼓楼区", "福州市").
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:省|市|区|县|镇|乡|街道)")
# Characters that end a business name on its left ("在XX超市", "去了XX店").
_NAME_STOPS = set("在到从去的了给被和跟找是向对买吃办家个那这里上说我他她它们呢吗啊呀"
                  "，,。.!！?？、 ：:；;（）()“”\"'")
# "我要投诉", "我想举报一下", "投诉并举报" at the start of a story.
_WISH = re.compile(r"^(?:我|俺)?(?:要|想|准备|打算|必须)?(?:去|来)?(?:实名|匿名)?(?:投诉|举报)"
                   r"(?:一下)?(?:(?:并|和|及|还要|也要|同时)(?:投诉|举报))?[，,:：。\s]*")
# A complaint that also reports: "投诉并举报…", "…还要举报他们…".
_ALSO_REPORT = re.compile(r"(?:并|和|及|还要|也要|同时|顺便|一并|还想|也想)(?:要)?(?:实名)?举报")
_DONE_WORDS = {"好了", "好", "完成", "发完了", "没有了", "就这些", "没了", "ok", "好的", "结束"}
_NONE_WORDS = {"没有", "无", "跳过", "不用", "没", "暂无", "没有证据", "不需要"}
_REFUSE_NAME = ("不想说", "不告诉", "不方便", "匿名", "保密", "不留", "不说", "不愿")
_NOT_NAMES = {"没有", "无", "不知道", "不清楚", "好", "好的", "是", "确认", "跳过", "没", "算了"}


class Invalid(Exception):
    """The answer does not fit the step: ``key`` names the reply that says why."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class OutOfProvince(Exception):
    """The business is outside Fujian (or in 金门/马祖): no Fujian ticket, go to 12315."""


class PlaceUnknown(Exception):
    """No city could be read from the place: the dialog offers the ten city bureaus."""


Fields = dict[str, Any]
Parser = Callable[[str, Fields], Fields]


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    prompt: str  # text key
    parse: Parser
    applies: Callable[[Fields], bool] = lambda fields: True

    def filled(self, fields: Mapping[str, Any]) -> bool:
        return self.key in fields


# --- parsers -------------------------------------------------------------------------------

def _clean(text: str) -> str:
    """The answer as the consumer wrote it (staff read it), trimmed."""
    return text.strip()[:MAX_TEXT]


def _plain(text: str) -> str:
    """Half-width digits and letters, for answers that are numbers or words."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_business(text: str, fields: Fields) -> Fields:
    name = _clean(_strip_wish(text)).strip("，,。.!！ ")
    if len(name) < 2 or name.isdigit():
        raise Invalid("form_business_invalid")
    found = find_business(name)
    result: Fields = {"business": found if found and len(name) > 30 else name[:200]}
    if "place" not in fields:  # "福州鼓楼区XX超市" also says where
        with contextlib.suppress(OutOfProvince, PlaceUnknown):
            result.update(_place_fields(name, label_only=True))
    return result


def parse_place(text: str, fields: Fields) -> Fields:
    place = _clean(text)
    if len(place) < 2:
        raise Invalid("form_place_invalid")
    return _place_fields(place)


def place_from_location(lat: float, lon: float, label: str) -> Fields:
    found = routing.route_point(lat, lon)
    if found.region_code == routing.OUT:
        raise OutOfProvince(label or f"{lat:.5f},{lon:.5f}")
    assert found.region_code is not None
    return {"place": label or f"位置 {lat:.5f},{lon:.5f}", "region_code": found.region_code,
            "lat": lat, "lon": lon}


def _place_fields(place: str, label_only: bool = False) -> Fields:
    """Routes a place. ``label_only``: the text says more than the place (a story, a
    business name), so the place is recorded as the division's name, e.g. 福州市鼓楼区."""
    found = routing.route(place)
    if found.region_code == routing.OUT:
        raise OutOfProvince(place)
    if found.region_code is None:
        raise PlaceUnknown(place)
    label = routing.division_label(found.region_code) if label_only else place[:500]
    return {"place": label, "region_code": found.region_code}


def parse_city(text: str, fields: Fields) -> Fields:
    """The answer to "which city?": a number from ``city_choices`` or a place name."""
    choice = _plain(text).rstrip(".。、")
    cities = routing.city_choices()
    said = str(fields.get("place", ""))
    if choice.isdigit():
        number = int(choice)
        if not 1 <= number <= len(cities):
            raise Invalid("form_city_invalid", count=len(cities))
        code = cities[number - 1].code
        # Keep what the consumer wrote: staff may still find the address from it.
        return {"region_code": code,
                "place": f"{routing.division_label(code)}（{said}）" if said else
                routing.division_label(code)}
    try:
        routed = _place_fields(choice)
    except PlaceUnknown:
        raise Invalid("form_city_invalid", count=len(cities)) from None
    return {**routed, "place": f"{choice}（{said}）" if said else choice}


def parse_story(text: str, fields: Fields) -> Fields:
    story = _clean(text)
    if len(re.sub(r"\W", "", story)) < MIN_STORY:
        raise Invalid("form_story_short", minimum=MIN_STORY)
    return {"story": story}


WordLists = tuple[tuple[str, tuple[str, ...]], ...]


def _word_lists(filename: str, table: str) -> WordLists:
    """``[[table]]`` entries of name + words, words lower-cased as ``normalize`` does."""
    with (DATA / filename).open("rb") as handle:
        raw = tomllib.load(handle)[table]
    return tuple((item["name"], tuple(w.lower() for w in item["words"])) for item in raw)


@cache
def demand_words() -> WordLists:
    return _word_lists("demands.toml", "demand")


def demands_in(text: str) -> list[str]:
    """The requests a text names in words, in the form's order."""
    clean = normalize(text)
    return [name for name, words in demand_words() if any(w in clean for w in words)]


def parse_demands(text: str, fields: Fields) -> Fields:
    clean = _plain(text)
    names = [name for name, _ in demand_words()]
    if re.fullmatch(r"[\d\s,，、.。和及与]+", clean):
        numbers = [int(d) for d in re.findall(r"\d", clean)]
        if not numbers or any(not 1 <= n <= len(names) for n in numbers):
            raise Invalid("form_demands_invalid", count=len(names))
        return {"demands": [names[n - 1] for n in sorted(set(numbers))]}
    chosen = demands_in(clean)
    if not chosen:
        raise Invalid("form_demands_invalid", count=len(names))
    return {"demands": chosen}


def find_phone(text: str) -> tuple[str, str] | None:
    """The first valid Chinese phone number in a text: (E.164, the text it was written as)."""
    for match in phonenumbers.PhoneNumberMatcher(_clean(text), "CN"):
        if phonenumbers.is_valid_number(match.number):
            return (phonenumbers.format_number(match.number,
                                               phonenumbers.PhoneNumberFormat.E164),
                    match.raw_string)
    return None


def parse_name(text: str, fields: Fields) -> Fields:
    clean = _clean(text)
    result: Fields = {}
    phone = find_phone(clean)
    if phone:  # "张三 13800138000" answers two questions at once
        result["phone"] = phone[0]
        clean = clean.replace(phone[1], " ")
    name = re.sub(r"^(我叫|我是|姓名|名字|叫)[:：\s]*", "", clean.strip()).strip("，,。. ")
    if any(word in name for word in _REFUSE_NAME):
        raise Invalid("form_name_required")
    if not 2 <= len(name) <= 30 or re.search(r"\d", name) or name in _NOT_NAMES:
        raise Invalid("form_name_invalid")
    result["name"] = name
    return result


def parse_phone(text: str, fields: Fields) -> Fields:
    phone = find_phone(text)
    if phone is None:
        raise Invalid("form_phone_invalid")
    return {"phone": phone[0]}


def parse_identity(text: str, fields: Fields) -> Fields:
    answer = _plain(text).rstrip("。.!！")
    if answer in {"1", "实名", "实名举报", "留", "愿意", "是", "好"} or answer.startswith("实名"):
        return {"anonymous": False}
    if answer in {"2", "匿名", "匿名举报", "不留", "不愿意", "否", "不"} or "匿名" in answer:
        return {"anonymous": True, "name": None, "phone": None}
    raise Invalid("form_identity_invalid")


def ends_evidence(text: str) -> bool:
    """"好了" / "没有": the consumer has sent all the evidence she has."""
    answer = _plain(text).rstrip("。.!！").lower()
    return answer in _DONE_WORDS or answer in _NONE_WORDS


def parse_evidence(text: str, fields: Fields) -> Fields:
    """Text at the evidence step: done, none, or a description of the evidence kept."""
    if ends_evidence(text):
        return {"evidence_done": True}
    return {"evidence_done": True, "evidence_note": _clean(text)}


def _named(fields: Fields) -> bool:
    return fields.get("anonymous") is False


COMPLAINT_STEPS: tuple[Step, ...] = (
    Step("business", "被投诉商家", "form_ask_business", parse_business),
    Step("place", "商家地址", "form_ask_place", parse_place),
    Step("story", "事情经过", "form_ask_story", parse_story),
    Step("demands", "投诉请求", "form_ask_demands", parse_demands),
    Step("name", "投诉人姓名", "form_ask_name", parse_name),
    Step("phone", "联系电话", "form_ask_phone", parse_phone),
    Step("evidence_done", "证据", "form_ask_evidence", parse_evidence),
)
REPORT_STEPS: tuple[Step, ...] = (
    Step("business", "被举报商家", "form_ask_business_report", parse_business),
    Step("place", "地址", "form_ask_place", parse_place),
    Step("story", "违法行为", "form_ask_conduct", parse_story),
    Step("evidence_done", "证据", "form_ask_evidence", parse_evidence),
    Step("anonymous", "是否实名", "form_ask_identity", parse_identity),
    Step("name", "举报人姓名", "form_ask_name_report", parse_name, applies=_named),
    Step("phone", "联系电话", "form_ask_phone", parse_phone, applies=_named),
)
STEPS: dict[str, tuple[Step, ...]] = {Kind.COMPLAINT: COMPLAINT_STEPS, Kind.REPORT: REPORT_STEPS}


# --- the form ------------------------------------------------------------------------------

def steps(form: Mapping[str, Any]) -> list[Step]:
    """The steps that apply to this form now, in order (the numbers of ``修改 N``)."""
    fields = form["fields"]
    return [s for s in STEPS[form["kind"]] if s.applies(fields)]


def step(form: Mapping[str, Any], key: str) -> Step:
    return next(s for s in STEPS[form["kind"]] if s.key == key)


def next_step(form: Mapping[str, Any]) -> str:
    """The first step still unanswered, or ``summary``."""
    for s in steps(form):
        if not s.filled(form["fields"]):
            return s.key
    return "summary"


def start(kind: Kind, text: str = "") -> dict[str, Any]:
    """A new form, pre-filled from a first message that already tells the story."""
    clean = normalize(text)
    form: dict[str, Any] = {
        "kind": kind.value, "fields": prefill(kind, text) if text else {}, "evidence": [],
        "also_report": bool(kind is Kind.COMPLAINT and (
            _ALSO_REPORT.search(clean) or patterns().report_wish.search(clean))),
    }
    form["step"] = next_step(form)
    return form


def prefill(kind: Kind, text: str) -> Fields:
    """What a story in one message already answers; the place raises ``OutOfProvince``."""
    story = _clean(_strip_wish(text))
    fields: Fields = {}
    business = find_business(story)
    if business:
        fields["business"] = business
    with contextlib.suppress(PlaceUnknown):
        fields.update(_place_fields(story, label_only=True))
    rest = story.replace(business or "", "")
    if len(re.sub(r"\W", "", rest)) >= 4 and len(re.sub(r"\W", "", story)) >= MIN_STORY:
        fields["story"] = story
    if kind is Kind.COMPLAINT and (demands := demands_in(story)):
        fields["demands"] = demands
    if phone := find_phone(story):
        fields["phone"] = phone[0]
    return fields


def _strip_wish(text: str) -> str:
    """"我要投诉福州XX超市…" → "福州XX超市…" (the wish itself is not the story)."""
    return _WISH.sub("", text.strip(), count=1)


@cache
def _suffixes() -> tuple[str, ...]:
    lines = (DATA / "business-suffixes.txt").read_text(encoding="utf-8").splitlines()
    words = {w.strip() for w in lines if w.strip() and not w.startswith("#")}
    return tuple(sorted(words, key=len, reverse=True))


def find_business(text: str) -> str | None:
    """The business's name in a story: the words before a suffix such as 超市 or 专卖店,
    without the place written in front of it ("福州鼓楼区XX超市" → "XX超市")."""
    clean = _clean(_strip_wish(text))
    lower = clean.lower()
    for suffix in _suffixes():
        at = lower.find(suffix.lower())
        if at < 1:
            continue
        start, end = at, at + len(suffix)
        while start > 0 and clean[start - 1] not in _NAME_STOPS and at - start < 20:
            start -= 1
        # "奶茶" + "店": a suffix right after the suffix belongs to the name.
        while following := next((s for s in _suffixes() if lower.startswith(s.lower(), end)),
                                None):
            end += len(following)
        name = clean[start:end]
        while (prefix := _PLACE_PREFIX.match(name)) and len(name) - prefix.end() > end - at:
            name = name[prefix.end():]
        if len(name) > end - at:
            return name
    return None


@cache
def _categories() -> WordLists:
    return _word_lists("categories.toml", "category")


def infer_category(*texts: str) -> str | None:
    """The product or service category the words point to most; staff may change it."""
    clean = normalize(" ".join(texts))
    best, best_hits = None, 0
    for name, words in _categories():
        hits = sum(1 for word in words if word in clean)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def answer(form: dict[str, Any], text: str) -> dict[str, Any]:
    """Applies the consumer's answer to the current step; returns the updated form.

    Raises ``Invalid`` (the form is unchanged), ``PlaceUnknown`` (the form now waits for a
    city) or ``OutOfProvince``.
    """
    key = form["step"]
    parser = parse_city if key == "city" else step(form, key).parse
    try:
        values = parser(text, form["fields"])
    except PlaceUnknown:
        form["fields"]["place"] = _clean(text)[:500]
        form["step"] = "city"
        raise
    form["fields"].update(values)
    return advance(form)


def advance(form: dict[str, Any]) -> dict[str, Any]:
    """Moves to the next unanswered step: after a correction that is usually the summary."""
    form["step"] = next_step(form)
    return form


def edit(form: dict[str, Any], number: int) -> dict[str, Any]:
    """``修改 N``: re-asks field N of the summary."""
    shown = steps(form)
    if not 1 <= number <= len(shown):
        raise Invalid("form_edit_invalid", count=len(shown))
    chosen = shown[number - 1]
    form["fields"].pop(chosen.key, None)
    if chosen.key == "place":
        form["fields"].pop("region_code", None)
        form["fields"].pop("lat", None)
        form["fields"].pop("lon", None)
    if chosen.key == "evidence_done":
        form["fields"].pop("evidence_note", None)
    form["step"] = chosen.key
    return form


def attach(form: dict[str, Any], item: dict[str, Any]) -> bool:
    """Keeps an image, voice or video sent during the form; False when the cap is reached."""
    if len(form["evidence"]) >= MAX_EVIDENCE:
        return False
    form["evidence"].append(item)
    return True


def shown_value(form: Mapping[str, Any], key: str) -> str:
    fields = form["fields"]
    if key == "demands":
        return "、".join(fields.get("demands", []))
    if key == "phone":
        return display_phone(fields.get("phone"))
    if key == "anonymous":
        return "匿名" if fields.get("anonymous") else "实名"
    if key == "evidence_done":
        parts = []
        if form["evidence"]:
            parts.append(f"{len(form['evidence'])}个文件")
        if fields.get("evidence_note"):
            parts.append(str(fields["evidence_note"]))
        return "；".join(parts) or "无"
    return str(fields.get(key) or "")


def display_phone(phone: str | None) -> str:
    if not phone:
        return ""
    number = phonenumbers.parse(phone, "CN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def summary_lines(form: Mapping[str, Any]) -> list[tuple[int, str, str]]:
    return [(n, s.label, shown_value(form, s.key)) for n, s in enumerate(steps(form), start=1)]


def bureau_name(form: Mapping[str, Any]) -> str:
    code = form["fields"].get("region_code")
    bureau = routing.bureau_of(code) if code else None
    return bureau.name if bureau else ""


def submit(session: Session, form: Mapping[str, Any], openid: str,
           now: dt.datetime) -> list[Ticket]:
    """Opens the ticket (and the linked report when the complaint is also one)."""
    fields = form["fields"]
    bureau = routing.bureau_of(fields["region_code"])
    assert bureau is not None, "the form only reaches the summary with a Fujian place"
    kind = Kind(form["kind"])
    category = infer_category(str(fields.get("business", "")), str(fields.get("story", "")))
    base = tickets.Draft(
        kind=kind, openid=openid, bureau_code=bureau.code, business_name=fields["business"],
        region_code=fields["region_code"], business_place=fields.get("place", ""),
        latitude=fields.get("lat"), longitude=fields.get("lon"), story=fields["story"],
        demands=list(fields.get("demands", [])) if kind is Kind.COMPLAINT else [],
        category=category, consumer_name=fields.get("name"),
        consumer_phone=fields.get("phone"), anonymous=bool(fields.get("anonymous")),
        evidence_note=fields.get("evidence_note"))
    opened = [tickets.open_ticket(session, base, now)]
    if kind is Kind.COMPLAINT and form.get("also_report"):
        report = tickets.Draft(**{**base.__dict__, "kind": Kind.REPORT, "demands": []})
        linked = tickets.open_ticket(session, report, now, linked_to=opened[0])
        opened[0].linked_ticket_id = linked.id
        opened.append(linked)
    for ticket in opened:
        for item in form.get("evidence", []):
            session.add(TicketAttachment(
                ticket_id=ticket.id, kind=item["type"], media_id=item.get("media_id"),
                url=item.get("url"), msg_id=item.get("msg_id"),
                received_at=dt.datetime.fromisoformat(item["at"])))
    session.flush()
    return opened
