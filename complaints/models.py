"""Tables of the complaints side."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class Bureau(Base):
    """A market-regulation bureau that handles tickets: the ten prefecture-level ones
    (nine cities and 平潭综合实验区) and every county-level one, keyed by division code."""

    __tablename__ = "bureau"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefecture: Mapped[bool]
    # The prefecture-level bureau above a county bureau (None for prefecture-level ones).
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("bureau.code"))


class TicketCounter(Base):
    """The last ticket sequence number handed out on one day (China time)."""

    __tablename__ = "ticket_counter"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    last: Mapped[int]
