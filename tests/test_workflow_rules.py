"""The invoice workflow as pure rules: every (state, action, role) answer against a grid written
by hand from SPEC sections 1 and 4, and the rules that need context (the approval hash and
submit readiness: tests/test_approval.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.workflow import (
    TABLE,
    TRANSITIONS,
    Action,
    Category,
    Context,
    Effect,
    Refusal,
    Role,
    State,
    accepts_edits,
    decide,
)
from server.auth import permissions
from server.core.api import InvoiceStatus

# Written by hand from the SPEC, not from TRANSITIONS. Columns: viewer reviewer editor approver
# accountant admin. A state name: allowed, to that state. 403: the role may not (it may take
# this action from no state, or others may take it from this one). 409: the role may take this
# action, just not from this state.
_TERMINAL = """
submit   403 403 409 409 403 409
approve  403 403 403 409 403 409
reject   403 403 403 409 403 409
issue    403 403 403 409 403 409
reopen   403 403 409 409 403 409
discard  403 403 409 409 403 409
"""
EXPECTED_GRID = {
    "draft": """
submit   403 403 submitted submitted 403 submitted
approve  403 403 403       409       403 409
reject   403 403 403       409       403 409
issue    403 403 403       409       403 409
reopen   403 403 409       409       403 409
discard  403 403 discarded discarded 403 discarded
""",
    "submitted": """
submit   403 403 409   409      403 409
approve  403 403 403   approved 403 approved
reject   403 403 403   draft    403 draft
issue    403 403 403   409      403 409
reopen   403 403 draft draft    403 draft
discard  403 403 409   409      403 409
""",
    "approved": """
submit   403 403 409 409    403 409
approve  403 403 403 409    403 409
reject   403 403 403 409    403 409
issue    403 403 403 issued 403 issued
reopen   403 403 403 draft  403 draft
discard  403 403 409 409    403 409
""",
    "issued": _TERMINAL,
    "partially_paid": _TERMINAL,
    "paid": _TERMINAL,
    "cancelled": _TERMINAL,
    "discarded": _TERMINAL,
}
ROLE_COLUMNS = ("viewer", "reviewer", "editor", "approver", "accountant", "admin")


def _expected() -> dict[tuple[str, str, str], str]:
    grid: dict[tuple[str, str, str], str] = {}
    for state, block in EXPECTED_GRID.items():
        for row in block.strip().splitlines():
            action, *answers = row.split()
            assert len(answers) == len(ROLE_COLUMNS), row
            for role, expected in zip(ROLE_COLUMNS, answers, strict=True):
                grid[(state, action, role)] = expected
    return grid


EXPECTED = _expected()
HASH = "h" * 64


def passing(action: Action) -> Context:
    """A context in which every rule of `action` passes, so only the table can refuse."""
    return Context(
        actor="u2",
        creator="u1",
        version=3,
        expected_version=3,
        reason="the unit price is wrong",
        content_hash=HASH,
        submitted_hash=HASH,
        approved_hash=HASH,
    )


# -- the table: every triple ---------------------------------------------------------------


def test_the_grid_covers_every_triple() -> None:
    every = {(s.value, a.value, r.value) for s in State for a in Action for r in Role}
    assert set(EXPECTED) == every
    assert len(EXPECTED) == 8 * 6 * 6 == len(TABLE)


@pytest.mark.parametrize(("state", "action", "role"), sorted(EXPECTED))
def test_every_state_action_role_answer(state: str, action: str, role: str) -> None:
    expected = EXPECTED[(state, action, role)]
    decision = decide(State(state), Action(action), Role(role), passing(Action(action)))
    if expected == "403":
        assert (decision.refusal, decision.category) == (Refusal.ROLE, Category.FORBIDDEN)
    elif expected == "409":
        assert (decision.refusal, decision.category) == (Refusal.WRONG_STATE, Category.CONFLICT)
    else:
        assert decision.allowed and decision.next == State(expected), decision
    assert decision.allowed or decision.message


def test_roles_are_the_servers_roles() -> None:
    assert [r.value for r in Role] == [r.value for r in permissions.Role]


def test_states_are_the_statuses_the_api_lists() -> None:
    # Discarded drafts are listed too, on request (GET /api/invoices?status=discarded).
    assert set(get_args(InvoiceStatus)) == {s.value for s in State}


CAPABILITY = {
    Action.SUBMIT: permissions.Capability.INVOICE_SUBMIT,
    Action.APPROVE: permissions.Capability.INVOICE_APPROVE,
    Action.REJECT: permissions.Capability.INVOICE_APPROVE,
    Action.ISSUE: permissions.Capability.INVOICE_ISSUE,
    Action.REOPEN: permissions.Capability.INVOICE_EDIT,
    Action.DISCARD: permissions.Capability.INVOICE_EDIT,
}


def test_the_table_agrees_with_the_capability_table() -> None:
    """A role may take an action in some state exactly when it holds the capability."""
    for action, capability in CAPABILITY.items():
        for role in Role:
            somewhere = any(TABLE[(s, action, role)].allowed for s in State)
            assert somewhere == permissions.can(permissions.Role(role.value), capability), (
                action,
                role,
            )


def test_only_drafts_accept_edits() -> None:
    assert [s for s in State if accepts_edits(s)] == [State.DRAFT]


def test_effects_of_each_transition() -> None:
    effects = {key: t.effects for key, t in TRANSITIONS.items()}
    assert Effect.BIND_SUBMISSION in effects[(State.DRAFT, Action.SUBMIT)]
    assert Effect.BIND_APPROVAL in effects[(State.SUBMITTED, Action.APPROVE)]
    assert Effect.POST_REASON in effects[(State.SUBMITTED, Action.REJECT)]
    assert {Effect.ALLOCATE_NUMBER, Effect.STAMP_PROFILE, Effect.FREEZE} <= effects[
        (State.APPROVED, Action.ISSUE)
    ]
    assert effects[(State.DRAFT, Action.DISCARD)] == {Effect.SOFT_DELETE}
    # Back to draft always voids what was bound to the content.
    for (state, action), transition in TRANSITIONS.items():
        if transition.next is State.DRAFT:
            assert Effect.VOID_APPROVAL in transition.effects, (state, action)
    decision = decide(State.APPROVED, Action.ISSUE, Role.ADMIN, passing(Action.ISSUE))
    assert decision.effects == effects[(State.APPROVED, Action.ISSUE)]


# -- the rules that need context -----------------------------------------------------------


def _refusal(
    state: State, action: Action, role: Role, /, **changes: Any
) -> tuple[Refusal | None, Category | None]:
    decision = decide(state, action, role, replace(passing(action), **changes))
    return decision.refusal, decision.category


def test_a_stale_version_is_a_conflict() -> None:
    args = (State.DRAFT, Action.SUBMIT, Role.EDITOR)
    assert _refusal(*args, expected_version=2) == (Refusal.STALE_VERSION, Category.CONFLICT)
    assert _refusal(*args, expected_version=3) == (None, None)
    assert _refusal(*args, expected_version=None) == (None, None)  # the client did not say


def test_the_table_answers_before_the_version() -> None:
    assert _refusal(State.DRAFT, Action.SUBMIT, Role.VIEWER, expected_version=2)[0] is Refusal.ROLE
    assert _refusal(State.PAID, Action.SUBMIT, Role.EDITOR, expected_version=2)[0] is (
        Refusal.WRONG_STATE
    )


def test_submit_needs_no_blocking_issue_and_a_complete_customer() -> None:
    args = (State.DRAFT, Action.SUBMIT, Role.EDITOR)
    changes: dict[str, Any]
    for changes in (
        {"blocking": ("lines.a.quantity",)},
        {"missing_customer": ("invoice.customer.name",)},
    ):
        assert _refusal(*args, **changes) == (Refusal.NOT_VALID, Category.CONFLICT)
    context = Context(blocking=("lines.a.quantity",), missing_customer=("invoice.customer.name",))
    decision = decide(*args, context)
    assert decision.details == ("lines.a.quantity", "invoice.customer.name")


def test_four_eyes() -> None:
    args = (State.SUBMITTED, Action.APPROVE)
    for role in (Role.APPROVER, Role.ADMIN):  # admins too: it is the organization's rule
        assert _refusal(*args, role, actor="u1") == (Refusal.FOUR_EYES, Category.FORBIDDEN)
        assert _refusal(*args, role, actor="u1", four_eyes=False) == (None, None)
    # The creator may reject, withdraw and issue what someone else approved.
    assert _refusal(State.SUBMITTED, Action.REJECT, Role.APPROVER, actor="u1") == (None, None)
    assert _refusal(State.SUBMITTED, Action.REOPEN, Role.EDITOR, actor="u1") == (None, None)
    assert _refusal(State.APPROVED, Action.ISSUE, Role.APPROVER, actor="u1") == (None, None)


def test_above_the_threshold_only_an_admin_approves() -> None:
    args = (State.SUBMITTED, Action.APPROVE)
    limit = Decimal("10000.00")
    above: dict[str, Any] = {"admin_threshold": limit, "amount": Decimal("10000.01")}
    assert _refusal(*args, Role.APPROVER, **above) == (Refusal.NEEDS_ADMIN, Category.FORBIDDEN)
    assert _refusal(*args, Role.ADMIN, **above) == (None, None)
    at: dict[str, Any] = {"admin_threshold": limit, "amount": Decimal("10000")}
    assert _refusal(*args, Role.APPROVER, **at) == (None, None)  # "above" is strict
    assert _refusal(*args, Role.APPROVER, amount=Decimal("1e9")) == (None, None)  # no threshold
    # An unknown amount with a threshold set fails closed.
    assert _refusal(*args, Role.APPROVER, admin_threshold=limit)[0] is Refusal.NEEDS_ADMIN


def test_approve_needs_the_submitted_content() -> None:
    args = (State.SUBMITTED, Action.APPROVE, Role.APPROVER)
    assert _refusal(*args, content_hash="x" * 64) == (Refusal.CONTENT_CHANGED, Category.CONFLICT)
    assert _refusal(*args, submitted_hash=None)[0] is Refusal.CONTENT_CHANGED


def test_reject_needs_a_reason() -> None:
    args = (State.SUBMITTED, Action.REJECT, Role.APPROVER)
    for reason in (None, "", "  \n\t"):
        assert _refusal(*args, reason=reason) == (Refusal.REASON_REQUIRED, Category.INVALID)
    decision = decide(*args, passing(Action.REJECT))
    assert decision.next is State.DRAFT  # rejected is not a state: back to draft with a reason


def test_issue_needs_a_valid_approval_and_a_complete_profile() -> None:
    args = (State.APPROVED, Action.ISSUE, Role.APPROVER)
    assert _refusal(*args, content_hash="x" * 64) == (Refusal.CONTENT_CHANGED, Category.CONFLICT)
    assert _refusal(*args, approved_hash=None)[0] is Refusal.CONTENT_CHANGED
    missing = ("iban", "siren")
    assert _refusal(*args, missing_profile=missing) == (
        Refusal.PROFILE_INCOMPLETE,
        Category.CONFLICT,
    )
    decision = decide(*args, replace(passing(Action.ISSUE), missing_profile=missing))
    assert decision.details == missing


def test_discard_only_a_draft_never_submitted() -> None:
    args = (State.DRAFT, Action.DISCARD, Role.EDITOR)
    assert _refusal(*args, ever_submitted=True) == (Refusal.WAS_SUBMITTED, Category.CONFLICT)
    assert _refusal(*args) == (None, None)


def test_a_credit_note_is_submitted_and_issued_only_within_what_remains() -> None:
    for args in (
        (State.DRAFT, Action.SUBMIT, Role.EDITOR),
        (State.APPROVED, Action.ISSUE, Role.APPROVER),
    ):
        d = Decimal
        # 162.00 left: crediting exactly that is allowed, one cent more is not.
        assert _refusal(*args, credit_left=d("162.00"), credit_amount=d("162.00")) == (None, None)
        assert _refusal(*args, credit_left=d("162.00"), credit_amount=d("162.01")) == (
            Refusal.EXCEEDS_REMAINING,
            Category.CONFLICT,
        )
        # Unknown total (an invalid line, another currency), nothing or less than nothing.
        for amount in (None, d("0"), d("-1.00")):
            refusal = _refusal(*args, credit_left=d("162.00"), credit_amount=amount)
            assert refusal[0] is Refusal.EXCEEDS_REMAINING, amount
        # An invoice (credit_left None) is never measured against anything.
        assert _refusal(*args, credit_amount=d("1e9")) == (None, None)
    # Approving, rejecting and reopening a credit note do not look at amounts.
    over = {"credit_left": Decimal(0), "credit_amount": Decimal(1)}
    assert _refusal(State.SUBMITTED, Action.APPROVE, Role.APPROVER, **over) == (None, None)


def test_an_empty_context_fails_closed() -> None:
    empty = Context()
    assert decide(State.SUBMITTED, Action.APPROVE, Role.ADMIN, empty).refusal is Refusal.FOUR_EYES
    no_eyes = Context(four_eyes=False)
    assert decide(State.SUBMITTED, Action.APPROVE, Role.ADMIN, no_eyes).refusal is (
        Refusal.CONTENT_CHANGED
    )
    assert decide(State.APPROVED, Action.ISSUE, Role.ADMIN, empty).refusal is (
        Refusal.CONTENT_CHANGED
    )
    assert decide(State.SUBMITTED, Action.REJECT, Role.ADMIN, empty).refusal is (
        Refusal.REASON_REQUIRED
    )


contexts = st.builds(
    Context,
    actor=st.sampled_from(["u1", "u2"]),
    creator=st.sampled_from(["u1", "u2"]),
    version=st.integers(0, 3),
    expected_version=st.none() | st.integers(0, 3),
    blocking=st.sampled_from([(), ("lines",)]),
    missing_customer=st.sampled_from([(), ("invoice.customer.name",)]),
    four_eyes=st.booleans(),
    amount=st.none() | st.decimals(0, 100, places=2),
    admin_threshold=st.none() | st.decimals(0, 100, places=2),
    reason=st.sampled_from([None, "", " ", "why"]),
    ever_submitted=st.booleans(),
    content_hash=st.sampled_from(["a", "b"]),
    submitted_hash=st.sampled_from([None, "a", "b"]),
    approved_hash=st.sampled_from([None, "a", "b"]),
    missing_profile=st.sampled_from([(), ("iban",)]),
    credit_left=st.none() | st.decimals(0, 100, places=2),
    credit_amount=st.none() | st.decimals(-1, 100, places=2),
)


@given(st.sampled_from(State), st.sampled_from(Action), st.sampled_from(Role), contexts)
def test_context_only_ever_narrows_the_table(
    state: State, action: Action, role: Role, context: Context
) -> None:
    decision = decide(state, action, role, context)
    table = TABLE[(state, action, role)]
    if decision.allowed:
        assert table.allowed and decision.next == table.next
    else:
        assert decision.next is None and decision.message
        assert not table.allowed or decision.refusal not in (Refusal.ROLE, Refusal.WRONG_STATE)


# -- the approval's content hash -----------------------------------------------------------
