"""Vault's key names and values shown exactly, yet inert: control characters escaped.

``penguin_tui.text.sanitize`` *removes* escape sequences, which suits status lines. A secret
browser must show what is really there (a key named ``"db\\x1b[8m"`` is a finding, not noise),
so here every character that a terminal would act on or that would hide text is written as a
Python-style escape instead: C0 and C1 controls and DEL (``\\x1b``, ``\\n``), Unicode format
characters (bidirectional overrides, zero-width spaces, BOM), line and paragraph separators and
lone surrogates. When anything was escaped, backslashes are doubled too, so the escaped form
is unambiguous; ``Escaped.escaped`` says whether that happened (the screen marks such text).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
# Anything outside printable ASCII needs a closer look; most text is pure printable ASCII.
_SUSPECT = re.compile(r"[^\x20-\x7e]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class Escaped(NamedTuple):
    """Text ready for a terminal (as plain text, never markup) and whether it was escaped."""

    text: str
    escaped: bool


def _unsafe(ch: str, multiline: bool) -> bool:
    if multiline and ch in "\n\t":
        return False
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def needs_escape(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a character a terminal would act on or that hides text."""
    return any(_unsafe(m.group(), multiline) for m in _SUSPECT.finditer(text))


def escape(text: str, *, multiline: bool = False) -> Escaped:
    """``text`` with unsafe characters escaped (``multiline`` keeps newlines and tabs).

    ``"a\x1b[31m"`` becomes ``a\\x1b[31m`` (escaped=True); ``"plain"`` stays as it is.
    """
    if not needs_escape(text, multiline=multiline):
        return Escaped(text, False)
    out = []
    for ch in text:
        if ch == "\\" or (ch in _NAMED and not (multiline and ch in "\n\t")):
            out.append(_NAMED[ch])
        elif _unsafe(ch, multiline):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return Escaped("".join(out), True)


def shown(text: str, *, max_len: int | None = None) -> str:
    """The escaped form of ``text`` on one line, cut to ``max_len`` with an ellipsis."""
    result = escape(text).text
    if max_len is not None and len(result) > max_len:
        result = result[: max(0, max_len - 1)] + "…"
    return result
