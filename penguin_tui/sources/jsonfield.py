"""Numbers taken from a field of a JSON HTTP response (``queue.depth``, ``shards.0.lag``)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from penguin_tui.sources.common import SourceError, clean, fetch_capped

if TYPE_CHECKING:
    import httpx

MAX_JSON_BYTES = 4 * 1024 * 1024


def pick_field(doc: Any, path: str) -> float:
    """The number at dotted ``path`` in ``doc``: dict keys by name, list items by index.

    Booleans count as 0/1 (``healthy: true`` is a figure worth charting); strings, even
    numeric-looking ones, are refused so a changed API is noticed rather than guessed at.
    """
    cur = doc
    walked: list[str] = []
    for part in path.split(".") if path else []:
        where = ".".join(walked) or "the top level"
        if isinstance(cur, dict):
            if part not in cur:
                raise SourceError(f"field {clean(path, 80)}: no {clean(part, 40)!r} in {where}")
            cur = cur[part]
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                raise SourceError(
                    f"field {clean(path, 80)}: {where} is a list of {len(cur)}, "
                    f"no item {clean(part, 40)!r}"
                ) from None
        else:
            raise SourceError(f"field {clean(path, 80)}: {where} is not an object or list")
        walked.append(part)
    if isinstance(cur, bool):
        return 1.0 if cur else 0.0
    if isinstance(cur, int | float):
        value = float(cur)
        if math.isfinite(value):
            return value
    if isinstance(cur, dict | list):
        got = f"{'an object' if isinstance(cur, dict) else 'a list'} of {len(cur)}"
    elif cur is None:
        got = "null"
    else:
        got = f"{type(cur).__name__} {clean(json.dumps(cur), 60)}"
    raise SourceError(f"field {clean(path, 80)} is not a number (got {got})")


async def json_value(client: httpx.AsyncClient, url: str, path: str, timeout_s: float) -> float:
    """Fetch ``url`` (capped at MAX_JSON_BYTES) and return the number at ``path``."""
    body = await fetch_capped(
        client, url, max_bytes=MAX_JSON_BYTES, timeout_s=timeout_s, what="JSON response"
    )
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SourceError("body is not JSON") from None
    return pick_field(doc, path)
