"""Alertmanager matcher syntax: ``severity="critical"``, ``service=~"smtp.*"``, ``alertname!="X"``.

The filter bar takes matchers and free words mixed, with or without braces and commas:
``{severity="critical", service=~"smtp.*"} disk`` keeps critical smtp alerts mentioning "disk".
Regular expressions are anchored at both ends, as Alertmanager anchors them, and a missing
label matches like an empty one (``team=""`` selects alerts without a team), as there too.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from penguin_tui.text import sanitize

MAX_FILTER_LEN = 2000  # longer filters are refused: nobody types them, a paste accident does


class MatchOp(enum.StrEnum):
    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


class FilterError(ValueError):
    """A filter or matcher that cannot be read; the message says where and why."""


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_MATCHER = re.compile(
    rf"\s*(?P<name>{_NAME})\s*(?P<op>=~|!~|!=|=)\s*"
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s,{}"]*)'
)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher: ``Matcher(name, op, value)``; a bad regex raises FilterError."""

    name: str
    op: MatchOp
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(_NAME, self.name):
            raise FilterError(f"{sanitize(self.name, max_len=40)!r} is not a label name")
        if self.op in (MatchOp.RE, MatchOp.NRE):
            try:
                compiled = re.compile(self.value)
            except re.error as exc:
                raise FilterError(
                    f'{self.name}{self.op.value}"{sanitize(self.value, max_len=40)}": '
                    f"not a valid regular expression ({exc})"
                ) from None
            object.__setattr__(self, "_regex", compiled)

    @property
    def is_regex(self) -> bool:
        return self.op in (MatchOp.RE, MatchOp.NRE)

    @property
    def is_equal(self) -> bool:
        return self.op in (MatchOp.EQ, MatchOp.RE)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when the label (missing counts as "") satisfies this matcher."""
        got = labels.get(self.name, "")
        if self._regex is not None:
            hit = self._regex.fullmatch(got) is not None
        else:
            hit = got == self.value
        return hit if self.is_equal else not hit

    def matches_empty(self) -> bool:
        """True when this matcher also selects alerts that lack the label altogether."""
        return self.matches({})

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op.value}"{escaped}"'

    def to_api(self) -> dict[str, object]:
        """The matcher as Alertmanager's API v2 writes it."""
        return {
            "name": self.name,
            "value": self.value,
            "isRegex": self.is_regex,
            "isEqual": self.is_equal,
        }

    @classmethod
    def from_api(cls, data: Mapping[str, object]) -> Matcher:
        """Read an API v2 matcher; ``isEqual`` is absent in Alertmanagers before 0.22."""
        name = data.get("name")
        value = data.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            raise FilterError("a matcher needs a text name and value")
        is_regex = bool(data.get("isRegex", False))
        is_equal = bool(data.get("isEqual", True))
        op = {
            (False, True): MatchOp.EQ,
            (False, False): MatchOp.NE,
            (True, True): MatchOp.RE,
            (True, False): MatchOp.NRE,
        }[(is_regex, is_equal)]
        return cls(name, op, value)

    @classmethod
    def equal(cls, name: str, value: str) -> Matcher:
        return cls(name, MatchOp.EQ, value)


def _unquote(raw: str) -> str:
    if not (raw.startswith('"') and raw.endswith('"') and len(raw) >= 2):
        return raw
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def parse_matcher(text: str) -> Matcher:
    """One matcher, e.g. ``service=~"smtp.*"`` (quotes optional for simple values)."""
    m = _MATCHER.fullmatch(text.strip())
    if m is None:
        raise FilterError(
            f"{sanitize(text, single_line=True, max_len=60)!r}: write a matcher as "
            'name="value", name!="value", name=~"regex" or name!~"regex"'
        )
    return Matcher(m["name"], MatchOp(m["op"]), _unquote(m["value"]))


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Matchers (all must hold) and free words (each must appear somewhere in the alert)."""

    matchers: tuple[Matcher, ...] = ()
    words: tuple[str, ...] = ()  # lower-cased

    def __bool__(self) -> bool:
        return bool(self.matchers or self.words)

    def matches(self, labels: Mapping[str, str], texts: Iterable[str] = ()) -> bool:
        """``texts`` are extra strings free words may hit (summary, state, severity word)."""
        if not all(m.matches(labels) for m in self.matchers):
            return False
        if not self.words:
            return True
        haystack = "\n".join([*labels.values(), *texts]).lower()
        return all(word in haystack for word in self.words)


def parse_filter(text: str) -> AlertFilter:
    """Parse the filter bar: matchers and free words, optional braces and commas.

    Raises FilterError naming the column of the first thing it could not read.
    """
    if len(text) > MAX_FILTER_LEN:
        raise FilterError(
            f"the filter is {len(text)} characters long; the limit is {MAX_FILTER_LEN}"
        )
    matchers: list[Matcher] = []
    words: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        ch = text[pos]
        if ch.isspace() or ch in ",{}":
            pos += 1
            continue
        m = _MATCHER.match(text, pos)
        if m is not None and m.end() > pos and (m.end() == end or text[m.end()] in " \t,}{"):
            try:
                matchers.append(Matcher(m["name"], MatchOp(m["op"]), _unquote(m["value"])))
            except FilterError as exc:
                raise FilterError(f"column {pos + 1}: {exc}") from None
            pos = m.end()
            continue
        if ch == '"':
            close = text.find('"', pos + 1)
            if close < 0:
                raise FilterError(f"column {pos + 1}: a quote is not closed")
            phrase = text[pos + 1 : close]
            if phrase:
                words.append(phrase.lower())
            pos = close + 1
            continue
        stop = pos
        while stop < end and not text[stop].isspace() and text[stop] not in ",{}":
            stop += 1
        word = text[pos:stop]
        if any(op in word for op in ("=~", "!~", "!=", "=")):
            if '"' in word and _MATCHER.fullmatch(word + '"') is not None:
                # A matcher whose value's quote is still open: what the bar shows while it
                # is being typed, so it says exactly that.
                raise FilterError(
                    f"column {pos + 1}: {sanitize(word, single_line=True, max_len=40)!r}: "
                    "a quote is not closed"
                )
            raise FilterError(
                f"column {pos + 1}: {sanitize(word, single_line=True, max_len=40)!r} looks like "
                'a matcher but is not one; write name="value", name!="value", name=~"regex" '
                'or name!~"regex"'
            )
        words.append(word.lower())
        pos = stop
    return AlertFilter(tuple(matchers), tuple(words))


def format_matchers(matchers: Iterable[Matcher]) -> str:
    """``{a="b", c=~"d.*"}``"""
    return "{" + ", ".join(str(m) for m in matchers) + "}"
