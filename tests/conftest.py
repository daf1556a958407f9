"""Fixtures the tests share."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local times (screens, reports, file names) in UTC, so they read the same everywhere.

    A module asks for it with ``pytestmark = pytest.mark.usefixtures("utc")``.
    """
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    # The zone is read once, by tzset: put the process back on the machine's zone now.
    os.environ.pop("TZ", None)
    time.tzset()
