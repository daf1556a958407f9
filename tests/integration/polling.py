"""Asking a real server (or what records it) again until it shows what a test waits for."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool], what: str, timeout: float = 20.0
) -> T:
    """Await ``probe`` until ``ok`` holds of its answer (Alertmanager takes a moment to show a
    posted alert, a recorder to store it); fail saying ``what`` and the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}; last: {value!r}"[:3000])
        await asyncio.sleep(0.1)
