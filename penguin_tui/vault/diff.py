"""Two versions of a secret compared key by key: added, removed, changed, unchanged.

Values stay ``SecretValue`` (masked) in the result; ``DiffRow.old_text``/``new_text`` give the
mask unless the caller says the key is revealed. Whether a value changed is known without
showing it, which is the point: "password changed in v4" is safe to read over a shoulder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from penguin_tui.vault.escape import escape
from penguin_tui.vault.secret import MASK, Secret, SecretValue


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One key across the two versions."""

    key: str
    change: Change
    old: SecretValue | None = field(default=None, compare=False)
    new: SecretValue | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return escape(self.key).text

    def old_text(self, revealed: bool = False) -> str:
        """The old value for display: "" when absent, the mask unless ``revealed``."""
        return _text(self.old, revealed)

    def new_text(self, revealed: bool = False) -> str:
        return _text(self.new, revealed)


@dataclass(frozen=True, slots=True)
class SecretDiff:
    """``old`` version against ``new``; rows sorted by key. ``notes`` explain gone versions."""

    old_version: int | None
    new_version: int | None
    rows: tuple[DiffRow, ...]
    notes: tuple[str, ...] = ()

    def count(self, change: Change) -> int:
        return sum(1 for r in self.rows if r.change is change)

    def summary(self) -> str:
        """``"1 added, 2 changed, 0 removed, 5 unchanged"``."""
        order = (Change.ADDED, Change.CHANGED, Change.REMOVED, Change.UNCHANGED)
        return ", ".join(f"{self.count(c)} {c.value}" for c in order)


def diff_secrets(old: Secret, new: Secret) -> SecretDiff:
    """Compare two versions (of one secret, usually); a gone version counts as empty."""
    before = {e.key: e.value for e in old.entries}
    after = {e.key: e.value for e in new.entries}
    rows = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is None:
            change = Change.ADDED
        elif b is None:
            change = Change.REMOVED
        else:
            change = Change.UNCHANGED if a == b else Change.CHANGED
        rows.append(DiffRow(key, change, a, b))
    notes = tuple(
        f"version {s.version} is {s.state}: its keys cannot be compared"
        for s in (old, new)
        if s.gone
    )
    return SecretDiff(old.version, new.version, tuple(rows), notes)


def _text(value: SecretValue | None, revealed: bool) -> str:
    if value is None:
        return ""
    return value.reveal() if revealed else MASK
