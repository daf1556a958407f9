"""JSON for the big documents: Alertmanager's answers and the cache's alert columns.

A 10,000-alert poll decodes a 9.6 MB answer, and the cache encodes and decodes tens of
thousands of small label and annotation objects per storm; orjson does both two to ten times
faster than the standard library (docs/PERFORMANCE.md, "Alert stream"). The rest of the code
calls ``loads`` and ``dumps`` here and does not care which library is underneath.

``loads`` accepts exactly what ``json.loads`` accepts and fails the same way: orjson is
stricter (lone surrogates, integers beyond 64 bits, nesting deeper than 1,024 levels,
UTF-16 bodies), so whatever it refuses is handed to ``json.loads``, which decides. Only
malformed input pays for the second attempt.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps", "loads"]


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    """Decode JSON text or UTF-8 bytes; errors (and results) exactly as ``json.loads``."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # json.loads does not take a memoryview; bytes() is a copy only on this rare path.
        return json.loads(bytes(data) if isinstance(data, memoryview) else data)


def dumps(value: Any) -> str:
    """Compact JSON text: for str-keyed dicts, lists and tuples of strings the very text
    ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes (numbers may be
    spelled differently, and read back equal). Other types, non-str keys and lone surrogates
    raise TypeError."""
    return orjson.dumps(value).decode()
