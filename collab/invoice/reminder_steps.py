"""A reminder schedule: steps counted in days from the due date, and which one is due.

Pure: the caller gives the day. After downtime several steps may have come due at once; only
the latest is sent (three letters in one morning would be harassment, and the latest says
the most), the earlier ones are passed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Final

TONES: Final = ("friendly", "firm", "final")
MAX_STEPS: Final = 10
MIN_DAYS: Final = -60  # before the due date
MAX_DAYS: Final = 365  # after it


@dataclass(frozen=True, slots=True)
class Step:
    days: int  # from the due date; negative: before it
    tone: str


DEFAULT_STEPS: Final = (Step(-3, "friendly"), Step(7, "firm"), Step(15, "firm"), Step(30, "final"))


def check_steps(steps: Sequence[Step]) -> None:
    """Raise ValueError unless the steps are a usable schedule: 1 to MAX_STEPS, strictly
    increasing days within bounds, known tones."""
    if not 1 <= len(steps) <= MAX_STEPS:
        raise ValueError(f"a schedule has 1 to {MAX_STEPS} steps")
    for step in steps:
        if not MIN_DAYS <= step.days <= MAX_DAYS:
            raise ValueError(f"a step is {MIN_DAYS} to {MAX_DAYS} days from the due date")
        if step.tone not in TONES:
            raise ValueError(f"a step's tone is one of {', '.join(TONES)}")
    if any(b.days <= a.days for a, b in pairwise(steps)):
        raise ValueError("steps come in order, each later than the one before")


def due_step(steps: Sequence[Step], due: date, today: date) -> int | None:
    """The index of the latest step whose day has come (`due` + its days <= `today`)."""
    found = None
    for index, step in enumerate(steps):
        if due + timedelta(days=step.days) <= today:
            found = index
    return found
