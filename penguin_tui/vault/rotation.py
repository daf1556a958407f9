"""Rotation age: how long since a secret was updated, and whether that is too long.

The period is ``[vault].rotation_period`` (90 days by default) unless the secret's own custom
metadata says otherwise with a ``rotation_period`` key (``"30d"``, ``"720h"``, written the way
penguin-tui writes durations everywhere). A value there that cannot be read is reported and the
default is used, so one typo never hides a secret from the audit. A secret is overdue when it
is strictly older than its period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from penguin_tui.durations import format_duration, parse_duration
from penguin_tui.vault.escape import shown
from penguin_tui.vault.metadata import SecretMetadata

ROTATION_KEY = "rotation_period"  # the custom-metadata key that overrides the default
DEFAULT_PERIOD_S = 90 * 86400.0


@dataclass(frozen=True, slots=True)
class Rotation:
    """A secret's rotation state at one moment."""

    age_s: float | None  # since updated_time; None when Vault gave none
    period_s: float
    period_source: str  # "default" or "secret" (its custom metadata)
    problem: str = ""  # why the secret's own period was not used

    @property
    def overdue(self) -> bool:
        return self.age_s is not None and self.age_s > self.period_s

    @property
    def overdue_by_s(self) -> float:
        """How long past its period (0 when not overdue)."""
        return max(0.0, self.age_s - self.period_s) if self.age_s is not None else 0.0

    @property
    def due_in_s(self) -> float | None:
        """Time left before it is overdue (negative once it is), None without an age."""
        return None if self.age_s is None else self.period_s - self.age_s

    def label(self) -> str:
        """``"97d 3h old · rotate every 90d · overdue by 7d 3h"`` for the secret's header."""
        if self.age_s is None:
            return "age unknown (no updated_time)"
        every = format_duration(self.period_s)
        if self.period_source == "secret":
            every += " (this secret)"
        text = f"{format_duration(self.age_s)} old · rotate every {every}"
        if self.overdue:
            text += f" · overdue by {format_duration(self.overdue_by_s)}"
        return text


def secret_period(
    custom_metadata: Mapping[str, str], default_s: float = DEFAULT_PERIOD_S
) -> tuple[float, str, str]:
    """``(period, source, problem)``: the secret's own period when readable, else the default."""
    raw = custom_metadata.get(ROTATION_KEY)
    if raw is None:
        return default_s, "default", ""
    try:
        period = parse_duration(raw)
        if period <= 0:
            raise ValueError("a rotation period must be longer than 0")
    except ValueError as exc:
        problem = (
            f'custom metadata {ROTATION_KEY} "{shown(str(raw), max_len=40)}": {exc}; '
            f"using the default {format_duration(default_s)}"
        )
        return default_s, "default", problem
    return period, "secret", ""


def rotation(meta: SecretMetadata, now: float, default_s: float = DEFAULT_PERIOD_S) -> Rotation:
    """The rotation state of ``meta``'s secret at ``now`` (epoch seconds)."""
    period, source, problem = secret_period(meta.custom_metadata, default_s)
    age = None if meta.updated_time is None else max(0.0, now - meta.updated_time)
    return Rotation(age, period, source, problem)
