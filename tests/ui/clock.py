"""The console's clock in the UI tests: it stands still until the test moves it."""

from __future__ import annotations


class Clock:
    """Call it for now (epoch seconds); set ``now`` to move it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
