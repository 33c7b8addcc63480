"""The Fujian gazetteer: divisions, towns, other names, county seats and bureaus.

The data is in ``knowledge/gazetteer/`` (package data beside this module; a module file
wins over a directory without ``__init__.py``, so the two names do not clash).
``divisions``, ``towns`` and ``bureaus`` are derived from the NBS 2023 data by
``scripts/build_gazetteer.py``; the other files are written by hand. Everything is read
once per process.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from knowledge.normalize import normalize

DATA = Path(__file__).parent / "gazetteer"
PINGTAN = "350128"  # 平潭县: the 平潭综合实验区, a prefecture-level body of its own
_TOWN_SUFFIX = re.compile(r"(街道|镇|(畲族|回族)?乡)$")  # 坂中畲族乡 → 坂中

Kind = Literal["city", "county", "town", "short", "former", "nickname", "landmark", "outside",
               "excluded", "not_place"]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Literal["city", "county"]
    parent: str

    @property
    def city(self) -> str:
        """The statistical city (平潭 belongs to 福州 here; see ``Gazetteer.prefecture``)."""
        return self.code if self.level == "city" else self.parent


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    county: str


@dataclass(frozen=True)
class Seat:
    """A county seat, or with ``code`` None a place no Fujian bureau serves (金门, 马祖)."""

    code: str | None
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Bureau:
    code: str
    name: str
    prefecture: bool


@dataclass(frozen=True)
class Name:
    """One reading of a word found in a text."""

    code: str | None  # division code; None for outside, excluded and not_place
    kind: Kind
    label: str  # the word as the data spells it
    weak: bool = False  # counts only next to another place or a place cue
    context: str | None = None  # a city code the text must also name


@dataclass(frozen=True)
class Gazetteer:
    divisions: dict[str, Division]
    towns: tuple[Town, ...]
    seats: tuple[Seat, ...]
    bureaus: dict[str, Bureau]
    names: dict[str, tuple[Name, ...]]  # normalised word → its readings

    @property
    def longest_name(self) -> int:
        return max(map(len, self.names))

    def city_of(self, code: str) -> str:
        return self.divisions[code].city

    def prefecture(self, code: str) -> str:
        """The code of the prefecture-level bureau's area: 平潭 is its own."""
        return PINGTAN if code == PINGTAN else self.city_of(code)

    def prefecture_bureaus(self) -> tuple[Bureau, ...]:
        return tuple(b for b in self.bureaus.values() if b.prefecture)


def _rows(filename: str) -> Iterator[dict[str, str]]:
    """TSV rows with a header; lines starting with # are comments."""
    with (DATA / filename).open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t")


def _words(filename: str) -> list[str]:
    text = (DATA / filename).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _names(divisions: dict[str, Division], towns: tuple[Town, ...]) -> dict[str, tuple[Name, ...]]:
    names: dict[str, list[Name]] = {}

    def add(word: str, name: Name) -> None:
        readings = names.setdefault(normalize(word), [])
        if name not in readings:
            readings.append(name)

    for phrase in _words("not_places.txt"):
        add(phrase, Name(None, "not_place", phrase))
    excluded = [row["name"] for row in _rows("excluded.tsv")]
    for word in excluded:
        add(word, Name(None, "excluded", word, weak=True))
    for row in _rows("outside.tsv"):
        add(row["name"], Name(None, "outside", row["name"], weak=True))
    for division in divisions.values():
        add(division.name, Name(division.code, division.level, division.name))
    for row in _rows("aliases.tsv"):
        flags = dict(flag.partition("=")[::2] for flag in row["flags"].split(",") if flag)
        add(row["alias"], Name(row["code"], row["kind"], row["alias"],  # type: ignore[arg-type]
                               weak="weak" in flags, context=flags.get("ctx")))

    # Towns come last and never take a word that already names something else: a county's
    # short name beats a town's (古田县 over 上杭's 古田镇), and so do other provinces' places.
    taken = set(names)
    stop = set(_words("town_short_stop.txt"))
    for town in towns:
        if town.county not in divisions or town.name in excluded:
            continue
        if normalize(town.name) not in taken:
            add(town.name, Name(town.county, "town", town.name))
        short = _TOWN_SUFFIX.sub("", town.name)
        if short != town.name and len(short) >= 2 and short not in stop \
                and normalize(short) not in taken:
            add(short, Name(town.county, "town", town.name, weak=len(short) == 2))
    return {word: tuple(readings) for word, readings in names.items()}


@cache
def gazetteer() -> Gazetteer:
    excluded_codes = {"350527"}  # 金门县: a statistical placeholder, see excluded.tsv
    divisions = {row["code"]: Division(row["code"], row["name"], row["level"],  # type: ignore[arg-type]
                                       row["parent_code"])
                 for row in _rows("divisions.tsv") if row["code"] not in excluded_codes}
    towns = tuple(Town(row["code"], row["name"], row["county_code"]) for row in _rows("towns.tsv"))
    seats = tuple(Seat(row["code"], row["name"], float(row["lat"]), float(row["lon"]))
                  for row in _rows("seats.tsv"))
    seats += tuple(Seat(None, row["name"], float(row["lat"]), float(row["lon"]))
                   for row in _rows("excluded.tsv") if row["lat"])
    bureaus = {row["code"]: Bureau(row["code"], row["bureau"], row["level"] == "prefecture")
               for row in _rows("bureaus.tsv")}
    return Gazetteer(divisions, towns, seats, bureaus, _names(divisions, towns))
