"""Where a complaint goes: text (or a location) → region code → bureau.

The rules (domain.md 11, design.md): the business's place decides, not the consumer's; the
平潭综合实验区 (350128) has its own bureau; 金门 and 马祖 have none; outside Fujian the
consumer is sent to the national 12315 platform and no Fujian ticket is opened; a known
city without a county goes to the city bureau's queue; nothing known → ask with
``city_choices``. A phone number's home area only ever breaks a tie.

How a text is read:
1. every gazetteer word is found, longest first; not-places (沙县小吃) hide what they contain;
2. words written back to back are one place ("南京鼓楼" is in 南京, "泉州德化" is 德化);
3. the words around a place add up to a score (``data/routing-cues.tsv``): the consumer's
   home and workplace drop out, the business's place counts most;
4. places of one city are pooled; the best-scoring pool gives its most specific place.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal

import phonenumbers
from phonenumbers import geocoder

from knowledge.gazetteer import PINGTAN, Bureau, Gazetteer, Name, gazetteer
from knowledge.normalize import normalize

DATA = Path(__file__).parent / "data"
OUT = "OUT"
# Farther than this from every Fujian county seat is outside the province: no spot in Fujian
# is that far from its own seat, while 梅州 and 汕头 are 60-80 km from the nearest one.
MAX_SEAT_DISTANCE_KM = 50.0
HOME_LIMIT = -2  # a place scoring this or less is the consumer's home or workplace
HERE = -1  # where the consumer is: used only when nothing better is said and not online
# What may stand between two words of one place: "南京市鼓楼区" is 南京 + 市 + 鼓楼区. Not a
# space: consumers separate clauses with spaces ("我住在厦门 福州一家店").
_JOINER = re.compile(r"[省市]?")
# Streets and estates named after other places (上海新村, 北京路) are in every Fujian city.
_STREET = re.compile(r"路|街|大道|巷|新村|小区|花园|大厦|广场")

Level = Literal["county", "city", "out", "unknown"]


@dataclass(frozen=True)
class Route:
    region_code: str | None  # county code, city code, "OUT" or None
    level: Level
    bureau: str | None
    reason: str


@dataclass(frozen=True)
class _Cue:
    role: str
    weight: int
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    readings: tuple[Name, ...]


@dataclass(frozen=True)
class _Place:
    """A place the text names: a Fujian division, or outside Fujian (``code`` None)."""

    code: str | None
    label: str
    score: int = 0
    position: int = 0
    excluded: bool = False  # 金门/马祖/台湾: no mainland bureau


@cache
def _cues() -> tuple[_Cue, ...]:
    with (DATA / "routing-cues.tsv").open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return tuple(_Cue(row["role"], int(row["weight"]),
                          re.compile(f"(?:{row['before']})$") if row["before"] else None,
                          re.compile(f"^(?:{row['after']})") if row["after"] else None)
                     for row in csv.DictReader(lines, delimiter="\t"))


@cache
def _online_words() -> tuple[str, ...]:
    lines = (DATA / "online-words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def route(text: str, location: tuple[float, float] | None = None,
          phone: str | None = None) -> Route:
    """Routes a complaint. A location (lat, lon) answers "where is the business" precisely,
    so when given it wins over the text."""
    if location is not None:
        return route_point(*location)
    g = gazetteer()
    clean = normalize(text)
    phone_city = _phone_city(phone, g)
    online = any(word in clean for word in _online_words())
    places = [p for p in _places(clean, g, phone_city)
              if p.score > HOME_LIMIT and not (p.score == HERE and online)]
    if not places:
        return Route(None, "unknown", None, "no place of the business found")
    return _decide(places, g, phone_city)


def route_point(lat: float, lon: float) -> Route:
    """A location message: the nearest county seat, or OUT when far from all of them."""
    g = gazetteer()
    seat = min(g.seats, key=lambda s: _haversine_km(lat, lon, s.lat, s.lon))
    distance = _haversine_km(lat, lon, seat.lat, seat.lon)
    if distance > MAX_SEAT_DISTANCE_KM:
        return Route(OUT, "out", None,
                     f"location outside Fujian ({distance:.0f} km from the nearest seat)")
    if seat.code is None:
        return _excluded(seat.name)
    return _division(seat.code, g, f"location {distance:.1f} km from the seat of {seat.name}")


def city_choices() -> tuple[Bureau, ...]:
    """The ten prefecture-level bureaus, nine cities then 平潭, for the "ask" case."""
    return gazetteer().prefecture_bureaus()


def division_label(region_code: str) -> str:
    """"福州市鼓楼区" for a county, "福州市" for a city, "平潭综合实验区" for 350128."""
    g = gazetteer()
    division = g.divisions[region_code]
    if region_code == PINGTAN:
        return "平潭综合实验区"
    if division.level == "city" or division.name.endswith("市"):  # 福清市 needs no 福州市
        return division.name
    return g.divisions[division.parent].name + division.name


def bureau_of(region_code: str) -> Bureau | None:
    """The bureau of a county or city code; None for OUT, unknown codes and 金门."""
    g = gazetteer()
    if region_code not in g.divisions:
        return None
    return g.bureaus.get(region_code) or g.bureaus[g.prefecture(region_code)]


def bureau_for(region_code: str) -> str | None:
    """The name of ``bureau_of``."""
    bureau = bureau_of(region_code)
    return bureau.name if bureau else None


def _division(code: str, g: Gazetteer, reason: str) -> Route:
    level: Level = "city" if g.divisions[code].level == "city" else "county"
    return Route(code, level, bureau_for(code), reason)


def _excluded(name: str) -> Route:
    # In the NBS data but administered by Taiwan: no mainland bureau and no Fujian ticket,
    # so the same answer as outside Fujian (domain.md 11.1).
    return Route(OUT, "out", None, f"{name}: administered by Taiwan, no mainland bureau")


def _decide(places: list[_Place], g: Gazetteer, phone_city: str | None) -> Route:
    """Pools the places by city; the best pool gives its most specific place."""
    pools: dict[str, list[_Place]] = {}
    for place in places:
        pools.setdefault(g.city_of(place.code) if place.code else OUT, []).append(place)

    def rank(key: str) -> tuple[int, bool, int]:
        # Score first; on a tie the phone's home city, then the place named last (a story
        # usually ends where the trouble happened).
        pool = pools[key]
        return max(p.score for p in pool), key == phone_city, max(p.position for p in pool)

    key = max(pools, key=rank)
    pool = pools[key]
    if key == OUT:
        place = max(pool, key=lambda p: (p.score, p.position))
        if place.excluded:
            return _excluded(place.label)
        return Route(OUT, "out", None, f"outside Fujian: {place.label}")
    counties = [p for p in pool if p.code != key]
    if counties:
        best = max(p.score for p in counties)
        top = [p for p in counties if p.score == best]
        if len({p.code for p in top}) == 1 and top[0].code:
            return _division(top[0].code, g, f"county from {top[0].label}")
    labels = "/".join(dict.fromkeys(p.label for p in pool))
    return _division(key, g, f"{'several counties' if counties else 'city only'}: {labels}")


def _places(text: str, g: Gazetteer, phone_city: str | None) -> list[_Place]:
    mentions = _scan(text, g)
    kept: list[tuple[list[_Mention], int]] = []
    for chain in _chains(text, mentions):
        score, cued = _score(text, chain, mentions)
        # A weak word (平和, 马尾, 上海…) counts only beside another place or with a cue.
        keep_weak = cued or len(chain) > 1
        chain = [replace(m, readings=tuple(r for r in m.readings
                                           if _counts(r, text, m.end, keep_weak)))
                 for m in chain]
        chain = [m for m in chain if m.readings]
        if chain:
            kept.append((chain, score))
    context = _context((m for chain, _ in kept for m in chain), g)
    places = []
    for chain, score in kept:
        place = _resolve_chain(chain, context, g, phone_city)
        if place is not None:
            places.append(replace(place, score=score, position=chain[0].start))
    return places


def _counts(reading: Name, text: str, end: int, keep_weak: bool) -> bool:
    if reading.weak and not keep_weak:
        return False
    return reading.code is not None or not _STREET.match(text, end)


def _scan(text: str, g: Gazetteer) -> list[_Mention]:
    """Gazetteer words in the text, longest first, then leftmost; not-places are dropped."""
    spans = [(start, end) for start in range(len(text))
             for end in range(start + 1, min(len(text), start + g.longest_name) + 1)
             if text[start:end] in g.names]
    spans.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken = [False] * len(text)
    mentions = []
    for start, end in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = [True] * (end - start)
        readings = g.names[text[start:end]]
        if readings[0].kind != "not_place":
            mentions.append(_Mention(start, end, readings))
    return sorted(mentions, key=lambda m: m.start)


def _chains(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    chains: list[list[_Mention]] = []
    for mention in mentions:
        if chains and _JOINER.fullmatch(text[chains[-1][-1].end:mention.start]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    return chains


def _score(text: str, chain: list[_Mention], mentions: list[_Mention]) -> tuple[int, bool]:
    """The weights of the cues around a chain (each role counted once), and whether any
    cue matched. The text looked at stops at the neighbouring mentions."""
    start, end = chain[0].start, chain[-1].end
    before = text[max((m.end for m in mentions if m.end <= start), default=0):start]
    after = text[end:min((m.start for m in mentions if m.start >= end), default=len(text))]
    roles = {cue.role: cue.weight for cue in _cues()
             if (cue.before is None or cue.before.search(before))
             and (cue.after is None or cue.after.search(after))}
    return sum(roles.values()), bool(roles)


def _context(mentions: Iterable[_Mention], g: Gazetteer) -> set[str]:
    """The cities named without ambiguity: they choose among other words' readings."""
    cities = set()
    for mention in mentions:
        codes = {r.code for r in mention.readings if r.context is None}
        if len(codes) == 1 and (code := codes.pop()) is not None:
            cities.add(g.city_of(code))
    return cities


def _resolve(mention: _Mention, context: set[str], g: Gazetteer,
             phone_city: str | None) -> _Place | None:
    """The reading of one word that the context supports, or None if none or several."""
    readings = [r for r in mention.readings if r.context is None or r.context in context]
    if not readings:
        return None
    fujian = {r.code: r for r in readings if r.code is not None}
    if not fujian:
        return _Place(None, readings[0].label, excluded=readings[0].kind == "excluded")
    supported = {c: r for c, r in fujian.items() if g.city_of(c) in context}
    pool = supported or fujian
    cities = {g.city_of(c) for c in pool}
    if len(cities) > 1 and phone_city in cities:  # the phone only breaks a tie
        pool = {c: r for c, r in pool.items() if g.city_of(c) == phone_city}
        cities = {phone_city}
    if len(cities) > 1:
        return None  # e.g. a town name found in two cities, and nothing to choose by
    city = cities.pop()
    counties = [c for c in pool if c != city]
    # 荔城 is a district and 莆田's nickname: the district only when 莆田 is named too.
    if len(counties) == 1 and (supported or len(pool) == 1):
        return _Place(counties[0], pool[counties[0]].label)
    return _Place(city, pool.get(city, readings[0]).label)


def _resolve_chain(chain: list[_Mention], context: set[str], g: Gazetteer,
                   phone_city: str | None) -> _Place | None:
    """The first word qualifies the rest: outside if it is (南京鼓楼); else the most specific
    word that lies within the ones before it (泉州德化 → 德化; 厦门鼓楼 stays 厦门; 泉州金门
    is 金门). Later outside words are street names (台江上海新村)."""
    # The chain's own city comes first: 泉州中山路 is 泉州's even when 厦门 is named elsewhere.
    context = _context(chain, g) or context
    places = [p for m in chain if (p := _resolve(m, context, g, phone_city)) is not None]
    if places and places[0].code is None:
        return places[0]
    excluded = [p for p in places if p.excluded]
    if excluded:
        return excluded[0]
    current: _Place | None = None
    for place in (p for p in places if p.code is not None):
        if current is None or g.divisions[place.code or ""].parent == current.code:
            current = place
    return current


def _phone_city(phone: str | None, g: Gazetteer) -> str | None:
    """The Fujian city of a phone number's home area (归属地), if any."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return None
    description = geocoder.description_for_number(number, "zh")
    return next((d.code for d in g.divisions.values()
                 if d.level == "city" and d.name in description), None)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
