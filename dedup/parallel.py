"""An ordered, bounded map over batches in worker processes (the map phase's engine).

``multiprocessing.Pool.imap`` was the first engine; two things made it unfit for a
pipeline: a worker killed by the system (the out-of-memory killer) leaves its task
unanswered and ``imap`` waits for it forever, and its feeder thread queues the whole
input ahead of the workers. ``ProcessPoolExecutor`` reports a dead worker
(``BrokenProcessPool``, raised here as :class:`~dedup.errors.WorkerError`), and only a
few batches per worker are submitted ahead of the results.

A worker also dies with the main process (Linux): killed by the out-of-memory killer or a
scheduler's timeout, the main process would otherwise leave its workers waiting forever on
a queue they keep open themselves (found orphaned, 80 MB each, after the SIGKILL test).
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from dedup.errors import WorkerError

T = TypeVar("T")
R = TypeVar("R")

# Batches submitted ahead of the results, per worker: enough to keep every worker busy
# while the main process takes results in order, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def ordered_map(
    fn: Callable[[list[T]], list[R]],
    batches: Iterable[list[T]],
    *,
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    name: Callable[[T], str],
) -> Iterator[R]:
    """``fn`` on each batch in ``jobs`` worker processes; results in input order.

    ``fn`` must be a module-level function (it is pickled by name) and every batch
    non-empty; ``name`` names a batch's first item in the error a dead worker raises.
    """
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(initializer, initargs, os.getpid()),
    )
    pending: deque[tuple[Future[list[R]], str]] = deque()
    window = IN_FLIGHT_PER_WORKER * jobs
    waiting = ""  # the first item of the batch whose result is awaited
    try:
        for batch in batches:
            # submit() itself raises BrokenProcessPool once a worker has died.
            pending.append((pool.submit(fn, batch), name(batch[0])))
            if len(pending) >= window:
                future, waiting = pending.popleft()
                yield from future.result()
                waiting = ""
        while pending:
            future, waiting = pending.popleft()
            yield from future.result()
    except BrokenProcessPool:
        first = waiting or (pending[0][1] if pending else "?")
        raise WorkerError(
            "a worker process died (killed by the system, often for lack of memory) with "
            f"the work from {first!r} on still in progress; nothing was committed: rerun "
            "with fewer --jobs or smaller inputs"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(
    initializer: Callable[..., None], initargs: tuple[Any, ...], main_pid: int
) -> None:
    # Ctrl-C is the main process's to handle: it cancels the queue and exits 130. (SIGTERM
    # is not ignored: the pool itself terminates workers with it when one has died.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(main_pid)
    initializer(*initargs)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(main_pid: int) -> None:
    """Have the kernel kill this worker when the main process dies (Linux only; elsewhere
    a no-op). Workers write nothing, so there is nothing to lose."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != main_pid:  # it died before the request: nobody awaits our results
        os._exit(1)
