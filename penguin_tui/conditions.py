"""Gatus-style health conditions: ``[STATUS] == 200``, ``[BODY].status == ok``, ...

A condition is ``<left> <operator> <right>``:

- left: a placeholder, optionally inside ``len(...)`` or ``has(...)``:
  ``[STATUS]`` (HTTP status), ``[RESPONSE_TIME]`` (ms), ``[BODY]`` (the body, surrounding
  blanks ignored), ``[BODY].a.b[0].c`` (a field of a JSON body), ``[CONNECTED]`` (true/false),
  ``[CERTIFICATE_EXPIRATION]`` (ms until the server certificate expires), ``[IP]``.
- operator: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``.
- right: a value (``200``, ``ok``, ``"two words"``, ``true``; for the time placeholders also a
  duration such as ``72h`` or ``300ms``), ``any(a, b, c)`` or ``pat(*glob*)``.

Both sides numbers: numeric comparison; otherwise text comparison. Parsing happens once, when
the config is loaded; evaluation runs on every probe and must never raise.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.condition_parse import (
    NUMBER,
    OPERATORS,
    PLACEHOLDERS,
    TCP_PLACEHOLDERS,
    Condition,
    ConditionSyntaxError,
    parse_condition,
)
from penguin_tui.durations import format_duration
from penguin_tui.model import ConditionResult
from penguin_tui.text import sanitize

__all__ = [
    "OPERATORS",
    "PLACEHOLDERS",
    "TCP_PLACEHOLDERS",
    "Condition",
    "ConditionSyntaxError",
    "ProbeContext",
    "evaluate",
    "evaluate_all",
    "parse_condition",
]

_ACTUAL_MAX = 80  # network text in a reason stays one short line


@dataclass(slots=True)
class ProbeContext:
    """What one probe observed; the input to ``evaluate``. ``None`` means "not known"."""

    status: int | None = None
    response_ms: float | None = None
    body: bytes | None = None  # possibly truncated to max_body_bytes
    connected: bool | None = None
    cert_expiry_s: float | None = None  # seconds until the certificate expires (<0: expired)
    ip: str | None = None
    # The body parsed as JSON, once per probe however many conditions look into it.
    _json: Any = field(default=None, init=False, repr=False, compare=False)
    _json_state: int = field(default=0, init=False, repr=False, compare=False)  # 0 ?, 1 ok, 2 bad

    def body_json(self) -> tuple[bool, Any]:
        """``(True, value)`` when the body is JSON, else ``(False, None)``."""
        if self._json_state == 0:
            try:
                self._json = json.loads(self.body or b"")
                self._json_state = 1
            except (ValueError, UnicodeDecodeError, RecursionError):
                self._json_state = 2
        return self._json_state == 1, self._json


def evaluate(condition: Condition, ctx: ProbeContext) -> ConditionResult:
    """Judge one condition against what a probe saw. Never raises."""
    return _judge(condition, ctx)[0]


def evaluate_all(
    conditions: Iterable[Condition], ctx: ProbeContext
) -> tuple[list[ConditionResult], str]:
    """Evaluate every condition; the reason names each failure with the actual value.

    The reason is "" when all passed, else e.g. ``[STATUS] == 200 failed: got 503`` (several
    failures joined by "; ").
    """
    results: list[ConditionResult] = []
    reasons: list[str] = []
    for condition in conditions:
        result, reason = _judge(condition, ctx)
        results.append(result)
        if reason:
            reasons.append(reason)
    return results, "; ".join(reasons)


def _judge(condition: Condition, ctx: ProbeContext) -> tuple[ConditionResult, str]:
    if not condition.placeholder:  # built by hand from the four public fields
        condition = parse_condition(condition.expression)
    actual = _resolve(condition, ctx)
    ok = actual.text is not None and _compare(actual, condition)
    result = ConditionResult(condition.expression, ok, actual.shown)
    if ok:
        return result, ""
    # Some values already read as a phrase ("took 812 ms", "body is not JSON"); plain values
    # read best as "got 503".
    detail = actual.shown if actual.phrase or actual.text is None else f"got {actual.shown}"
    expression = sanitize(condition.expression, single_line=True)
    return result, f"{expression} failed: {detail}"


@dataclass(frozen=True, slots=True)
class _Actual:
    text: str | None  # what is compared; None: no value (shown says why)
    shown: str  # what an operator reads: 503, "degraded", took 812 ms, body is not JSON
    number: float | None = None
    phrase: bool = False  # shown is a phrase of its own, not a bare value


def _resolve(cond: Condition, ctx: ProbeContext) -> _Actual:
    name = cond.placeholder
    if name == "STATUS":
        if ctx.status is None:
            return _Actual(None, "no HTTP response")
        return _Actual(str(ctx.status), str(ctx.status), float(ctx.status))
    if name == "RESPONSE_TIME":
        if ctx.response_ms is None:
            return _Actual(None, "no response time")
        ms = ctx.response_ms
        shown = f"took {ms:.1f} ms" if ms < 10 else f"took {ms:.0f} ms"
        return _Actual(repr(ms), shown, ms, phrase=True)
    if name == "CONNECTED":
        connected = ctx.connected if ctx.connected is not None else ctx.status is not None
        shown = "connected" if connected else "not connected"
        return _Actual("true" if connected else "false", shown, phrase=True)
    if name == "CERTIFICATE_EXPIRATION":
        if ctx.cert_expiry_s is None:
            return _Actual(None, "no TLS certificate (not an https:// check)")
        s = ctx.cert_expiry_s
        if s > 0:
            shown = f"certificate expires in {format_duration(s)}"
        else:
            shown = f"certificate expired {format_duration(-s)} ago"
        return _Actual(repr(s * 1000), shown, s * 1000, phrase=True)
    if name == "IP":
        if not ctx.ip:
            return _Actual(None, "no IP address")
        return _Actual(ctx.ip, _quote(ctx.ip))
    return _resolve_body(cond, ctx)


def _resolve_body(cond: Condition, ctx: ProbeContext) -> _Actual:
    if ctx.body is None:
        if cond.func == "has":
            return _Actual("false", "false")
        return _Actual(None, "no body")
    if not cond.path:
        text = ctx.body.decode("utf-8", errors="replace").strip()
        if cond.func == "has":
            return _Actual("true", "true")
        if cond.func == "len":
            return _Actual(str(len(text)), str(len(text)), float(len(text)))
        return _Actual(text, _quote(text), _number(text))
    is_json, value = ctx.body_json()
    found = is_json
    for part in cond.path if is_json else ():
        found, value = _step(value, part)
        if not found:
            break
    if cond.func == "has":
        return _Actual("true" if found else "false", "true" if found else "false")
    if not is_json:
        return _Actual(None, "body is not JSON")
    if not found:
        return _Actual(None, f"body has no field {_path_text(cond.path)}")
    if cond.func == "len":
        n = len(value) if isinstance(value, str | list | dict) else len(_json_text(value))
        return _Actual(str(n), str(n), float(n))
    text = _json_text(value)
    if isinstance(value, str):
        return _Actual(text, _quote(text), _number(text))
    number = (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    )
    return _Actual(text, sanitize(text, max_len=_ACTUAL_MAX, single_line=True), number)


def _step(value: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(part, int):
        if isinstance(value, list) and -len(value) <= part < len(value):
            return True, value[part]
        return False, None
    if isinstance(value, dict) and part in value:
        return True, value[part]
    return False, None


def _path_text(path: tuple[str | int, ...]) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return sanitize(text.lstrip("."), max_len=_ACTUAL_MAX, single_line=True)


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _quote(text: str) -> str:
    return '"' + sanitize(text, max_len=_ACTUAL_MAX, single_line=True) + '"'


def _number(text: str) -> float | None:
    return float(text) if NUMBER.fullmatch(text.strip()) else None


def _compare(actual: _Actual, cond: Condition) -> bool:
    assert actual.text is not None
    if cond.right_kind == "pat":
        hit = _glob(cond.values[0]).fullmatch(actual.text) is not None
        return hit if cond.op == "==" else not hit
    if cond.right_kind == "any":
        hit = any(_equal(actual, v) for v in cond.values)
        return hit if cond.op == "==" else not hit
    right = cond.values[0]
    if cond.op == "==":
        return _equal(actual, right)
    if cond.op == "!=":
        return not _equal(actual, right)
    left_n, right_n = actual.number, _number(right)
    if left_n is not None and right_n is not None:
        a: Any = left_n
        b: Any = right_n
    else:
        a, b = actual.text, right
    if cond.op == "<":
        return a < b
    if cond.op == "<=":
        return a <= b
    if cond.op == ">":
        return a > b
    return a >= b


def _equal(actual: _Actual, right: str) -> bool:
    right_n = _number(right)
    if actual.number is not None and right_n is not None:
        return actual.number == right_n
    return actual.text == right


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    # Gatus patterns know only "*"; everything else is literal (a "?" or "[" in a body is common).
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.DOTALL)
