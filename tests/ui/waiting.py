"""Waiting for a console's background reads without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def workers_done(pilot: Pilot) -> None:
    """Wait for the app's workers; a refresh superseded by a newer one is not a failure.

    Screens refresh with exclusive workers: a timer tick or new data cancels a refresh still
    in flight, which is the intended behaviour, and ``wait_for_complete`` reports it.
    """
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
    raise AssertionError("workers kept being cancelled: the screen never settled")


async def settle(pilot: Pilot, rounds: int = 4) -> None:
    """Wait for the screen's reads to land and be drawn: a read's result may start another
    (a view, then the selected item's detail), so several rounds of workers, then a frame."""
    for _ in range(rounds):
        await workers_done(pilot)
        await pilot.pause()


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the console run (its own timers too) until ``predicate`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await workers_done(pilot)
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("timed out waiting for the screen")
