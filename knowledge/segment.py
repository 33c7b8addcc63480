"""Tokens for matching: jieba with the domain dictionary, synonyms and stop words.

jieba's dictionary is loaded once per process (and cached on disk by jieba); the
synonym table turns consumers' words into the knowledge base's words.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import jieba

from knowledge.normalize import normalize

DATA = Path(__file__).parent / "data"


@cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with (DATA / "userdict.txt").open("rb") as handle:  # jieba leaves a path's file open
        tokenizer.load_userdict(handle)
    for canonical in _synonyms()[1].values():
        tokenizer.add_word(canonical, freq=50000)
    return tokenizer


@cache
def _synonyms() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """(pattern of multi-character variants, variant → canonical for all variants)."""
    mapping: dict[str, str] = {}
    for line in (DATA / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("canonical\t"):
            continue
        canonical, _, variants = line.partition("\t")
        for variant in variants.split(","):
            variant = normalize(variant)
            if variant and variant != canonical:
                mapping.setdefault(variant, canonical)
    phrases = sorted((v for v in mapping if len(v) > 1), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, phrases))) if phrases else None
    return pattern, mapping


@cache
def _stopwords() -> frozenset[str]:
    words = (DATA / "stopwords.txt").read_text(encoding="utf-8").split()
    return frozenset(words)


def canonical_text(text: str) -> str:
    """Normalised text with multi-character synonyms replaced by their canonical word."""
    text = normalize(text)
    pattern, mapping = _synonyms()
    return pattern.sub(lambda m: mapping[m.group(0)], text) if pattern else text


def tokens(text: str) -> list[str]:
    """Content tokens of ``text`` after normalisation and synonyms, in order."""
    _, mapping = _synonyms()
    stop = _stopwords()
    result = []
    for token in _tokenizer().lcut(canonical_text(text)):
        token = token.strip()
        if not token or not any(ch.isalnum() for ch in token):
            continue
        token = mapping.get(token, token)
        # Bare numbers (amounts, dates, quantities) and lone Latin letters say nothing about
        # which question it is.
        if token not in stop and not token.isdigit() and not (len(token) == 1
                                                             and token.isascii()):
            result.append(token)
    return result


def warm_up() -> None:
    """Loads the dictionary now (at start-up) rather than on the first message."""
    _tokenizer().initialize()
    tokens("预热")
