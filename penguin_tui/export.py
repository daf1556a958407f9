"""``penguin-tui export``: the cache's samples, check results or events as CSV or JSON.

Rows stream from the store to the output, so exporting 48 h of 200 series does not build a
list in memory. Strings are sanitized (a CSV opened in a terminal must not carry escapes) and
CSV cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from penguin_tui.errors import EXIT_OK, PenguinError
from penguin_tui.fmt import iso
from penguin_tui.text import sanitize

COLUMNS = {
    "samples": ("ts", "key", "value"),
    "checks": ("ts", "check", "ok", "response_ms", "reason"),
    "events": ("ts", "key", "kind", "old", "new", "value", "reason"),
}
_FORMULA_START = ("=", "+", "-", "@")


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key == "ts":
            value = iso(value)
        elif isinstance(value, str):
            value = sanitize(value, single_line=True)
        out[key] = value
    return out


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value  # a spreadsheet would evaluate it
    return value


def write_rows(rows: Iterator[dict[str, Any]], what: str, fmt: str, out: IO[str]) -> int:
    """Write rows to ``out``; return how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS[what], extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in _clean_row(row).items()})
            count += 1
        return count
    out.write("[")
    for row in rows:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(_clean_row(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def run_export(
    config_path: Path | None,
    cache_path: Path | None,
    since_s: float,
    what: str,
    fmt: str,
    output: Path | None,
) -> int:
    """Export from the cache; refuse to overwrite an existing output file."""
    from penguin_tui.context import resolve
    from penguin_tui.store import Store

    ctx = resolve(config_path, cache_path)
    if not ctx.cache_path.exists():
        raise PenguinError(f"{ctx.cache_path}: no cache here yet (nothing has been recorded)")
    store = Store.open(ctx.cache_path)
    try:
        rows = store.export_rows(what, time.time() - since_s)
        with _open_output(output) as out:
            write_rows(rows, what, fmt, out)
    finally:
        store.close()
    return EXIT_OK


@contextlib.contextmanager
def _open_output(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    try:
        handle = output.open("x", encoding="utf-8", newline="")
    except FileExistsError:
        raise PenguinError(f"{output}: already exists; not overwriting it") from None
    except OSError as exc:
        raise PenguinError(f"{output}: cannot write: {exc.strerror}") from None
    with handle:
        yield handle
