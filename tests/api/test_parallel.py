"""dedup.parallel.ordered_map: input order, bounded read-ahead, a dead worker is an error."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from dedup.errors import WorkerError
from dedup.parallel import IN_FLIGHT_PER_WORKER, batched, ordered_map

_STATE: dict[str, int] = {}


def _init(offset: int) -> None:
    _STATE["offset"] = offset


def _shifted(batch: list[int]) -> list[int]:
    return [x + _STATE["offset"] for x in batch]


def _die_on_seven(batch: list[int]) -> list[int]:
    if 7 in batch:
        os.kill(os.getpid(), signal.SIGKILL)
    return batch


def test_results_keep_input_order_and_initializer_runs_in_workers() -> None:
    out = ordered_map(
        _shifted, batched(range(103), 5), jobs=2, initializer=_init, initargs=(1000,), name=str
    )
    assert list(out) == [x + 1000 for x in range(103)]


def test_only_a_few_batches_are_read_ahead_of_the_results() -> None:
    pulled = 0

    def source() -> Iterator[list[int]]:
        nonlocal pulled
        for i in range(200):
            pulled += 1
            yield [i]

    results = ordered_map(_shifted, source(), jobs=2, initializer=_init, initargs=(0,), name=str)
    assert next(results) == 0
    assert pulled <= IN_FLIGHT_PER_WORKER * 2
    assert list(results) == list(range(1, 200))


def test_a_worker_killed_by_the_system_is_an_error_not_a_hang() -> None:
    results = ordered_map(
        _die_on_seven, batched(range(40), 2), jobs=2, initializer=_init, initargs=(0,), name=str
    )
    with pytest.raises(WorkerError, match="a worker process died"):
        list(results)
