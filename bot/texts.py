"""Consumer-facing text, loaded once from ``bot/data/texts.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

TEXTS_FILE = Path(__file__).parent / "data" / "texts.toml"


@cache
def _load(path: Path = TEXTS_FILE) -> dict[str, str]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return {key: value.strip() for key, value in raw.items()}


def text(key: str, **values: Any) -> str:
    """The text named ``key`` with its placeholders filled; a missing key is a bug."""
    template = _load()[key]
    return template.format(**values) if values else template
