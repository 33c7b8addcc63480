"""Text clean-up before matching: width, script, emoji and noise."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

# Emoji, pictographs and dingbats separate words; zero-width characters and variation
# selectors are simply dropped.
_NOISE = re.compile("[\U0001f000-\U0001faff\U00002600-\U000027bf]+")
_INVISIBLE = re.compile("[\ufe00-\ufe0f\u200b-\u200f\u2060\ufeff\u20e3]+")
# WeChat's typed emoji arrive as text like [微笑] or /:) ; bracketed words of up to 4 chars.
_WECHAT_EMOJI = re.compile(r"\[[\u4e00-\u9fff a-zA-Z]{1,4}\]|/:[^\s]{1,6}")
_SPACES = re.compile(r"\s+")
# Everything that is neither a letter, digit nor a CJK character is a separator.
_SEPARATORS = re.compile(r"[^\w\u4e00-\u9fff]+")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Half-width, simplified, lower-case text with emoji removed and spaces collapsed.

    Punctuation is kept (the intent rules read it); see ``plain`` for matching.
    """
    text = unicodedata.normalize("NFKC", text)  # full-width letters, digits and signs
    text = _WECHAT_EMOJI.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _NOISE.sub(" ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"So", "Sk", "Cs", "Co"})
    text = _converter().convert(text)
    return _SPACES.sub(" ", text).strip().lower()


def plain(text: str) -> str:
    """``normalize`` without punctuation or spaces: the string fuzzy matching compares."""
    return _SEPARATORS.sub("", normalize(text)).replace("_", "")
