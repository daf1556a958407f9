"""``penguin-tui incident ...``: the incident actions for scripts and chat bots.

Each ``run_*`` function opens the cache, does one thing and returns an exit code: 0 done,
2 refused (illegal transition, empty title, unknown incident; the message says why), 4 the
cache cannot be used. Text output is sanitised: an incident's words come from other people.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from penguin_tui.errors import EXIT_OK, EXIT_USAGE, PenguinError
from penguin_tui.fmt import iso, local_time
from penguin_tui.incidents.model import Entry, Incident, IncidentError
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.store import Store

T = TypeVar("T")


@contextmanager
def _store(config_path: Path | None, cache_path: Path | None) -> Iterator[Store]:
    from penguin_tui.context import resolve
    from penguin_tui.store import Store

    ctx = resolve(config_path, cache_path)
    store = Store.open(ctx.cache_path)
    try:
        yield store
    finally:
        store.close()


def _refused(func: Callable[[], T]) -> T:
    try:
        return func()
    except IncidentError as exc:
        raise PenguinError(str(exc), exit_code=EXIT_USAGE) from None


def _who() -> tuple[str, str]:
    from penguin_tui.signoff import current_host, current_user

    return current_user(), current_host()


def _clean(text: str, limit: int = 200) -> str:
    return sanitize(text, single_line=True, max_len=limit)


# ----------------------------------------------------------------------------- rendering


def incident_json(inc: Incident, now: float, cadence: dict | None = None) -> dict:
    """An incident for ``--format json`` (times in ISO 8601 UTC, durations in seconds)."""
    due = inc.next_update_due(cadence) if cadence else inc.next_update_due()
    return {
        "id": inc.id,
        "title": _clean(inc.title),
        "severity": inc.severity.title,
        "status": inc.status.value,
        "declared_at": iso(inc.declared_at),
        "declared_by": _clean(inc.declared_by, 100),
        "summary": sanitize(inc.summary, max_len=10_000),
        "impact": sanitize(inc.impact, max_len=10_000),
        "services": [_clean(s, 100) for s in inc.services],
        "roles": {k: _clean(v, 100) for k, v in inc.roles.items()},
        "milestones": {k: iso(v) for k, v in inc.milestones.items()},
        "time_to_acknowledge_s": inc.time_to_acknowledge,
        "time_to_mitigate_s": inc.time_to_mitigate,
        "time_to_resolve_s": inc.time_to_resolve,
        "linked_alerts": list(inc.alerts),
        "pinned_entries": list(inc.pinned),
        "next_update_due": iso(due),
        "update_overdue": due is not None and now > due,
        "updated_at": iso(inc.updated_at),
        "entries": inc.entries,
    }


def entry_json(e: Entry) -> dict:
    return {
        "id": e.id,
        "ts": iso(e.ts),
        "author": _clean(e.author, 100),
        "host": _clean(e.host, 100),
        "type": e.type.value,
        "text": sanitize(e.text, max_len=10_000),
        "refers_to": e.refers_to,
    }


def list_line(inc: Incident, now: float) -> str:
    """``INC-2026-11-21-1  Critical  Investigating  2h 5m  bob  update in 12m  Title``"""
    from penguin_tui.durations import format_duration

    due = inc.next_update_due()
    if due is None:
        update = "—"
    elif due < now:
        update = f"update OVERDUE {format_duration(max(60.0, now - due))}"
    else:
        update = f"update in {format_duration(max(60.0, due - now))}"
    elapsed = max(0.0, now - inc.declared_at)
    age = "new" if elapsed < 60 else format_duration(elapsed)
    commander = _clean(inc.roles.get("commander", "—"), 20)
    return (
        f"{inc.id:<18} {inc.severity.title:<8} {inc.status.value:<13} {age:>7}  "
        f"{commander:<12} {update:<22} {_clean(inc.title, 80)}"
    )


# ------------------------------------------------------------------------------ commands


def run_list(config_path: Path | None, cache_path: Path | None, fmt: str, show_all: bool) -> int:
    """Open incidents first (then by severity, newest first); closed ones with ``--all``."""
    now = time.time()
    with _store(config_path, cache_path) as store:
        found = store.incidents()
    if not show_all:
        found = [i for i in found if i.is_open or now - i.updated_at < 7 * 86400]
    if fmt == "json":
        click.echo(json.dumps([incident_json(i, now) for i in found], indent=2))
    elif not found:
        click.echo("no incidents")
    else:
        for inc in found:
            click.echo(list_line(inc, now))
    return EXIT_OK


def _get(store: Store, incident_id: str) -> Incident:
    inc = store.incident(incident_id)
    if inc is None:
        raise PenguinError(f"no incident {_clean(incident_id, 60)!r}", exit_code=EXIT_USAGE)
    return inc


def run_show(config_path: Path | None, cache_path: Path | None, incident_id: str, fmt: str) -> int:
    now = time.time()
    with _store(config_path, cache_path) as store:
        inc = _get(store, incident_id)
        entries = store.incident_entries(inc.id)
    if fmt == "json":
        data = incident_json(inc, now)
        data["timeline"] = [entry_json(e) for e in entries]
        click.echo(json.dumps(data, indent=2))
        return EXIT_OK
    click.echo(list_line(inc, now))
    for e in entries:
        pin = "📌" if e.id in inc.pinned else "  "
        text = sanitize(e.text, single_line=True, max_len=2000)
        click.echo(
            f"{pin} #{e.id:<5} {local_time(e.ts, now):>9}  {_clean(e.author, 16):<16} "
            f"{e.type.value:<18} {text}"
        )
    return EXIT_OK


def run_declare(
    config_path: Path | None,
    cache_path: Path | None,
    title: str,
    severity: str,
    services: Sequence[str],
    summary: str,
    impact: str,
    commander: str,
) -> int:
    from penguin_tui.incidents import entries as build

    user, host = _who()
    entry = _refused(
        lambda: build.declare(
            title,
            build.parse_severity(severity),
            ts=time.time(),
            author=user,
            host=host,
            summary=summary,
            impact=impact,
            services=services,
            commander=commander,
        )
    )
    with _store(config_path, cache_path) as store:
        inc = store.declare_incident(entry)
    click.echo(inc.id)
    return EXIT_OK


def _append(
    config_path: Path | None,
    cache_path: Path | None,
    incident_id: str,
    make: Callable[[Incident, float, str, str], Entry],
) -> int:
    user, host = _who()
    with _store(config_path, cache_path) as store:
        _get(store, incident_id)
        _, entry = _refused(
            lambda: store.append_incident_entry(
                incident_id, lambda inc: make(inc, time.time(), user, host)
            )
        )
    click.echo(f"{incident_id} #{entry.id}: {_clean(entry.text, 120)}")
    return EXIT_OK


def run_note(config_path: Path | None, cache_path: Path | None, incident_id: str, text: str) -> int:
    from penguin_tui.incidents import entries as build

    return _append(
        config_path, cache_path, incident_id,
        lambda inc, ts, user, host: build.note(inc, text, ts=ts, author=user, host=host),
    )  # fmt: skip


def run_status(
    config_path: Path | None, cache_path: Path | None, incident_id: str, status: str, reason: str
) -> int:
    from penguin_tui.incidents import entries as build
    from penguin_tui.incidents.model import IncidentStatus

    new = _refused(lambda: IncidentStatus.parse(status))
    return _append(
        config_path, cache_path, incident_id,
        lambda inc, ts, user, host: build.status(inc, new, ts=ts, author=user, host=host,
                                                 text=reason),
    )  # fmt: skip


def run_export(
    config_path: Path | None, cache_path: Path | None, incident_id: str, output: Path | None
) -> int:
    """The postmortem draft in Markdown, to stdout or a new file (never overwriting)."""
    from penguin_tui.incidents.postmortem import render_postmortem

    with _store(config_path, cache_path) as store:
        inc = _get(store, incident_id)
        entries = store.incident_entries(inc.id)
        alerts = {fp: a for fp in inc.alerts if (a := store.alert(fp)) is not None}
    from penguin_tui.report_files import emit

    return emit(render_postmortem(inc, entries, alerts), output)
