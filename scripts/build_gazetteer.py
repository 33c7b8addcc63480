"""Derives knowledge/gazetteer/{divisions,towns,bureaus}.tsv from ../shared/reference/.

Run from the project root when the reference data changes:

    .venv/bin/python scripts/build_gazetteer.py [REFERENCE_DIR]

The product reads only the files written here (plus the hand-made aliases, seats, outside,
excluded and not-places files beside them), never ../shared at run time.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge" / "gazetteer"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference"

# Statistical placeholder for a Taiwan-administered county: no bureau (domain.md 11.1).
NO_BUREAU = {"350527"}
PINGTAN = "350128"
PINGTAN_BUREAU = "平潭综合实验区市场监督管理局"
BUREAU_NOTE = (
    "# The 平潭 name is NOT verified (domain.md 11.1 and 13.4): it may be combined with the\n"
    "# 知识产权局. 平潭综合实验区 is prefecture-level and stands in place of 平潭县 (350128).\n"
    "# 金门县 (350527) has no bureau: it is administered by Taiwan.\n"
)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def write_tsv(path: Path, header: list[str], rows: list[list[str]], note: str = "") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(note)
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def bureau_name(division: dict[str, str], cities: dict[str, str]) -> str:
    name = division["name"]
    if division["level"] == "city" or name.endswith(("市", "县")):
        return f"{name}市场监督管理局"  # 福州市…, 福清市…, 闽侯县…
    return f"{cities[division['parent_code']]}{name}市场监督管理局"  # 福州市鼓楼区…


def main(reference: Path) -> None:
    divisions = read_tsv(reference / "fujian-divisions.tsv")
    towns = read_tsv(reference / "fujian-towns.tsv")
    cities = {d["code"]: d["name"] for d in divisions if d["level"] == "city"}

    write_tsv(OUT / "divisions.tsv", ["code", "name", "level", "parent_code"],
              [[d["code"], d["name"], d["level"], d["parent_code"]] for d in divisions])
    write_tsv(OUT / "towns.tsv", ["code", "name", "county_code"],
              [[t["code"], t["name"], t["county_code"]] for t in towns])

    prefecture = [[code, f"{name}市场监督管理局", "prefecture"] for code, name in cities.items()]
    prefecture.append([PINGTAN, PINGTAN_BUREAU, "prefecture"])
    county = [[d["code"], bureau_name(d, cities), "county"] for d in divisions
              if d["level"] == "county" and d["code"] not in NO_BUREAU | {PINGTAN}]
    write_tsv(OUT / "bureaus.tsv", ["code", "bureau", "level"], prefecture + county, BUREAU_NOTE)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE)
