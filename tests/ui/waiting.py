"""Waiting for a console's background reads without sleeping."""

from __future__ import annotations

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
