"""Reading TOML tables into typed values while collecting every problem, with its line.

``penguin_tui.config`` walks the file's tables through ``Table``; each getter returns a usable
default after recording a problem, so one run reports everything that is wrong instead of
stopping at the first mistake. Line numbers come from a best-effort scan of the text because
tomllib keeps none for values.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from penguin_tui.durations import format_duration, parse_duration
from penguin_tui.text import sanitize

Key = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong with a config file: where (file, line, key path) and what."""

    file: Path | None
    line: int | None
    key: str  # "check[2].url", 'metric "queue_depth".warn', "" for the file as a whole
    message: str

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else "<config>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


def show(value: Any, limit: int = 60) -> str:
    """A config value quoted for a message: sanitized and cut, since the file is untrusted."""
    if isinstance(value, str):
        return '"' + sanitize(value, max_len=limit, single_line=True) + '"'
    return sanitize(repr(value), max_len=limit, single_line=True)


def type_name(value: Any) -> str:
    """What a TOML value is, in the words of the TOML spec rather than Python's."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {show(value)}"
    if isinstance(value, str):
        return f"the text {show(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a date/time ({show(str(value))})"


def has_control(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds control characters or escape sequences.

    ``multiline`` allows line breaks and tabs (PromQL and request bodies span lines).
    """
    if multiline:
        text = text.replace("\r\n", "\n")
        return sanitize(text) != text
    return sanitize(text, single_line=True) != text


class Report:
    """The problems found so far, and the line index used to place them in the file."""

    def __init__(self, file: Path | None, text: str) -> None:
        self.file = file
        self.problems: list[ConfigProblem] = []
        self._lines = index_lines(text)

    def line(self, key: Key) -> int | None:
        """The line of ``key`` or, failing that, of the nearest enclosing table."""
        for end in range(len(key), 0, -1):
            line = self._lines.get(key[:end])
            if line is not None:
                return line
        return None

    def add(self, key: Key, label: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, self.line(key), label, message))


class Table:
    """One TOML table being read: typed getters that record problems and fall back."""

    def __init__(self, report: Report, data: dict[str, Any], key: Key, label: str) -> None:
        self.report = report
        self.data = data
        self.key = key
        self.label = label

    def where(self, name: str | None) -> str:
        """The key path shown to the operator, e.g. ``check "api".timeout``."""
        if not name:
            return self.label
        return f"{self.label}.{name}" if self.label else name

    def problem(self, name: str | None, message: str, *, index: int | None = None) -> None:
        """Record a problem at key ``name`` (or the table itself), optionally at a list item."""
        key = self.key + ((name,) if name else ()) + ((index,) if index is not None else ())
        label = self.where(name) + (f"[{index}]" if index is not None else "")
        self.report.add(key, label, message)

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def check_keys(self, allowed: Iterable[str], refused: dict[str, str] | None = None) -> None:
        """Report keys this table does not know, suggesting the closest known one."""
        allowed = list(allowed)
        for name in self.data:
            if refused and name in refused:
                self.problem(name, refused[name])
            elif name not in allowed:
                guess = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                if guess:
                    hint = f'did you mean "{guess[0]}"?'
                else:
                    hint = "known keys: " + ", ".join(allowed)
                self.problem(sanitize(name, max_len=40), f"unknown key ({hint})")

    def text(
        self, name: str, default: str = "", *, required: bool = False, multiline: bool = False
    ) -> str:
        """A string; refuses control characters (line breaks only where ``multiline``)."""
        if name not in self.data:
            if required:
                self.problem(None, f'missing "{name}"')
            return default
        value = self.data[name]
        if not isinstance(value, str):
            self.problem(name, f"expected text in quotes, got {type_name(value)}")
            return default
        if has_control(value, multiline=multiline):
            self.problem(name, "contains control characters or escape sequences")
            return default
        if required and not value.strip():
            self.problem(name, "must not be empty")
            return default
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.problem(name, f"expected true or false, got {type_name(value)}")
            return default
        return value

    def whole(self, name: str, default: int, lo: int, hi: int) -> int:
        """A whole number between ``lo`` and ``hi``."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"expected a whole number, got {type_name(value)}")
            return default
        if not lo <= value <= hi:
            self.problem(name, f"must be between {lo} and {hi}, not {value}")
            return default
        return value

    def number(
        self, name: str, default: float | None, lo: float | None = None, hi: float | None = None
    ) -> float | None:
        """A number (whole or not), optionally bounded (inclusive)."""
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(name, f"expected a number, got {type_name(value)}")
            return default
        if not math.isfinite(value):
            self.problem(name, f"must be a finite number, not {value}")
            return default
        if lo is not None and value < lo:
            self.problem(name, f"must be at least {lo:g}, not {value:g}")
            return default
        if hi is not None and value > hi:
            self.problem(name, f"must be at most {hi:g}, not {value:g}")
            return default
        return float(value)

    def duration(self, name: str, default: float, lo: float, hi: float) -> float:
        """A duration written as text ("30s"), in seconds, within ``lo``..``hi`` seconds."""
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.problem(
                name, f'expected a duration in quotes like "{value}s", got {type_name(value)}'
            )
            return default
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            self.problem(name, str(exc))
            return default
        if not lo <= seconds <= hi:
            self.problem(
                name,
                f"must be between {format_duration(lo)} and {format_duration(hi)}, "
                f"not {format_duration(seconds)}",
            )
            return default
        return seconds

    def texts(self, name: str, default: tuple[str, ...]) -> tuple[str, ...] | None:
        """A list of strings; None (after recording problems) when any item is bad."""
        if name not in self.data:
            return default
        value = self.data[name]
        if not isinstance(value, list):
            self.problem(name, f'expected a list of texts like ["a", "b"], got {type_name(value)}')
            return None
        good = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(name, f"expected text in quotes, got {type_name(item)}", index=i)
                good = False
            elif has_control(item):
                self.problem(name, "contains control characters or escape sequences", index=i)
                good = False
        return tuple(value) if good else None

    def table(self, name: str) -> Table | None:
        """A nested table (``[host.cpu]`` or ``cpu = { ... }``); None when absent or wrong."""
        if name not in self.data:
            return None
        value = self.data[name]
        if not isinstance(value, dict):
            self.problem(name, f"expected a table like {name} = {{ ... }}, got {type_name(value)}")
            return None
        return Table(self.report, value, (*self.key, name), self.where(name))


# ---------------------------------------------------------------------------- line index

_ARRAY_HEADER = re.compile(r"\[\[\s*([^\]]+?)\s*\]\]")
_HEADER = re.compile(r"\[\s*([^\]]+?)\s*\]")
_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=(?!=)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_INLINE_KEY = re.compile(r"([A-Za-z0-9_-]+)\s*=(?!=)")


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', text)
    return tuple(a or b or c for a, b, c in parts)


def index_lines(text: str) -> dict[Key, int]:
    """Map key paths (``("check", 2, "url")``) to the line where they are first written.

    Best effort, good for the files people write: tables, arrays of tables, ``key = value``,
    inline tables on one line, and one line per item of multi-line lists of strings.
    """
    index: dict[Key, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: Key = ()
    multiline = ""  # the closing delimiter of a multi-line string we are inside
    array: Key | None = None  # the key of a multi-line list we are inside
    item = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if multiline:
            if multiline in line:
                multiline = ""
            continue
        if array is not None:
            for _ in _STRING.finditer(line):
                index.setdefault((*array, item), number)
                item += 1
            if "]" in _STRING.sub("", line).split("#", 1)[0]:
                array = None
            continue
        if not line or line.startswith("#"):
            continue
        m = _ARRAY_HEADER.match(line)
        if m:
            name = _split_key(m.group(1))
            counts[name] = counts.get(name, 0) + 1
            current = (*name, counts[name] - 1)
            index.setdefault(name, number)
            index.setdefault(current, number)
            continue
        m = _HEADER.match(line)
        if m:
            current = _split_key(m.group(1))
            index.setdefault(current, number)
            continue
        m = _KEY.match(line)
        if not m:
            continue
        key = (*current, *_split_key(m.group(1)))
        index.setdefault(key, number)
        value = line[m.end() :].strip()
        if value.startswith("{"):
            for inner in _INLINE_KEY.finditer(_STRING.sub('""', value)):
                index.setdefault((*key, inner.group(1)), number)
        elif value.startswith("["):
            item = 0
            for _ in _STRING.finditer(value):
                index.setdefault((*key, item), number)
                item += 1  # noqa: SIM113 - continues on the list's next lines
            if "]" not in _STRING.sub("", value).split("#", 1)[0]:
                array = key
        for delimiter in ('"""', "'''"):
            if value.count(delimiter) == 1:
                multiline = delimiter
    return index


# ---------------------------------------------------------------------------- URLs

_SCHEME_HINT = {
    ("http", "https", "tcp"): "use http://, https:// or tcp://",
    ("http", "https"): "use http:// or https://",
}


def url_problem(url: str, schemes: tuple[str, ...]) -> str | None:
    """What is wrong with ``url`` for a target of one of ``schemes`` (None when it is fine)."""
    from urllib.parse import urlsplit

    hint = _SCHEME_HINT.get(schemes, "use " + " or ".join(f"{s}://" for s in schemes))
    if not url.strip():
        return "must not be empty"
    if any(ch.isspace() for ch in url):
        return f"{show(url)} contains spaces"
    if "://" not in url:
        return f"{show(url)} has no scheme ({hint})"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{show(url)} has a bad port (use a number from 1 to 65535)"
    if parts.scheme.lower() not in schemes:
        return f"scheme {show(parts.scheme)} is not supported ({hint})"
    if not parts.hostname:
        return f"{show(url)} has no host"
    if parts.password is not None:
        # Names, reasons and the cache show URLs; a password in one would be shown with it.
        return (
            "has a password in it: put credentials in the check's headers "
            '(e.g. headers = { Authorization = "Basic ..." }), never in the URL'
        )
    if parts.scheme.lower() == "tcp":
        if port is None:
            return f"tcp:// needs host:port, e.g. tcp://10.0.0.5:5432 (got {show(url)})"
        if parts.path or parts.query or parts.fragment or parts.username:
            return f"tcp:// takes only host:port, e.g. tcp://10.0.0.5:5432 (got {show(url)})"
    if port == 0:
        return f"{show(url)} has port 0 (use a number from 1 to 65535)"
    return None
