"""Last-resort storage for messages that arrive while the database is down.

Each message is written as one file under ``instance/spool`` (atomic rename), and
``flask journal replay`` feeds the files back through the journal once the database is
back. Nothing a consumer sent is dropped.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path


class Spool:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def put(self, raw_xml: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(raw_xml.encode("utf-8")).hexdigest()[:16]
        target = self.directory / f"{time.time_ns()}-{digest}.xml"
        temporary = target.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(raw_xml)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        return target

    def pending(self) -> Iterator[Path]:
        if self.directory.is_dir():
            yield from sorted(self.directory.glob("*.xml"))
