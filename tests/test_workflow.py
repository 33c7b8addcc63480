"""The transition tables: every legal move, the reasons they need, and what is refused."""

from __future__ import annotations

import pytest

from complaints.workflow import (
    INITIAL,
    Kind,
    Needs,
    Status,
    TransitionError,
    allowed,
    check,
    reasons,
)

S = Status


def test_reason_lists_match_the_rules() -> None:
    assert len(reasons(Needs.REFUSAL_REASON)) == 7  # 第十六条
    assert len(reasons(Needs.TERMINATION_REASON)) == 8  # 第二十三条第一款
    assert any("六十日" in r for r in reasons(Needs.TERMINATION_REASON))


def test_a_complaint_from_receipt_to_closing() -> None:
    assert INITIAL[Kind.COMPLAINT] is S.PENDING
    path = [(S.PENDING, S.ACCEPTED), (S.ACCEPTED, S.MEDIATING), (S.MEDIATING, S.MEDIATED),
            (S.MEDIATED, S.CLOSED)]
    for source, target in path:
        check(Kind.COMPLAINT, source, target)
    termination = reasons(Needs.TERMINATION_REASON)[4]
    check(Kind.COMPLAINT, S.MEDIATING, S.TERMINATED, reason=termination)
    check(Kind.COMPLAINT, S.TERMINATED, S.CLOSED)


def test_refusal_needs_a_listed_reason() -> None:
    with pytest.raises(TransitionError, match="reasons"):
        check(Kind.COMPLAINT, S.PENDING, S.REFUSED)
    with pytest.raises(TransitionError, match="reasons"):
        check(Kind.COMPLAINT, S.PENDING, S.REFUSED, reason="商家态度好")
    check(Kind.COMPLAINT, S.PENDING, S.REFUSED, reason=reasons(Needs.REFUSAL_REASON)[0])


def test_transfer_needs_a_bureau() -> None:
    with pytest.raises(TransitionError, match="bureau"):
        check(Kind.COMPLAINT, S.PENDING, S.TRANSFERRED)
    check(Kind.COMPLAINT, S.PENDING, S.TRANSFERRED, bureau="350206")
    check(Kind.COMPLAINT, S.TRANSFERRED, S.PENDING)


def test_only_the_consumer_withdraws_and_only_while_open() -> None:
    for state in (S.PENDING, S.ACCEPTED, S.MEDIATING):
        check(Kind.COMPLAINT, state, S.WITHDRAWN, by_consumer=True)
        with pytest.raises(TransitionError):
            check(Kind.COMPLAINT, state, S.WITHDRAWN)  # staff cannot withdraw for them
    for state in (S.REFUSED, S.MEDIATED, S.CLOSED):
        with pytest.raises(TransitionError):
            check(Kind.COMPLAINT, state, S.WITHDRAWN, by_consumer=True)


@pytest.mark.parametrize(("source", "target"), [
    (S.PENDING, S.MEDIATING), (S.PENDING, S.CLOSED), (S.ACCEPTED, S.REFUSED),
    (S.CLOSED, S.ACCEPTED), (S.MEDIATED, S.TERMINATED),
])
def test_skipping_steps_is_refused(source: Status, target: Status) -> None:
    with pytest.raises(TransitionError, match="not allowed"):
        check(Kind.COMPLAINT, source, target)


def test_reports_follow_their_own_table() -> None:
    assert INITIAL[Kind.REPORT] is S.CHECKING
    assert {t.target for t in allowed(Kind.REPORT, S.CHECKING)} == {S.FILED, S.NOT_FILED}
    check(Kind.REPORT, S.FILED, S.CLOSED)
    with pytest.raises(TransitionError):
        check(Kind.REPORT, S.CHECKING, S.ACCEPTED)
    assert allowed(Kind.REPORT, S.CHECKING, by_consumer=True) == ()
