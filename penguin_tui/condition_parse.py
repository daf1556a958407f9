"""Parsing Gatus-style conditions (the language is described in ``penguin_tui.conditions``).

Parsing happens once, when the config is loaded, so every mistake is reported there with a
message that says what is wrong and how to write it, never on the first probe.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

from penguin_tui.durations import parse_duration
from penguin_tui.text import sanitize

PLACEHOLDERS = ("STATUS", "RESPONSE_TIME", "BODY", "CONNECTED", "CERTIFICATE_EXPIRATION", "IP")
# What a tcp:// probe can know: no status, body or certificate.
TCP_PLACEHOLDERS = frozenset({"CONNECTED", "RESPONSE_TIME", "IP"})
OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
_NUMERIC = frozenset({"STATUS", "RESPONSE_TIME", "CERTIFICATE_EXPIRATION"})
_TIME = frozenset({"RESPONSE_TIME", "CERTIFICATE_EXPIRATION"})
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(-?\d+)\]")


class ConditionSyntaxError(ValueError):
    """A condition that cannot be parsed; the message says what is wrong and how to write it."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One parsed condition. ``left``/``op``/``right`` are the three parts as written."""

    expression: str
    left: str
    op: str
    right: str
    placeholder: str = field(default="", compare=False)  # "STATUS", "BODY", ...
    func: str = field(default="", compare=False)  # "", "len" or "has"
    path: tuple[str | int, ...] = field(default=(), compare=False)  # JSON path under [BODY]
    right_kind: str = field(default="value", compare=False)  # "value", "any" or "pat"
    values: tuple[str, ...] = field(default=(), compare=False)  # right side, unquoted


# Probes may parse their check's conditions on every poll; the cache makes that free.
@functools.lru_cache(maxsize=1024)
def parse_condition(expression: str) -> Condition:
    """Parse one condition such as ``[BODY].status == ok``.

    Raises ConditionSyntaxError (a ValueError) saying what is wrong, e.g. an unknown placeholder
    (with a suggestion), a missing operator, or a right side of the wrong kind.
    """
    if not isinstance(expression, str):
        raise ConditionSyntaxError('a condition must be text like "[STATUS] == 200"')
    text = expression.strip()
    if not text:
        raise ConditionSyntaxError('empty condition (write e.g. "[STATUS] == 200")')
    at, op = _find_operator(text)
    left, right = text[:at].strip(), text[at + len(op) :].strip()
    if not left:
        raise ConditionSyntaxError(f"nothing before {op} (start with a placeholder like [STATUS])")
    if not right:
        raise ConditionSyntaxError(f'nothing after {op} (compare with a value, "" for empty)')
    func, placeholder, path = _parse_left(left, right)
    kind, values = _parse_right(right, op)
    _check_types(placeholder, func, op, kind, values)
    if placeholder in _TIME:
        values = tuple(_to_ms(v) for v in values)
    return Condition(expression, left, op, right, placeholder, func, path, kind, values)


def _find_operator(text: str) -> tuple[int, str]:
    """Position and text of the first operator outside brackets, parentheses and quotes."""
    depth = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif depth == 0:
            pair = text[i : i + 2]
            if pair in ("==", "!=", "<=", ">="):
                return i, pair
            if ch in "<>":
                return i, ch
            if ch == "=":
                raise ConditionSyntaxError("use == to compare (a single = is not an operator)")
        i += 1
    raise ConditionSyntaxError("no operator (use ==, !=, <, <=, > or >=)")


def _parse_left(left: str, right: str) -> tuple[str, str, tuple[str | int, ...]]:
    func = ""
    inner = left
    m = re.fullmatch(r"([A-Za-z_]+)\s*\((.*)\)", left)
    if m:
        func, inner = m.group(1), m.group(2).strip()
        if func in ("any", "pat"):
            raise ConditionSyntaxError(f"{func}() belongs on the right side of the operator")
        if func not in ("len", "has"):
            raise ConditionSyntaxError(
                f"unknown function {func}() (use len() or has() on the left, "
                "any() or pat() on the right)"
            )
    m = re.match(r"\[([A-Za-z_]+)\]", inner)
    if not m:
        if re.search(r"\[[A-Z_]+\]", right):
            raise ConditionSyntaxError("put the placeholder on the left, e.g. [STATUS] == 200")
        raise ConditionSyntaxError(
            f'"{sanitize(left, max_len=40, single_line=True)}" is not a placeholder '
            "(use [STATUS], [RESPONSE_TIME], [BODY], [CONNECTED], "
            "[CERTIFICATE_EXPIRATION] or [IP])"
        )
    name = m.group(1)
    if name not in PLACEHOLDERS:
        guess = difflib.get_close_matches(name.upper(), PLACEHOLDERS, n=1, cutoff=0.6)
        hint = f" (did you mean [{guess[0]}]?)" if guess else ""
        raise ConditionSyntaxError(f"unknown placeholder [{sanitize(name, max_len=40)}]{hint}")
    rest = inner[m.end() :]
    path: list[str | int] = []
    pos = 0
    while pos < len(rest):
        part = _PATH_PART.match(rest, pos)
        if part is None:
            raise ConditionSyntaxError(
                f'cannot read the field path "{sanitize(rest, max_len=40, single_line=True)}" '
                "(write [BODY].a.b[0].c)"
            )
        path.append(part.group(1) if part.group(1) is not None else int(part.group(2)))
        pos = part.end()
    if path and name != "BODY":
        raise ConditionSyntaxError(f"[{name}] has no fields; only [BODY] does")
    if func and name != "BODY":
        raise ConditionSyntaxError(f"{func}() applies to [BODY] or a field of it, not [{name}]")
    return func, name, tuple(path)


def _parse_right(right: str, op: str) -> tuple[str, tuple[str, ...]]:
    m = re.fullmatch(r"(any|pat)\s*\((.*)\)", right, re.DOTALL)
    if m is None:
        if re.fullmatch(r"(len|has)\s*\(.*\)", right):
            raise ConditionSyntaxError("len() and has() belong on the left side")
        if re.search(r"\[(STATUS|RESPONSE_TIME|BODY|CONNECTED|CERTIFICATE_EXPIRATION|IP)\]", right):
            raise ConditionSyntaxError("compare a placeholder with a value, not with a placeholder")
        return "value", (_unquote(right),)
    kind, inner = m.group(1), m.group(2)
    if op not in ("==", "!="):
        raise ConditionSyntaxError(f"{kind}() works with == and != only, not {op}")
    if kind == "pat":
        if not inner.strip():
            raise ConditionSyntaxError("pat() needs a pattern, e.g. pat(*ok*)")
        return "pat", (_unquote(inner.strip()),)
    values = tuple(_unquote(v.strip()) for v in _split_args(inner))
    if not values or any(v == "" for v in values):
        raise ConditionSyntaxError("any() needs values separated by commas, e.g. any(200, 204)")
    return "any", values


def _split_args(inner: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in inner:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            out.append("".join(current))
            current = []
            continue
        current.append(ch)
    out.append("".join(current))
    return out if inner.strip() else []


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _check_types(placeholder: str, func: str, op: str, kind: str, values: tuple[str, ...]) -> None:
    if func == "has" or placeholder == "CONNECTED":
        what = "has()" if func == "has" else "[CONNECTED]"
        if (
            op not in ("==", "!=")
            or kind == "pat"
            or any(v not in ("true", "false") for v in values)
        ):
            raise ConditionSyntaxError(f"{what} is true or false: write {what} == true")
        return
    if kind == "pat":
        return
    if func == "len" or placeholder in _NUMERIC:
        what = "len()" if func == "len" else f"[{placeholder}]"
        for value in values:
            if NUMBER.fullmatch(value):
                continue
            if placeholder in _TIME and not func and _is_duration(value):
                continue
            unit = " or a duration like 72h" if placeholder in _TIME and not func else ""
            raise ConditionSyntaxError(
                f'{what} is compared with a number{unit}, not "{sanitize(value, max_len=40)}"'
            )


def _is_duration(value: str) -> bool:
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def _to_ms(value: str) -> str:
    # Gatus compares [RESPONSE_TIME] and [CERTIFICATE_EXPIRATION] in milliseconds; a duration on
    # the right is turned into milliseconds once, here, not on every probe.
    if NUMBER.fullmatch(value):
        return value
    return repr(parse_duration(value) * 1000)
