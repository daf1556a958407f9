"""Reading ``[incidents]``: how often a stakeholder update is due, by the incident's severity.

``update_cadence = { critical = "30m", high = "1h", medium = "4h", low = "4h" }``; a severity
left out keeps its default (penguin_tui.incidents.model.DEFAULT_CADENCE_S). Like the rest of
the config, every problem is recorded with its line and key and reading goes on.
"""

from __future__ import annotations

import itertools
from types import MappingProxyType

from penguin_tui.alerts.model import Severity
from penguin_tui.config_model import IncidentsConfig
from penguin_tui.config_reader import Table
from penguin_tui.durations import format_duration
from penguin_tui.incidents.model import DEFAULT_CADENCE_S

__all__ = ["CADENCE_MAX_S", "CADENCE_MIN_S", "read_incidents"]

_KEYS = ("update_cadence",)
# Worst first: each must be updated at least as often as the next.
_SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
# The other names teams give severities (as the incident commands accept): say which key.
_ALIASES = {
    alias: f'write the severity\'s name: {word} = "..." ({alias} is {word.capitalize()})'
    for word, aliases in (
        ("critical", ("sev1", "p1")),
        ("high", ("sev2", "p2")),
        ("medium", ("sev3", "p3")),
        ("low", ("sev4", "p4")),
    )
    for lower in aliases
    for alias in (lower, lower.upper())
}
CADENCE_MIN_S = 60.0  # more often than every minute is a chat, not an update
CADENCE_MAX_S = 7 * 86400.0


def read_incidents(table: Table | None) -> IncidentsConfig:
    """``[incidents]``: the stakeholder-update cadence per severity."""
    if table is None:
        return IncidentsConfig()
    table.check_keys(_KEYS)
    cadence = table.table("update_cadence")
    if cadence is None:
        return IncidentsConfig()
    cadence.check_keys([s.name.lower() for s in _SEVERITIES], refused=_ALIASES)
    found = {
        sev: cadence.duration(
            sev.name.lower(), DEFAULT_CADENCE_S[sev], CADENCE_MIN_S, CADENCE_MAX_S
        )
        for sev in _SEVERITIES
    }
    _check_order(cadence, found)
    return IncidentsConfig(cadence_s=MappingProxyType(found))


def _check_order(cadence: Table, found: dict[Severity, float]) -> None:
    # A worse incident with rarer updates than a milder one is always a slip of the pen
    # (a "4h" and a "30m" swapped); said at the worse severity's key.
    for worse, milder in itertools.pairwise(_SEVERITIES):
        if found[worse] <= found[milder]:
            continue
        given = "" if milder.name.lower() in cadence else ", the default"
        cadence.problem(
            worse.name.lower(),
            f"{worse.title} incidents would be updated less often "
            f"({format_duration(found[worse])}) than {milder.title} ones "
            f"({format_duration(found[milder])}{given}); a worse incident needs updates "
            "at least as often",
        )
