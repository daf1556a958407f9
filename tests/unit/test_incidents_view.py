"""The incidents screens' read model on a real cache: incremental loads, row reuse, countdowns,
what the timeline shows, the chart's series and the stakeholder update's draft."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.alerts.model import Severity
from penguin_tui.config_model import CheckConfig, Config, HostConfig, IncidentsConfig
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import DEFAULT_CADENCE_S, EntryType, IncidentError, IncidentStatus
from penguin_tui.incidents.update_draft import draft_update, latest_doings
from penguin_tui.incidents.view import (
    REAGE_S,
    IncidentsLoader,
    ListBuilder,
    cadence_of,
    chart_window,
    due_text,
    load_chart,
    shown_text,
    timeline_items,
)
from penguin_tui.model import Batch, Sample
from penguin_tui.store import Store
from penguin_tui.widgets.timeline import wrap

T0 = 1_795_248_000.0  # 2026-11-21 08:00 UTC
MIN = 60.0


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def _declare(store: Store, title: str, sev: Severity, ts: float, **kw: object) -> str:
    return store.declare_incident(E.declare(title, sev, ts=ts, author="ann", **kw)).id  # type: ignore[arg-type]


def _note(store: Store, incident_id: str, text: str, ts: float, author: str = "ann") -> int:
    _, entry = store.append_incident_entry(
        incident_id, lambda i: E.note(i, text, ts=ts, author=author)
    )
    return entry.id or 0


# --- countdowns and rows -----------------------------------------------------------------------


def test_due_text_counts_down_then_overdue_and_stops_when_resolved(store: Store) -> None:
    inc_id = _declare(store, "queue stuck", Severity.CRITICAL, T0)
    inc = store.incident(inc_id)
    assert inc is not None
    assert due_text(inc, T0) == ("in 30m", False)
    assert due_text(inc, T0 + 29 * MIN + 59) == ("in 1m", False)  # minutes at least
    assert due_text(inc, T0 + 30 * MIN) == ("OVERDUE 1m", True)
    assert due_text(inc, T0 + 95 * MIN) == ("OVERDUE 1h 5m", True)
    assert due_text(inc, T0 + 95 * MIN, parts=1) == ("OVERDUE 1h", True)
    store.append_incident_entry(
        inc_id, lambda i: E.stakeholder_update(i, "all well", ts=T0 + 40 * MIN, author="ann")
    )
    inc = store.incident(inc_id)
    assert inc is not None and due_text(inc, T0 + 41 * MIN) == ("in 29m", False)
    store.append_incident_entry(
        inc_id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 50 * MIN, author="ann")
    )
    inc = store.incident(inc_id)
    assert inc is not None and due_text(inc, T0 + 200 * MIN) == ("—", False)


def test_cadence_comes_from_the_config_section_or_the_default() -> None:
    assert cadence_of(None) is DEFAULT_CADENCE_S
    assert cadence_of(Config()) == DEFAULT_CADENCE_S
    faster = {**DEFAULT_CADENCE_S, Severity.CRITICAL: 15 * MIN}
    config = dataclasses.replace(Config(), incidents=IncidentsConfig(cadence_s=faster))
    assert cadence_of(config)[Severity.CRITICAL] == 15 * MIN


def test_list_builder_reuses_unchanged_rows_and_knows_the_next_change(store: Store) -> None:
    crit = _declare(store, "crit", Severity.CRITICAL, T0 - 10 * MIN)  # due at T0 + 20 min
    low = _declare(store, "low", Severity.LOW, T0 - 10 * MIN)  # due at T0 + 3 h 50 min
    builder = ListBuilder()
    first = builder.build(store.incidents(), T0, 1)
    assert first.keys == [crit, low]
    assert [r.due for r in first.rows] == ["in 20m", "in 3h 50m"]
    assert [r.due_short for r in first.rows] == ["in 20m", "in 3h"]
    assert first.next_change_at == T0 + REAGE_S  # a minute on (before anything falls due)
    again = builder.build(store.incidents(), T0 + 20, 1)  # same texts: the same objects
    assert again.rows[0] is first.rows[0] and again.rows[1] is first.rows[1]
    later = builder.build(store.incidents(), T0 + 19 * MIN + 30, 1)
    assert later.rows[0] is not first.rows[0]
    assert later.next_change_at == T0 + 20 * MIN  # the moment the critical one falls due
    due = builder.build(store.incidents(), T0 + 20 * MIN, 1)
    assert due.rows[0].overdue and due.overdue_count == 1 and due.open_count == 2


# --- the loader --------------------------------------------------------------------------------


class CountingStore:
    """A Store that counts the calls the loader makes (to show what it reads, and what not)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        self.calls.append(name)
        return getattr(self.store, name)


def test_list_is_read_again_only_when_an_entry_was_written(store: Store) -> None:
    inc = _declare(store, "one", Severity.HIGH, T0)
    counting = CountingStore(store)
    loader = IncidentsLoader()
    view = loader.load_list(counting, T0)  # type: ignore[arg-type]
    assert view is not None and view.keys == [inc]
    assert counting.calls == ["newest_incident_entry_id", "incidents"]
    counting.calls.clear()
    assert loader.load_list(counting, T0 + 1) is None  # nothing new: one cheap query
    assert counting.calls == ["newest_incident_entry_id"]
    assert loader.load_list(counting, T0 + REAGE_S) is not None  # a minute on: re-aged
    assert "incidents" not in counting.calls  # ... from what it has
    _note(store, inc, "news", T0 + 61)
    counting.calls.clear()
    view = loader.load_list(counting, T0 + 62)  # type: ignore[arg-type]
    assert view is not None and counting.calls == ["newest_incident_entry_id", "incidents"]
    assert view.rows[0].incident.entries == 2


def test_timeline_loads_everything_once_then_only_newer_entries(store: Store) -> None:
    inc = _declare(store, "one", Severity.HIGH, T0)
    other = _declare(store, "two", Severity.LOW, T0)
    first_note = _note(store, inc, "first", T0 + 1)
    loader = IncidentsLoader()
    data = loader.load_timeline(store, inc)
    assert data is not None and data.first
    assert [it.entry.type for it in data.new] == [EntryType.DECLARED, EntryType.NOTE]
    assert loader.load_timeline(store, inc) is None  # nothing written since
    _note(store, other, "elsewhere", T0 + 2)
    assert loader.load_timeline(store, inc) is None  # another incident's news
    second = _note(store, inc, "second", T0 + 3, author="bob")
    data = loader.load_timeline(store, inc)
    assert data is not None and not data.first
    assert [it.id for it in data.new] == [second] and data.new[0].author == "bob"
    assert data.incident.entries == 3 and second > first_note
    with pytest.raises(IncidentError, match="no incident 'INC-1999-01-01-1'"):
        loader.load_timeline(store, "INC-1999-01-01-1")


def test_timeline_items_days_and_shown_text(store: Store) -> None:
    inc = _declare(store, "[b]title[/b]", Severity.HIGH, T0 - 86400)
    _note(store, inc, "same day\x1b[31m red\x1b]52;c;ZXZpbA==\x07", T0 - 86400 + 60)
    _note(store, inc, "next day\twith a tab", T0)
    store.append_incident_entry(
        inc, lambda i: E.status(i, IncidentStatus.IDENTIFIED, ts=T0 + 1, author="ann")
    )
    items = timeline_items(store.incident_entries(inc))
    assert [it.day for it in items] == ["Fri 2026-11-20", None, "Sat 2026-11-21", None]
    assert [it.time for it in items] == ["08:00", "08:01", "08:00", "08:00"]
    assert items[0].text == "High: [b]title[/b]"  # "declared" is the type column's word
    assert items[1].text == "same day red"  # escape sequences gone, markup left inert
    assert items[2].text == "next day    with a tab"
    assert items[3].text == "Investigating -> Identified"
    # Only a leading type word goes, and only as a word.
    entry = store.incident_entries(inc)[1]
    assert shown_text(dataclasses.replace(entry, text="notes")) == "notes"


# --- the chart ---------------------------------------------------------------------------------


def test_chart_series_for_the_affected_services_with_data(store: Store) -> None:
    config = Config(
        checks=(CheckConfig("smtp-relay", "http://x/"), CheckConfig("api", "http://y/")),
        host=HostConfig(enabled=False),
    )
    store.sync_items(config.items())
    store.write(
        Batch(samples=[Sample("check:smtp-relay", T0 - 60 * n, 40.0 + n) for n in range(30)])
    )
    inc_id = _declare(store, "slow", Severity.HIGH, T0 - 10 * MIN,
                      services=("smtp-relay", "api", "unknown"))  # fmt: skip
    inc = store.incident(inc_id)
    assert inc is not None
    start, end = chart_window(inc, T0)
    assert (start, end) == (T0 - 25 * MIN, T0)
    series = load_chart(store, config, inc, T0, 40)
    assert [s.name for s in series] == ["smtp-relay"]  # api has no data, unknown no item
    assert series[0].unit == "ms" and len(series[0].points) > 5
    assert all(start <= ts <= end for ts, _ in series[0].points)


# --- the wrap ----------------------------------------------------------------------------------


def test_wrap_by_words_in_cells_with_a_hanging_indent() -> None:
    assert wrap("short", 10, 8) == ["short"]
    assert wrap("one two three four", 9, 7) == ["one two", "three", "four"]
    assert wrap("a\n\nb", 10, 10) == ["a", "", "b"]
    assert wrap("x" * 25, 10, 8) == ["x" * 10, "x" * 8, "x" * 7]
    assert wrap("日本語のテキスト", 6, 6) == ["日本語", "のテキ", "スト"]  # wide chars: 2 cells


# --- the stakeholder update --------------------------------------------------------------------


def test_draft_uses_corrected_notes_and_the_cadence(store: Store) -> None:
    inc_id = _declare(store, "queue stuck", Severity.HIGH, T0 - 10 * MIN, impact="mail late",
                      services=("smtp-relay",))  # fmt: skip
    wrong = _note(store, inc_id, "restarting relay-1", T0 - 9 * MIN)
    _note(store, inc_id, "looking at\nthe logs", T0 - 8 * MIN)
    entries = store.incident_entries(inc_id)
    target = next(e for e in entries if e.id == wrong)
    store.append_incident_entry(
        inc_id, lambda i: E.correction(i, target, "restarting relay-2", ts=T0, author="bob")
    )
    inc = store.incident(inc_id)
    assert inc is not None
    entries = store.incident_entries(inc_id)
    assert latest_doings(entries) == ["restarting relay-2", "looking at the logs"]
    draft = draft_update(inc, entries, T0)
    assert draft.splitlines() == [
        f"[{inc_id}] High incident: queue stuck",
        "Status: Investigating",
        "Impact: mail late",
        "Affected: smtp-relay",
        "What is being done:",
        "- restarting relay-2",
        "- looking at the logs",
        "Next update: by 09:00 UTC (in 1h)",
    ]
    store.append_incident_entry(
        inc_id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 1, author="bob")
    )
    resolved = store.incident(inc_id)
    assert resolved is not None
    assert draft_update(resolved, entries, T0).endswith("no further updates unless it reopens.")


def test_span_text_reads_as_format_duration_in_whole_minutes() -> None:
    import math

    from penguin_tui.durations import format_duration
    from penguin_tui.incidents.view import span_text

    for seconds in [*range(0, 3 * 86400, 97), 59.9, 60.0, 3600.0, 400 * 86400.0 + 7]:
        for parts in (1, 2):
            for up in (False, True):
                minutes = max(1, math.ceil(seconds / 60 - 1e-9) if up else seconds // 60)
                expected = format_duration(minutes * 60.0, parts=parts)
                assert span_text(seconds, parts=parts, up=up) == expected, (seconds, parts, up)


@pytest.mark.parametrize(
    "text",
    ["plain words", "ünïcödé ✓ 日本", "tab\there", "new\nline", "\x1b[31mred\x1b[0m",
     "osc\x1b]52;c;ZXZpbA==\x07", "c1\x9b31m", "cr\rlf", "[bold]markup[/bold]", "x" * 300],
)  # fmt: skip
def test_safe_text_is_sanitize_with_a_fast_path(text: str) -> None:
    from penguin_tui.incidents.view import safe_text
    from penguin_tui.text import sanitize

    assert safe_text(text) == sanitize(text)
    assert safe_text(text, 200, single_line=True) == sanitize(text, max_len=200, single_line=True)
