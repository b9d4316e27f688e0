"""The short version of the offline update fuzzer (tests/fuzz_updates.py; the long run and its
figures: docs/reliability.md). Mutated realistic updates go through the room as the server
feeds them; whatever is accepted must replay from the log and from snapshot + log."""

from __future__ import annotations

import pytest

from tests.fuzz_updates import fuzz


@pytest.mark.parametrize("seed", [1, 2])
async def test_accepted_mutated_updates_always_replay_from_storage(seed: int) -> None:
    figures = await fuzz(3000, seed)
    assert figures.failures == []
    # The fuzzer must actually get mutated updates through, or it proves nothing.
    assert figures.accepted > 0 and figures.refused > 0
