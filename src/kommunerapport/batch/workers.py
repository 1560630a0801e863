"""Forked worker processes that notice when one of them dies.

``multiprocessing.Pool`` waits for ever for the result of a worker that the OOM
killer (or ``kill -9``) took. ``concurrent.futures.ProcessPoolExecutor`` notices
the death instead (BrokenProcessPool), but then fails every job in flight and
stops the others. So this module keeps a small board in shared memory: each
worker writes which job it started and when it finished, and a worker the pool
itself stops (SIGTERM) marks its job as stopped. After a break, the job that was
started, not finished and not stopped is the dead worker's: it fails with a
reason; the others run again in a new pool (each at most ``TRIES`` times).

Workers ignore Ctrl-C (the parent stops the batch) and, on Linux, get SIGTERM
when the parent dies, so they end quietly instead of writing into a closed pipe.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

TRIES = 3  # runs of one job when other workers' deaths keep interrupting it
DIED = ("arbeidsprosessen stoppet uventet (drept av systemet, for eksempel fordi minnet tok "
        "slutt, eller med kill)")
INTERRUPTED = "arbeidsprosessene ble stoppet flere ganger mens rapporten ble laget"

_CURRENT: int | None = None  # in a worker: the job it is on


class _Board:
    """Per job, in memory shared with the forked workers: who started it, and how it ended."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.started = context.RawArray(ctypes.c_int, count)  # the worker's pid, 0 = not yet
        self.finished = context.RawArray(ctypes.c_bool, count)
        self.stopped = context.RawArray(ctypes.c_bool, count)  # by the pool, after a death

    def reset(self, index: int) -> None:
        self.started[index], self.finished[index], self.stopped[index] = 0, False, False

    def died_on(self, index: int) -> bool:
        return bool(self.started[index]) and not self.finished[index] and not self.stopped[index]


@dataclass(frozen=True)
class _Run:
    """The jobs of one ``run``: set in the parent before the fork, inherited by the workers.

    A task's result crosses from a worker to the parent pickled: it is whatever the task
    returns (``Any``).
    """

    task: Callable[[int], Any]
    dead: Callable[[int, str], Any]
    board: _Board


_RUN: _Run | None = None


def _current() -> _Run:
    if _RUN is None:
        raise RuntimeError("no jobs to run: run() sets them up before it forks the workers")
    return _RUN


def _call(index: int) -> Any:
    """A job in a worker, recorded on the board."""
    global _CURRENT
    jobs = _current()
    _CURRENT = index
    jobs.board.started[index] = os.getpid()
    try:
        return jobs.task(index)
    finally:
        jobs.board.finished[index] = True
        _CURRENT = None


def _failed(index: int, exc: Exception) -> Any:
    return _current().dead(index, f"{type(exc).__name__}: {exc}")


def _stop(signum: int, frame: object) -> None:
    """SIGTERM in a worker: from the pool after another worker died, or the parent's death."""
    if _CURRENT is not None and _RUN is not None:  # on a job, so _call() found the run
        _RUN.board.stopped[_CURRENT] = True
    os._exit(0)


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(0)


def run(count: int, task: Callable[[int], Any], workers: int,
        dead: Callable[[int, str], Any]) -> Iterator[tuple[int, Any]]:
    """``task(i)`` for each job ``i`` in ``workers`` forked processes; (i, result) as they end.

    A job whose worker died gives ``dead(i, reason)`` instead of a result. ``task``
    runs in a child: what it needs must be set up before this is called.
    """
    global _RUN
    board = _Board(count)
    _RUN = _Run(task, dead, board)
    queue = list(range(count))
    runs = [0] * count
    while queue:
        broken: list[int] = []
        for index, result in _one_pool(queue, workers, broken):
            yield index, result
        queue = []
        for index in broken:
            runs[index] += 1
            if board.died_on(index):
                yield index, dead(index, DIED)
            elif runs[index] >= TRIES:
                yield index, dead(index, INTERRUPTED)
            else:
                board.reset(index)
                queue.append(index)


def _one_pool(queue: list[int], workers: int, broken: list[int]) -> Iterator[tuple[int, Any]]:
    """Run ``queue`` until done or the pool breaks; then ``broken`` holds what did not end."""
    pending = queue[::-1]
    running: dict[Future[Any], int] = {}
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker, initargs=(os.getpid(),))

    def submit() -> None:
        index = pending.pop()
        try:
            running[pool.submit(_call, index)] = index
        except BrokenProcessPool:
            broken.append(index)

    try:
        # At most one job per worker in flight, so a break interrupts as few as possible.
        while pending and len(running) < workers:
            submit()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                except Exception as exc:  # e.g. a result that cannot be pickled
                    result = _failed(index, exc)
                yield index, result
            while pending and not broken and len(running) < workers:
                submit()
    finally:
        # After a break the pool stops the other workers (SIGTERM, recorded on the board);
        # wait for that before the board is read. After Ctrl-C: finish what is in flight.
        pool.shutdown(wait=True, cancel_futures=True)
    broken += pending[::-1]
