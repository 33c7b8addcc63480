"""Where a complaint goes: text (or a location) → region code → bureau.

The rules (domain.md 11, design.md): the business's place decides, not the consumer's; the
平潭综合实验区 (350128) has its own bureau; 金门 and 马祖 have none; outside Fujian the
consumer is sent to the national 12315 platform and no Fujian ticket is opened; a known
city without a county goes to the city bureau's queue; nothing known → ask (``city_choices``).
A phone number's home area only breaks ties.

How a text is read:
1. every gazetteer word is found, longest first (not-places hide what they contain);
2. words written next to each other form one place ("南京鼓楼", "泉州德化");
3. the words around each place add up to a score (``data/routing-cues.tsv``): the
   consumer's home and workplace are set aside, the business's place counts most;
4. places that agree (a city and its county) are pooled; the best-scoring pool wins and
   gives its most specific place.
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
# A point farther than this from every Fujian county seat is outside the province: no spot
# in Fujian is that far from its own seat, while 梅州 and 汕头 are (about 60-80 km).
MAX_SEAT_DISTANCE_KM = 50.0
_HOME_LIMIT = -2  # a place scoring at or below this is the consumer's, never the business's
_HERE = -1  # where the consumer is now: used only when nothing better is said, offline
# What may stand between two words of one place: "南京市鼓楼区" has 南京 + 市 + 鼓楼区.
_JOINER = re.compile(r"[省市]?\s?")

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
    """One place the text names: a Fujian division, or outside (code None)."""

    code: str | None
    label: str
    score: int
    position: int
    excluded: bool = False  # 金门/马祖/台湾: outside, and for a different reason


@cache
def _cues() -> tuple[_Cue, ...]:
    with (DATA / "routing-cues.tsv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")),
                              delimiter="\t")
        return tuple(_Cue(row["role"], int(row["weight"]),
                          re.compile(f"(?:{row['before']})$") if row["before"] else None,
                          re.compile(f"^(?:{row['after']})") if row["after"] else None)
                     for row in rows)


@cache
def _online_words() -> tuple[str, ...]:
    text = (DATA / "online-words.txt").read_text(encoding="utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def route(text: str, location: tuple[float, float] | None = None,
          phone: str | None = None) -> Route:
    """Routes a complaint. A location (lat, lon), when given, is the answer to "where is the
    business" and wins over the text."""
    g = gazetteer()
    if location is not None:
        return route_point(*location)
    clean = normalize(text)
    places = _places(clean, g, _phone_city(phone, g))
    online = any(word in clean for word in _online_words())
    places = [p for p in places
              if p.score > _HOME_LIMIT and not (p.score == _HERE and online)]
    if not places:
        return Route(None, "unknown", None, "no place of the business found")
    return _decide(places, g, _phone_city(phone, g))


def route_point(lat: float, lon: float) -> Route:
    """A location message: the nearest county seat, or OUT when it is far from all."""
    g = gazetteer()
    distance, seat = min((_haversine_km(lat, lon, s.lat, s.lon), s) for s in g.seats)
    if distance > MAX_SEAT_DISTANCE_KM:
        return Route(OUT, "out", None, f"location outside Fujian ({distance:.0f} km from the "
                                       f"nearest county seat)")
    if seat.code is None:
        return _excluded(seat.name)
    return _to_bureau(seat.code, g, f"location {distance:.1f} km from the seat of {seat.name}")


def city_choices() -> tuple[Bureau, ...]:
    """The ten prefecture-level bureaus (nine cities, then 平潭) for the "ask" case."""
    return gazetteer().prefecture_bureaus()


def bureau_for(region_code: str) -> str | None:
    """The bureau of a county or city code (the dialog's answer to ``city_choices``)."""
    g = gazetteer()
    if region_code not in g.divisions:
        return None
    bureau = g.bureaus.get(region_code) or g.bureaus.get(g.prefecture(region_code))
    return bureau.name if bureau else None


def _to_bureau(code: str, g: Gazetteer, reason: str) -> Route:
    level: Level = "city" if g.divisions[code].level == "city" else "county"
    return Route(code, level, bureau_for(code), reason)


def _excluded(name: str) -> Route:
    # 金门/马祖 are in the NBS data but administered by Taiwan: no mainland bureau, so no
    # Fujian ticket; OUT tells the dialog not to open one (domain.md 11.1).
    return Route(OUT, "out", None, f"{name}: administered by Taiwan, no mainland bureau")


def _decide(places: list[_Place], g: Gazetteer, phone_city: str | None) -> Route:
    """Pools agreeing places by city; the best pool gives its most specific place."""
    pools: dict[str, list[_Place]] = {}
    for place in places:
        pools.setdefault(g.city_of(place.code) if place.code else OUT, []).append(place)

    def rank(key: str) -> tuple[int, bool, int]:
        pool = pools[key]
        # Score first; on a tie the phone's home city, then the place named last (the story
        # usually ends where the trouble happened).
        return (max(p.score for p in pool), key == phone_city, max(p.position for p in pool))

    key = max(pools, key=rank)
    pool = pools[key]
    if key == OUT:
        place = max(pool, key=lambda p: (p.score, p.position))
        if place.excluded:
            return _excluded(place.label)
        return Route(OUT, "out", None, f"outside Fujian: {place.label}")
    counties = [p for p in pool if g.divisions[p.code or ""].level == "county"]
    if counties:
        best = max(p.score for p in counties)
        codes = {p.code for p in counties if p.score == best}
        if len(codes) == 1:
            place = next(p for p in counties if p.score == best)
            return _to_bureau(place.code or "", g, f"county from {place.label}")
    labels = "/".join(dict.fromkeys(p.label for p in pool))
    reason = "city only" if not counties else "several counties"
    return _to_bureau(key, g, f"{reason}: {labels}")


def _places(text: str, g: Gazetteer, phone_city: str | None) -> list[_Place]:
    mentions = _scan(text, g)
    chains = _chains(text, mentions)
    scored = [(chain, *_score(text, chain, mentions)) for chain in chains]
    # A weak word counts only next to another place or with a place cue around it.
    kept: list[tuple[list[_Mention], int]] = []
    for chain, score, cued in scored:
        keep_weak = cued or len(chain) > 1
        chain = [replace(m, readings=tuple(r for r in m.readings if keep_weak or not r.weak))
                 for m in chain]
        chain = [m for m in chain if m.readings]
        if chain:
            kept.append((chain, score))
    context = _context(m for chain, _ in kept for m in chain)
    places = []
    for chain, score in kept:
        place = _resolve_chain(chain, context, g, phone_city)
        if place is not None:
            places.append(replace(place, score=score, position=chain[0].start))
    return places


def _scan(text: str, g: Gazetteer) -> list[_Mention]:
    """All gazetteer words, longest first, then leftmost; not-places are found and dropped."""
    found = [(start, end) for start in range(len(text))
             for end in range(start + 1, min(len(text), start + g.longest_name) + 1)
             if text[start:end] in g.names]
    found.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken = [False] * len(text)
    mentions = []
    for start, end in found:
        if any(taken[start:end]):
            continue
        taken[start:end] = [True] * (end - start)
        readings = g.names[text[start:end]]
        if readings[0].kind != "not_place":
            mentions.append(_Mention(start, end, readings))
    return sorted(mentions, key=lambda m: m.start)


def _chains(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    """Mentions written back to back (a space or 省/市 between) name one place."""
    chains: list[list[_Mention]] = []
    for mention in mentions:
        if chains and _JOINER.fullmatch(text[chains[-1][-1].end:mention.start]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    return chains


def _score(text: str, chain: list[_Mention], mentions: list[_Mention]) -> tuple[int, bool]:
    """The cue weights around a chain (each role once) and whether any cue matched."""
    start, end = chain[0].start, chain[-1].end
    before_start = max((m.end for m in mentions if m.end <= start), default=0)
    after_end = min((m.start for m in mentions if m.start >= end), default=len(text))
    before, after = text[before_start:start], text[end:after_end]
    roles = {cue.role: cue.weight for cue in _cues()
             if (cue.before is None or cue.before.search(before))
             and (cue.after is None or cue.after.search(after))}
    return sum(roles.values()), bool(roles)


def _context(mentions: Iterable[_Mention]) -> set[str]:
    """Cities named without ambiguity; they choose between the readings of other words."""
    g = gazetteer()
    cities = set()
    for mention in mentions:
        codes = {r.code for r in mention.readings if r.context is None}
        if len(codes) == 1 and None not in codes:
            cities.add(g.city_of(codes.pop() or ""))
    return cities


def _resolve(mention: _Mention, context: set[str], g: Gazetteer,
             phone_city: str | None) -> _Place | None:
    """One reading of a word: outside, or the Fujian division the context supports."""
    readings = [r for r in mention.readings if r.context is None or r.context in context]
    if not readings:
        return None
    if all(r.code is None for r in readings):
        return _Place(None, readings[0].label, 0, mention.start,
                      excluded=readings[0].kind == "excluded")
    fujian = [r for r in readings if r.code is not None]
    supported = [r for r in fujian if g.city_of(r.code or "") in context]
    pool = supported or fujian
    cities = {g.city_of(r.code or "") for r in pool}
    if len(cities) > 1 and phone_city in cities:  # the phone only breaks a tie
        pool = [r for r in pool if g.city_of(r.code or "") == phone_city]
        cities = {phone_city}
    if len(cities) > 1:
        return None  # a town name in several cities and nothing to choose by
    city = cities.pop()
    counties = {r.code for r in pool if r.code != city}
    # 荔城, a district and 莆田's nickname, is the district only when 莆田 is named too.
    if len(counties) == 1 and (supported or len(pool) == 1):
        code = counties.pop() or ""
    else:
        code = city
    return _Place(code, _label(pool, code), 0, mention.start)


def _label(readings: list[Name], code: str) -> str:
    return next((r.label for r in readings if r.code == code), readings[0].label)


def _resolve_chain(chain: list[_Mention], context: set[str], g: Gazetteer,
                   phone_city: str | None) -> _Place | None:
    """Back-to-back words: outside if any is (南京鼓楼), else the most specific that agrees
    with the ones before it (泉州德化 → 德化; 厦门鼓楼 → 厦门)."""
    places = [p for m in chain if (p := _resolve(m, context, g, phone_city)) is not None]
    outside = [p for p in places if p.code is None]
    if outside:
        return outside[0]
    current: _Place | None = None
    for place in places:
        if current is None or _within(place.code or "", current.code or "", g):
            current = place
        elif not _within(current.code or "", place.code or "", g):
            continue  # disagrees with what came first: the first word qualifies the rest
    return current


def _within(code: str, other: str, g: Gazetteer) -> bool:
    """``code`` is ``other`` or lies inside it."""
    return code == other or g.divisions[code].parent == other


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


__all__ = ["OUT", "PINGTAN", "Route", "bureau_for", "city_choices", "route", "route_point"]
