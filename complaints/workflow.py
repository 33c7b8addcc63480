"""Ticket states and the transitions staff and consumers may make, as explicit tables.

Complaint (投诉): 待受理 → 已受理 | 不予受理 (a 第十六条 reason) | 转办 (to another bureau; the
acceptance deadline restarts); 已受理 → 调解中 → 调解成功 | 终止调解 (a 第二十三条 reason)
→ 已办结; the consumer may 撤回 at any open step.
Report (举报): 待核查 → 已立案 | 不予立案 → 已办结.
"""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REASONS_FILE = Path(__file__).parent / "data" / "reasons.toml"


class Kind(enum.StrEnum):
    COMPLAINT = "投诉"
    REPORT = "举报"


class Status(enum.StrEnum):
    """Stable stored values; never rename one that tickets already carry."""

    PENDING = "待受理"
    ACCEPTED = "已受理"
    REFUSED = "不予受理"
    TRANSFERRED = "转办"
    MEDIATING = "调解中"
    MEDIATED = "调解成功"
    TERMINATED = "终止调解"
    WITHDRAWN = "撤回"
    CLOSED = "已办结"
    CHECKING = "待核查"
    FILED = "已立案"
    NOT_FILED = "不予立案"


class Needs(enum.StrEnum):
    NOTHING = "nothing"
    REFUSAL_REASON = "refusal"
    TERMINATION_REASON = "termination"
    BUREAU = "bureau"


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    needs: Needs = Needs.NOTHING
    by_consumer: bool = False


S, N = Status, Needs
_OPEN_COMPLAINT = (S.PENDING, S.ACCEPTED, S.MEDIATING)
TRANSITIONS: dict[Kind, tuple[Transition, ...]] = {
    Kind.COMPLAINT: (
        Transition(S.PENDING, S.ACCEPTED),
        Transition(S.PENDING, S.REFUSED, N.REFUSAL_REASON),
        Transition(S.PENDING, S.TRANSFERRED, N.BUREAU),
        Transition(S.TRANSFERRED, S.PENDING),  # the receiving bureau takes it up
        Transition(S.ACCEPTED, S.MEDIATING),
        Transition(S.MEDIATING, S.MEDIATED),
        Transition(S.MEDIATING, S.TERMINATED, N.TERMINATION_REASON),
        Transition(S.MEDIATED, S.CLOSED),
        Transition(S.TERMINATED, S.CLOSED),
        Transition(S.REFUSED, S.CLOSED),
        *(Transition(state, S.WITHDRAWN, by_consumer=True) for state in _OPEN_COMPLAINT),
    ),
    Kind.REPORT: (
        Transition(S.CHECKING, S.FILED),
        Transition(S.CHECKING, S.NOT_FILED),
        Transition(S.FILED, S.CLOSED),
        Transition(S.NOT_FILED, S.CLOSED),
    ),
}
INITIAL = {Kind.COMPLAINT: S.PENDING, Kind.REPORT: S.CHECKING}


class TransitionError(ValueError):
    """A move the rules do not allow, or one without the reason or bureau it needs."""


@cache
def reasons(kind: Needs) -> tuple[str, ...]:
    with REASONS_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)[kind.value])


def allowed(kind: Kind, source: Status, *, by_consumer: bool = False) -> tuple[Transition, ...]:
    """What may follow ``source``: staff see their moves, consumers only theirs."""
    return tuple(t for t in TRANSITIONS[kind]
                 if t.source is source and t.by_consumer is by_consumer)


def check(kind: Kind, source: Status, target: Status, *, by_consumer: bool = False,
          reason: str | None = None, bureau: str | None = None) -> Transition:
    """The transition, or ``TransitionError`` saying why it may not happen."""
    for transition in allowed(kind, source, by_consumer=by_consumer):
        if transition.target is target:
            break
    else:
        raise TransitionError(f"{kind}: {source} → {target} is not allowed")
    needs_reason = transition.needs in {Needs.REFUSAL_REASON, Needs.TERMINATION_REASON}
    if needs_reason and reason not in reasons(transition.needs):
        raise TransitionError(f"{source} → {target} needs one of the listed reasons")
    if transition.needs is Needs.BUREAU and not bureau:
        raise TransitionError("a transfer needs the receiving bureau")
    return transition
