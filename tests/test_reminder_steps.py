"""Which reminder step is due: hand-worked days around a due date, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.reminder_steps import DEFAULT_STEPS, Step, check_steps, due_step

DUE = date(2026, 12, 27)


def test_the_default_schedule_day_by_day() -> None:
    # 3 days before (Dec 24), then 7, 15 and 30 days after (Jan 3, Jan 11, Jan 26).
    expected = {
        date(2026, 12, 23): None,
        date(2026, 12, 24): 0,
        date(2026, 12, 27): 0,
        date(2027, 1, 2): 0,
        date(2027, 1, 3): 1,
        date(2027, 1, 11): 2,
        date(2027, 1, 25): 2,
        date(2027, 1, 26): 3,
        date(2028, 1, 1): 3,
    }
    for today, step in expected.items():
        assert due_step(DEFAULT_STEPS, DUE, today) == step, today


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((), "1 to 10 steps"),
        ((Step(5, "firm"), Step(5, "final")), "in order"),
        ((Step(9, "firm"), Step(2, "final")), "in order"),
        ((Step(400, "firm"),), "days from the due date"),
        ((Step(1, "rude"),), "tone"),
    ],
)
def test_a_schedule_that_cannot_work_is_refused(steps: tuple[Step, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_steps(steps)


@given(
    days=st.lists(st.integers(-60, 365), min_size=1, max_size=10, unique=True).map(sorted),
    offset=st.integers(-100, 500),
)
def test_the_due_step_is_the_last_whose_day_has_come(days: list[int], offset: int) -> None:
    steps = [Step(d, "firm") for d in days]
    check_steps(steps)
    today = DUE + timedelta(days=offset)
    found = due_step(steps, DUE, today)
    come = [i for i, d in enumerate(days) if d <= offset]
    assert found == (come[-1] if come else None)
    # A later day never goes back to an earlier step.
    later = due_step(steps, DUE, today + timedelta(days=1))
    assert found is None or (later is not None and later >= found)
