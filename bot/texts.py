"""Consumer-facing text, loaded once from the TOML files in ``bot/data``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
# The dialog core's replies, then the complaint and report forms'; a key lives in one file.
TEXT_FILES = (DATA / "texts.toml", DATA / "form.toml")


@cache
def _load(paths: tuple[Path, ...] = TEXT_FILES) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in paths:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        if clash := texts.keys() & raw.keys():
            raise ValueError(f"{path.name} repeats text keys {sorted(clash)}")
        texts.update((key, value.strip()) for key, value in raw.items())
    return texts


def text(key: str, **values: Any) -> str:
    """The text named ``key`` with its placeholders filled; a missing key is a bug."""
    template = _load()[key]
    return template.format(**values) if values else template
