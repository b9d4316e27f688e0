"""The invoice workflow (SPEC section 4) as one explicit state machine.

`TRANSITIONS` is the single source: for each (state, action) that can happen at all, the next
state and the roles that may take it. `answer()` reads every (state, action, role) triple from
it, and `decide()` adds the rules that need the invoice's context (versions, hashes, validation,
four-eyes, thresholds). Nothing here knows HTTP: a refusal has a `Category` that the server maps
to a status in one place. docs/workflow.md draws the machine and lists the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from collab.invoice.credit import credit_room


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"  # reached only through a credit note, never by an action here
    DISCARDED = "discarded"  # a soft-deleted draft, kept for the audit


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ISSUE = "issue"
    REOPEN = "reopen"
    DISCARD = "discard"


class Role(StrEnum):
    """The organization roles of SPEC section 1. The same values as server.auth.permissions.Role
    (tests/test_workflow_rules.py checks it): the domain may not import the server."""

    VIEWER = "viewer"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    APPROVER = "approver"
    ACCOUNTANT = "accountant"
    ADMIN = "admin"


class Category(StrEnum):
    """How the server answers a refusal: forbidden → 403, conflict → 409, invalid → 400."""

    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    INVALID = "invalid"


class Refusal(StrEnum):
    ROLE = "role"  # the role may not take this action in this state
    WRONG_STATE = "wrong_state"  # nobody may take this action in this state
    STALE_VERSION = "stale_version"  # the client decided on a version that is no longer current
    NOT_VALID = "not_valid"  # blocking validation errors or an incomplete customer
    FOUR_EYES = "four_eyes"  # the creator approving their own invoice
    NEEDS_ADMIN = "needs_admin"  # above the organization's threshold
    REASON_REQUIRED = "reason_required"
    CONTENT_CHANGED = "content_changed"  # the content no longer matches what was submitted/approved
    PROFILE_INCOMPLETE = "profile_incomplete"  # the seller profile lacks fields needed to issue
    WAS_SUBMITTED = "was_submitted"  # discard is only for drafts never submitted
    EXCEEDS_REMAINING = "exceeds_remaining"  # a credit note above what is left to credit

    @property
    def category(self) -> Category:
        if self in (Refusal.ROLE, Refusal.FOUR_EYES, Refusal.NEEDS_ADMIN):
            return Category.FORBIDDEN
        if self is Refusal.REASON_REQUIRED:
            return Category.INVALID
        return Category.CONFLICT


class Effect(StrEnum):
    """What the server must do in the same transaction as an allowed transition (besides the
    audit entry every transition writes)."""

    BIND_SUBMISSION = "bind_submission"  # store content_hash() as the submitted hash
    BIND_APPROVAL = "bind_approval"  # store the approval (actor, time) with the submitted hash
    VOID_APPROVAL = "void_approval"  # forget the submitted hash and any approval
    NAMED_VERSION = "named_version"  # an automatic named version of the document
    ASSIGN = "assign"  # set the assignee: whoever should act next
    POST_REASON = "post_reason"  # the rejection reason becomes a comment thread
    ALLOCATE_NUMBER = "allocate_number"  # next number of the series, same transaction
    STAMP_PROFILE = "stamp_profile"  # copy the seller profile into the issued invoice
    FREEZE = "freeze"  # the document never changes again and is never compacted away
    SOFT_DELETE = "soft_delete"


_EDITORS: Final = frozenset({Role.EDITOR, Role.APPROVER, Role.ADMIN})
_APPROVERS: Final = frozenset({Role.APPROVER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Transition:
    next: State
    roles: frozenset[Role]
    effects: frozenset[Effect]


def _t(next_state: State, roles: frozenset[Role], *effects: Effect) -> Transition:
    return Transition(next_state, roles, frozenset(effects))


# THE table. A (state, action) pair absent from it is refused to everyone (wrong state).
TRANSITIONS: Final[Mapping[tuple[State, Action], Transition]] = {
    (State.DRAFT, Action.SUBMIT): _t(
        State.SUBMITTED, _EDITORS, Effect.BIND_SUBMISSION, Effect.NAMED_VERSION, Effect.ASSIGN
    ),
    (State.DRAFT, Action.DISCARD): _t(State.DISCARDED, _EDITORS, Effect.SOFT_DELETE),
    (State.SUBMITTED, Action.APPROVE): _t(
        State.APPROVED, _APPROVERS, Effect.BIND_APPROVAL, Effect.NAMED_VERSION, Effect.ASSIGN
    ),
    (State.SUBMITTED, Action.REJECT): _t(
        State.DRAFT, _APPROVERS, Effect.VOID_APPROVAL, Effect.POST_REASON, Effect.ASSIGN
    ),
    # An editor may withdraw their submission; undoing someone's approval takes an approver.
    (State.SUBMITTED, Action.REOPEN): _t(State.DRAFT, _EDITORS, Effect.VOID_APPROVAL),
    (State.APPROVED, Action.REOPEN): _t(State.DRAFT, _APPROVERS, Effect.VOID_APPROVAL),
    (State.APPROVED, Action.ISSUE): _t(
        State.ISSUED, _APPROVERS, Effect.ALLOCATE_NUMBER, Effect.STAMP_PROFILE, Effect.FREEZE
    ),
}

EDITABLE_STATES: Final = frozenset({State.DRAFT})


def accepts_edits(state: State) -> bool:
    """Only drafts accept document edits; the update inspection refuses every other state."""
    return state in EDITABLE_STATES


def read_only_reason(state: State) -> str | None:
    """What live editors are told while the invoice is in `state`; None: it accepts edits."""
    return None if accepts_edits(state) else f"the invoice is {state}: only drafts can be edited"


@dataclass(frozen=True, slots=True)
class Decision:
    state: State
    action: Action
    next: State | None  # None when refused
    refusal: Refusal | None = None
    message: str = ""
    details: tuple[str, ...] = ()  # field paths behind a NOT_VALID or PROFILE_INCOMPLETE
    effects: frozenset[Effect] = frozenset()

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def category(self) -> Category | None:
        return None if self.refusal is None else self.refusal.category


def _refuse(
    state: State, action: Action, refusal: Refusal, message: str, details: tuple[str, ...] = ()
) -> Decision:
    return Decision(state, action, None, refusal, message, details)


def answer(state: State, action: Action, role: Role) -> Decision:
    """The table's answer for one triple, before any rule that needs context.

    403 when others may take this action in this state but not this role, or when this role may
    take it from no state at all; 409 when this role may take it, only not from this state. So a
    viewer is told it lacks the right, an approver pressing "issue" on a draft that the invoice
    is not approved yet.
    """
    transition = TRANSITIONS.get((state, action))
    if transition is not None and role in transition.roles:
        return Decision(state, action, transition.next, effects=transition.effects)
    states_for_role = [s for (s, a), t in TRANSITIONS.items() if a is action and role in t.roles]
    if transition is not None or not states_for_role:
        return _refuse(state, action, Refusal.ROLE, f"a {role} may not {action} a {state} invoice")
    wanted = " or ".join(sorted(states_for_role))
    return _refuse(
        state, action, Refusal.WRONG_STATE, f"cannot {action} a {state} invoice (needs {wanted})"
    )


TABLE: Final[Mapping[tuple[State, Action, Role], Decision]] = {
    (s, a, r): answer(s, a, r) for s in State for a in Action for r in Role
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What the rules beyond the table need. Defaults fail closed where a forgotten value
    could let a transition through: an empty actor equals an empty creator (four-eyes refuses),
    an absent bound hash matches no content."""

    actor: str = ""
    creator: str = ""
    version: int = 0  # the invoice's current version
    expected_version: int | None = None  # what the client saw; None: the client did not say
    blocking: tuple[str, ...] = ()  # paths of blocking validation issues (see approval.readiness)
    missing_customer: tuple[str, ...] = ()  # paths of required customer fields left empty
    four_eyes: bool = True  # organization setting, on by default
    amount: Decimal | None = None  # the invoice's gross total, in the threshold's currency
    admin_threshold: Decimal | None = None  # above it only an admin approves; None: no limit
    reason: str | None = None
    ever_submitted: bool = False
    content_hash: str = ""  # approval.content_hash() of the current document
    submitted_hash: str | None = None  # bound at submit
    approved_hash: str | None = None  # bound at approve
    missing_profile: tuple[str, ...] = ()  # seller-profile fields needed to issue, left empty
    # Credit notes only (None for an invoice): what remains to be credited on the original, and
    # this credit note's gross in the original's currency (None: unknown, which refuses).
    credit_left: Decimal | None = None
    credit_amount: Decimal | None = None


def decide(state: State, action: Action, role: Role, context: Context) -> Decision:
    """The one transition function: the table's answer, then the stale version, then the rules
    of the action. The first refusal wins."""
    decision = TABLE[(state, action, role)]
    if not decision.allowed:
        return decision
    if context.expected_version is not None and context.expected_version != context.version:
        return _refuse(
            state,
            action,
            Refusal.STALE_VERSION,
            f"the invoice is at version {context.version}, not {context.expected_version}",
        )
    refusal = _RULES[action](state, action, role, context)
    return refusal if refusal is not None else decision


def _submit(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    if c.blocking or c.missing_customer:
        problems = c.blocking + c.missing_customer
        return _refuse(
            state,
            action,
            Refusal.NOT_VALID,
            f"the invoice is not valid: {len(problems)} problem(s) to fix first",
            problems,
        )
    return _credit(state, action, c)


def _credit(state: State, action: Action, c: Context) -> Decision | None:
    """A credit note is submitted and issued only within what remains to be credited (checked
    again at issue: another credit note may have been issued in between)."""
    if c.credit_left is None:
        return None
    why = credit_room(c.credit_amount, c.credit_left)
    return None if why is None else _refuse(state, action, Refusal.EXCEEDS_REMAINING, why)


def _approve(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    if c.four_eyes and c.actor == c.creator:
        return _refuse(
            state, action, Refusal.FOUR_EYES, "the creator of an invoice cannot approve it"
        )
    above = c.admin_threshold is not None and (c.amount is None or c.amount > c.admin_threshold)
    if above and role is not Role.ADMIN:
        return _refuse(
            state,
            action,
            Refusal.NEEDS_ADMIN,
            f"above {c.admin_threshold} an admin must approve",
        )
    if c.submitted_hash != c.content_hash:
        return _refuse(
            state, action, Refusal.CONTENT_CHANGED, "the content changed since it was submitted"
        )
    return None


def _reject(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    if not (c.reason or "").strip():
        return _refuse(state, action, Refusal.REASON_REQUIRED, "a rejection needs a reason")
    return None


def _issue(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    if c.approved_hash != c.content_hash:
        return _refuse(
            state,
            action,
            Refusal.CONTENT_CHANGED,
            "the content changed since it was approved: the approval is void",
        )
    if c.missing_profile:
        return _refuse(
            state,
            action,
            Refusal.PROFILE_INCOMPLETE,
            "the seller profile is incomplete",
            c.missing_profile,
        )
    return _credit(state, action, c)


def _reopen(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    return None


def _discard(state: State, action: Action, role: Role, c: Context) -> Decision | None:
    if c.ever_submitted:
        return _refuse(
            state,
            action,
            Refusal.WAS_SUBMITTED,
            "a draft that was once submitted is kept: only a never-submitted draft is discarded",
        )
    return None


_RULES: Final = {
    Action.SUBMIT: _submit,
    Action.APPROVE: _approve,
    Action.REJECT: _reject,
    Action.ISSUE: _issue,
    Action.REOPEN: _reopen,
    Action.DISCARD: _discard,
}
