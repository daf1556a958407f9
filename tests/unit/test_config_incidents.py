"""[incidents]: the stakeholder-update cadence per severity; the example, the defaults, and
every mistake with its line, key and words."""

# ruff: noqa: E501  (tables of exact messages read best one case per line)

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from penguin_tui.alerts.model import Severity
from penguin_tui.config import load_config, parse_config
from penguin_tui.config_example import EXAMPLE_CONFIG
from penguin_tui.config_model import Config, IncidentsConfig
from penguin_tui.incidents.model import DEFAULT_CADENCE_S
from tests.unit.config_files import problems, write

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CONFIG.md"
MIN, HOUR = 60.0, 3600.0


# ---------------------------------------------------------------------------- good configs


def test_absent_table_is_the_model_default() -> None:
    config = parse_config("")
    assert config.incidents == IncidentsConfig()
    assert dict(config.incidents.cadence_s) == dict(DEFAULT_CADENCE_S)
    assert dict(Config().incidents.cadence_s) == {
        Severity.CRITICAL: 30 * MIN,
        Severity.HIGH: HOUR,
        Severity.MEDIUM: 4 * HOUR,
        Severity.LOW: 4 * HOUR,
    }


def test_the_default_cannot_be_changed_by_accident() -> None:
    # Shared by every Config without [incidents]: a write to it would change them all.
    with pytest.raises(TypeError):
        Config().incidents.cadence_s[Severity.LOW] = 1.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().incidents.cadence_s = {}  # type: ignore[misc]


def test_the_example_validates_and_gives_the_issue_cadence(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EXAMPLE_CONFIG))
    assert dict(config.incidents.cadence_s) == {
        Severity.CRITICAL: 30 * MIN,
        Severity.HIGH: HOUR,
        Severity.MEDIUM: 4 * HOUR,
        Severity.LOW: 4 * HOUR,
    }


def test_every_severity_maps() -> None:
    text = '[incidents]\nupdate_cadence = { critical = "15m", high = "45m", medium = "2h", low = "1d" }\n'
    assert dict(parse_config(text).incidents.cadence_s) == {
        Severity.CRITICAL: 15 * MIN,
        Severity.HIGH: 45 * MIN,
        Severity.MEDIUM: 2 * HOUR,
        Severity.LOW: 24 * HOUR,
    }


def test_a_severity_left_out_keeps_its_default() -> None:
    cadence = parse_config(
        '[incidents]\nupdate_cadence = { critical = "10m" }\n'
    ).incidents.cadence_s
    assert cadence[Severity.CRITICAL] == 10 * MIN
    assert cadence[Severity.HIGH] == HOUR and cadence[Severity.LOW] == 4 * HOUR


def test_the_sub_table_form_reads_the_same() -> None:
    text = '[incidents.update_cadence]\ncritical = "20m"\nhigh = "20m"\n'
    cadence = parse_config(text).incidents.cadence_s
    assert (cadence[Severity.CRITICAL], cadence[Severity.HIGH]) == (20 * MIN, 20 * MIN)


def test_an_empty_table_is_the_default() -> None:
    assert parse_config("[incidents]\n").incidents == IncidentsConfig()
    assert parse_config("[incidents]\nupdate_cadence = {}\n").incidents == IncidentsConfig()


def test_bounds_are_inclusive() -> None:
    text = '[incidents]\nupdate_cadence = { critical = "1m", high = "7d", medium = "7d", low = "7d" }\n'
    cadence = parse_config(text).incidents.cadence_s
    assert (cadence[Severity.CRITICAL], cadence[Severity.LOW]) == (MIN, 7 * 86400)


def test_next_update_due_follows_the_configured_cadence() -> None:
    from penguin_tui.incidents import entries
    from penguin_tui.incidents.model import fold

    cadence = parse_config(
        '[incidents]\nupdate_cadence = { critical = "10m" }\n'
    ).incidents.cadence_s
    declared = entries.declare("smtp down", Severity.CRITICAL, ts=1000.0, author="alice")
    incident = fold([dataclasses.replace(declared, incident_id="INC-1")])
    assert incident.next_update_due(cadence) == 1000.0 + 10 * MIN


# ---------------------------------------------------------------------------- mistakes


MISTAKES = [
    (
        '[incidents]\ncadence = { critical = "30m" }\n',
        ['2: incidents.cadence: unknown key (did you mean "update_cadence"?)'],
    ),
    (
        '[incidents]\nupdate_cadence = "30m"\n',
        [
            '2: incidents.update_cadence: expected a table like update_cadence = { ... }, got the text "30m"'
        ],
    ),
    (
        "incidents = 3\n",
        ["1: incidents: expected a [incidents] table, got the number 3"],
    ),
    (
        "[incident]\n",
        ['1: incident: unknown key (did you mean "incidents"?)'],
    ),
    (
        '[incidents]\nupdate_cadence = { Critical = "30m" }\n',
        ['2: incidents.update_cadence.Critical: unknown key (did you mean "critical"?)'],
    ),
    (
        '[incidents]\nupdate_cadence = { urgent = "30m" }\n',
        [
            "2: incidents.update_cadence.urgent: unknown key (known keys: critical, high, medium, low)"
        ],
    ),
    (
        '[incidents]\nupdate_cadence = { sev1 = "30m", P2 = "1h", sev3 = "4h", p4 = "4h" }\n',
        [
            '2: incidents.update_cadence.sev1: write the severity\'s name: critical = "..." (sev1 is Critical)',
            '2: incidents.update_cadence.P2: write the severity\'s name: high = "..." (P2 is High)',
            '2: incidents.update_cadence.sev3: write the severity\'s name: medium = "..." (sev3 is Medium)',
            '2: incidents.update_cadence.p4: write the severity\'s name: low = "..." (p4 is Low)',
        ],
    ),
    (
        "[incidents]\nupdate_cadence = { critical = 30 }\n",
        [
            '2: incidents.update_cadence.critical: expected a duration in quotes like "30s", got the number 30'
        ],
    ),
    (
        '[incidents]\nupdate_cadence = { high = "soon" }\n',
        [
            '2: incidents.update_cadence.high: "soon" is not a duration (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)'
        ],
    ),
    (
        '[incidents]\nupdate_cadence = { critical = "30s" }\n',
        ["2: incidents.update_cadence.critical: must be between 1m and 7d, not 30s"],
    ),
    (
        '[incidents]\nupdate_cadence = { low = "8d" }\n',
        ["2: incidents.update_cadence.low: must be between 1m and 7d, not 8d"],
    ),
    (
        "[incidents]\nupdate_cadence = { medium = true }\n",
        ['2: incidents.update_cadence.medium: a duration must be text like "30s", not bool'],
    ),
    (
        '[incidents]\nupdate_cadence = { critical = "2h" }\n',
        [
            "2: incidents.update_cadence.critical: Critical incidents would be updated less often "
            "(2h) than High ones (1h, the default); a worse incident needs updates at least as often"
        ],
    ),
    (
        '[incidents.update_cadence]\ncritical = "30m"\nhigh = "1h"\nmedium = "30m"\nlow = "15m"\n',
        [
            "3: incidents.update_cadence.high: High incidents would be updated less often "
            "(1h) than Medium ones (30m); a worse incident needs updates at least as often",
            "4: incidents.update_cadence.medium: Medium incidents would be updated less often "
            "(30m) than Low ones (15m); a worse incident needs updates at least as often",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES, ids=[str(i) for i in range(len(MISTAKES))])
def test_each_mistake_is_reported_with_line_key_and_words(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert problems(tmp_path, text) == expected


def test_a_bad_value_is_not_also_an_order_problem(tmp_path: Path) -> None:
    # "high" fell back to its default after its own problem: no second message about it.
    text = '[incidents]\nupdate_cadence = { critical = "30m", high = "10s", medium = "4h" }\n'
    assert problems(tmp_path, text) == [
        "2: incidents.update_cadence.high: must be between 1m and 7d, not 10s"
    ]


def test_incidents_problems_come_with_the_rest_in_file_order(tmp_path: Path) -> None:
    text = '[incidents]\nupdate_cadence = { critical = "1s" }\n[general]\nmax_concurrency = 0\n'
    assert problems(tmp_path, text) == [
        "2: incidents.update_cadence.critical: must be between 1m and 7d, not 1s",
        "4: general.max_concurrency: must be between 1 and 1000, not 0",
    ]


def test_hostile_keys_are_never_echoed_raw(tmp_path: Path) -> None:
    text = '[incidents]\nupdate_cadence = { "\\u001b[31mcritical" = "30m" }\n'
    (line,) = problems(tmp_path, text)
    assert "\x1b" not in line and "unknown key" in line


# ---------------------------------------------------------------------------- docs


def test_docs_describe_the_section_and_every_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## `[incidents]`", 1)[1].split("\n## ", 1)[0]
    assert "`update_cadence`" in section
    for word in ("critical", "high", "medium", "low"):
        assert re.search(rf"`?{word}`? = \"", section) or f"`{word}`" in section, word
    assert EXAMPLE_CONFIG.count("[incidents]") == 1
