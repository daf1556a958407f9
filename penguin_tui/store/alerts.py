"""The alert stream's SQL: alerts and their history, sources, silences, local acks, maintenance.

Functions take a connection and run inside whatever the Store set up (its lock, and for writes
its ``BEGIN IMMEDIATE`` transaction). Layout (schema version 3, see ``store/schema.py``):

- ``alerts``: one row per fingerprint ever seen (until history pruning). ``rev`` is the value
  of the ``alerts_rev`` meta counter at the row's last write: every write of alert rows takes
  ``alerts_rev + 1``, so a console asks ``alerts_since(rev)`` and reads only what changed.
- ``alert_changes``: every change of an alert's derived state (AlertState), with a detail in
  words; the alert's own history and the overnight summary come from it.
- Per logical source (``AlertSource``) the time of the last successful poll (every active
  alert's ``last_seen``) and whether the last poll failed (``stale``) are two meta values: an
  unchanged poll moves one number instead of writing 10,000 rows. ``alert_sources`` keeps what
  each endpoint (every Alertmanager URL, and "local") said at its last poll, for the banner.

Only the recorder writes alert rows. It keeps a digest of every active alert in memory
(``Tracker``) so that a poll in which nothing changed writes nothing per alert; the memory is
reloaded whenever ``alerts_rev`` moved under it (another process recorded in between).

Text written by consoles (acks, maintenance reasons, silence comments read by another process)
is sanitised on the way in and again on the way out, because those tables are small. Alert
labels and annotations were sanitised by whoever built the Alert (``am_parse``, ``rules``) and
are not sanitised again on read: that would cost more than the read itself for 10,000 alerts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from penguin_tui import jsonfast
from penguin_tui.alerts.matchers import FilterError, Matcher, MatchOp
from penguin_tui.alerts.model import (
    Alert,
    AlertChange,
    AlertSource,
    AlertState,
    AlertSummary,
    LocalAck,
    MaintenanceWindow,
    Severity,
    Silence,
    SilenceState,
    SourceStatus,
)
from penguin_tui.gc_pause import gc_paused
from penguin_tui.store import meta
from penguin_tui.text import sanitize

REV_KEY = "alerts_rev"
LOCAL_SOURCE = "local"  # the alert_sources row of the local rule engine
CRITICAL_SHOWN = 5  # newest critical alerts an AlertSummary names
_DETAIL_LEN = 300
_TEXT_LEN = 1000

_ALERT_COLUMNS = (
    "fingerprint, source, labels, annotations, starts_at, ends_at, updated_at, generator_url,"
    " receivers, am_state, silenced_by, inhibited_by, muted_by, origins, first_seen, last_seen,"
    " resolved_at"
)


def _seen_key(source: str) -> str:
    return f"alerts_last_seen.{source}"


def _stale_key(source: str) -> str:
    return f"alerts_stale.{source}"


# ----------------------------------------------------------------------------- encoding


# Compact JSON, through orjson (jsonfast): writing 10,000 new alerts encodes 20,000 objects
# and reading them back decodes as many; the standard library took ~1.3 us per encode and ~2
# per decode of a label set, orjson ~0.2 and ~1.
_dumps = jsonfast.dumps
_loads = jsonfast.loads


_TUPLE_MEMO: dict[tuple[str, ...], str] = {}


def _tuple_json(values: tuple[str, ...]) -> str | None:
    """A list column: NULL when empty (most are), memoised since the same few lists (origins,
    receivers, a silence covering many alerts) repeat across thousands of alerts."""
    if not values:
        return None
    text = _TUPLE_MEMO.get(values)
    if text is None:
        if len(_TUPLE_MEMO) >= 4096:
            _TUPLE_MEMO.clear()
        text = _TUPLE_MEMO[values] = _dumps(list(values))
    return text


def _as_dict(mapping: Mapping[str, str]) -> dict[str, str]:
    return mapping if type(mapping) is dict else dict(mapping)


_TUPLE_READ_MEMO: dict[str, tuple[str, ...]] = {}


def _tuple(text: str | None) -> tuple[str, ...]:
    """A list column read back; memoised like ``_tuple_json`` (10,000 alerts hold a few
    distinct origins and receivers: one dict lookup each instead of a decode)."""
    if not text:
        return ()
    found = _TUPLE_READ_MEMO.get(text)
    if found is None:
        found = tuple(str(v) for v in _loads(text))
        if len(_TUPLE_READ_MEMO) >= 4096:
            _TUPLE_READ_MEMO.clear()
        _TUPLE_READ_MEMO[text] = found
    return found


def _matchers_json(matchers: Iterable[Matcher]) -> str:
    return _dumps([[m.name, m.op.value, m.value] for m in matchers])


def _matchers(text: str | None) -> tuple[Matcher, ...]:
    """Matchers stored by ``_matchers_json``; raises ValueError (FilterError) when unreadable."""
    if not text:
        return ()
    return tuple(Matcher(str(n), MatchOp(o), str(v)) for n, o, v in _loads(text))


def _clean(text: object, max_len: int = _TEXT_LEN) -> str:
    return sanitize(text or "", max_len=max_len, single_line=True)


def digest(alert: Alert) -> int:
    """What makes an alert "changed" for the writer (an in-memory hash, never stored).

    ``ends_at`` and ``updated_at`` are left out on purpose: Prometheus re-sends every firing
    alert about once a minute and Alertmanager moves both each time, so including them would
    rewrite every row (and make every console reload it) every minute for nothing an
    operator acts on. They are stored whenever anything else about the alert changes.
    ``inhibited_by`` counts only as inhibited or not, for the same reason: an alert that
    several alerts inhibit is reported with one of them, a different one from one request
    to the next (Alertmanager 0.25 names the first source it meets in a map), which
    rewrote ~1,400 of 10,000 alerts on every poll (bench/bench_alerts.py). The inhibitor
    stored is kept until the alert changes otherwise.
    """
    return hash(
        (
            frozenset(alert.labels.items()),
            frozenset(alert.annotations.items()),
            alert.starts_at,
            alert.generator_url,
            alert.receivers,
            alert.am_state,
            alert.silenced_by,
            bool(alert.inhibited_by),
            alert.muted_by,
            alert.origins,
        )
    )


def _content_row(alert: Alert) -> tuple:
    """The columns a poll may change, in ``_UPDATE_CONTENT`` order (fingerprint last)."""
    return (
        _dumps(_as_dict(alert.labels)),
        _dumps(_as_dict(alert.annotations)) if alert.annotations else None,
        alert.starts_at,
        alert.ends_at,
        alert.updated_at,
        alert.generator_url or None,
        _tuple_json(alert.receivers),
        alert.am_state,
        _tuple_json(alert.silenced_by),
        _tuple_json(alert.inhibited_by),
        _tuple_json(alert.muted_by),
        _tuple_json(alert.origins),
        _severity_of(alert.labels.get("severity")),
    )


_SEVERITY_MEMO: dict[str | None, int] = {}


def _severity_of(label: str | None) -> int:
    # Severity.from_label strips and lower-cases every time; a storm has a handful of values.
    found = _SEVERITY_MEMO.get(label)
    if found is None:
        if len(_SEVERITY_MEMO) >= 256:
            _SEVERITY_MEMO.clear()
        found = _SEVERITY_MEMO[label] = int(Severity.from_label(label))
    return found


_INSERT = (
    "INSERT INTO alerts (labels, annotations, starts_at, ends_at, updated_at, generator_url,"
    " receivers, am_state, silenced_by, inhibited_by, muted_by, origins, severity, fingerprint,"
    " source, first_seen, state, rev) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_UPDATE_CONTENT = (
    "UPDATE alerts SET labels = ?, annotations = ?, starts_at = ?, ends_at = ?, updated_at = ?,"
    " generator_url = ?, receivers = ?, am_state = ?, silenced_by = ?, inhibited_by = ?,"
    " muted_by = ?, origins = ?, severity = ?, source = ?, resolved_at = NULL, last_seen = NULL,"
    " state = ?, rev = ? WHERE fingerprint = ?"
)


# ----------------------------------------------------------------------------- reading rows


def _severity(value: object) -> Severity:
    try:
        return Severity(int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return Severity.MEDIUM  # unreadable: shown, never sunk out of sight


_SOURCES = {s.value: s for s in AlertSource}


def _source(value: str) -> AlertSource:
    # Anything else was written by a newer program: still an alert an operator must see.
    return _SOURCES.get(value, AlertSource.ALERTMANAGER)


@dataclass(frozen=True, slots=True)
class _SourceMarks:
    last_seen: dict[str, float]
    stale: dict[str, bool]


def _source_marks(conn: sqlite3.Connection) -> _SourceMarks:
    keys = [f(s.value) for s in AlertSource for f in (_seen_key, _stale_key)]
    found = meta.get_many(conn, *keys)
    return _SourceMarks(
        {s.value: found[_seen_key(s.value)] for s in AlertSource if _seen_key(s.value) in found},
        {s.value: bool(found.get(_stale_key(s.value))) for s in AlertSource},
    )


def _alert(row: tuple, marks: _SourceMarks) -> Alert:
    (
        fp,
        source,
        labels,
        annotations,
        starts_at,
        ends_at,
        updated_at,
        generator_url,
        receivers,
        am_state,
        silenced_by,
        inhibited_by,
        muted_by,
        origins,
        first_seen,
        last_seen,
        resolved_at,
    ) = row
    if resolved_at is None:
        # Active: seen at the source's last successful poll, stale while its polls fail.
        last_seen = marks.last_seen.get(source, last_seen)
    # Positional, in Alert's field order (checked below): a quarter cheaper than keywords
    # for the 10,000 Alerts of a console's first read.
    return Alert(
        fp,
        _loads(labels),
        _loads(annotations) if annotations else {},
        starts_at,
        ends_at,
        updated_at,
        generator_url or "",
        _tuple(receivers),
        am_state or "active",
        _tuple(silenced_by),
        _tuple(inhibited_by),
        _tuple(muted_by),
        _source(source),
        _tuple(origins),
        first_seen,
        last_seen,
        resolved_at,
        resolved_at is None and marks.stale.get(source, False),
    )


_ALERT_FIELDS = (
    "fingerprint", "labels", "annotations", "starts_at", "ends_at", "updated_at", "generator_url",
    "receivers", "am_state", "silenced_by", "inhibited_by", "muted_by", "source", "origins",
    "first_seen", "last_seen", "resolved_at", "stale",
)  # fmt: skip
if tuple(f.name for f in fields(Alert)) != _ALERT_FIELDS:  # pragma: no cover - a model change
    raise ImportError("penguin_tui.store.alerts: _alert() must follow Alert's new fields")


def _alerts(conn: sqlite3.Connection, where: str, params: Sequence[object]) -> list[Alert]:
    marks = _source_marks(conn)
    out = []
    # A console's first read makes 10,000 Alerts and their dicts: acyclic, kept (gc_pause).
    with gc_paused():
        for row in conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE {where}", params):
            try:
                out.append(_alert(row, marks))
            except (ValueError, TypeError):
                continue  # a row no writer of ours produced (hand-edited cache): skip it
    return out


def current_rev(conn: sqlite3.Connection) -> int:
    """The alerts_rev counter (0 before anything was recorded)."""
    return int(meta.get(conn, REV_KEY) or 0)


def alerts_since(
    conn: sqlite3.Connection, rev: int, resolved_after: float
) -> tuple[int, list[Alert]]:
    """``(current rev, alerts)``: everything relevant for rev 0, else rows written after ``rev``.

    A ``rev`` ahead of the cache's (the cache was replaced) is answered like rev 0.
    """
    current = current_rev(conn)
    if rev <= 0 or rev > current:
        found = _alerts(conn, "resolved_at IS NULL OR resolved_at > ?", (resolved_after,))
    elif rev == current:
        found = []
    else:
        found = _alerts(conn, "rev > ?", (rev,))
    return current, found


def alert(conn: sqlite3.Connection, fingerprint: str) -> Alert | None:
    """One alert by fingerprint."""
    found = _alerts(conn, "fingerprint = ?", (fingerprint,))
    return found[0] if found else None


def alert_history(conn: sqlite3.Connection, fingerprint: str, limit: int) -> list[AlertChange]:
    """The newest ``limit`` changes of an alert, oldest first."""
    rows = conn.execute(
        "SELECT ts, old, new, detail FROM alert_changes WHERE fingerprint = ?"
        " ORDER BY ts DESC, id DESC LIMIT ?",
        (fingerprint, int(limit)),
    ).fetchall()
    return [
        AlertChange(
            ts,
            fingerprint,
            _clean(old, 20) if old else None,
            _clean(new, 20),
            _clean(detail, _DETAIL_LEN),
        )
        for ts, old, new, detail in reversed(rows)
    ]


def firing_counts(conn: sqlite3.Connection) -> dict[Severity, int]:
    """Alerts firing (not resolved, silenced, inhibited or acked) by severity."""
    counts = dict.fromkeys(Severity, 0)
    rows = conn.execute(
        "SELECT severity, count(*) FROM alerts WHERE state = ? GROUP BY severity",
        (AlertState.FIRING.value,),
    )
    for severity, n in rows:
        counts[_severity(severity)] += n
    return counts


# ----------------------------------------------------------------------------- writer


@dataclass
class Tracker:
    """The writer's memory of the active alerts: fingerprint -> (digest, state, source).

    Loaded lazily from the cache, and again whenever ``alerts_rev`` is not the one this
    process last wrote (another recorder wrote in between, or a console changed states).
    """

    active: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    rev: int | None = None

    def sync(self, conn: sqlite3.Connection) -> int:
        """Reload if the cache moved under us; return the current rev."""
        rev = current_rev(conn)
        if rev != self.rev:
            self.active.clear()
            marks = _SourceMarks({}, {})
            rows = conn.execute(
                f"SELECT {_ALERT_COLUMNS}, state FROM alerts WHERE resolved_at IS NULL"
            )
            for row in rows:
                try:
                    found = _alert(row[:-1], marks)
                except (ValueError, TypeError):
                    continue
                self.active[found.fingerprint] = (digest(found), row[-1], row[1])
            self.rev = rev
        return rev


def _silence_words(sid: str, silences: dict[str, Silence]) -> str:
    if sid.startswith("maint:"):
        return f"maintenance window {sid[6:]}"
    silence = silences.get(sid)
    if silence is None:
        return sid[:8]
    return f"{sid[:8]} ({silence.created_by}: {silence.comment})"


def _detail(
    alert: Alert, state: AlertState, silences: dict[str, Silence], ack: LocalAck | None
) -> str:
    """The change row's words for entering ``state``."""
    if state is AlertState.ACKED:
        if ack is not None:
            return f"ack by {ack.user}" + (f" ({ack.comment})" if ack.comment else "")
        sid = next((s for s in alert.silenced_by if s in silences and silences[s].is_ack), "")
        return f"ack by {silences[sid].created_by} (silence {sid[:8]})" if sid else "acked"
    if state is AlertState.SILENCED:
        return "silenced by " + ", ".join(_silence_words(s, silences) for s in alert.silenced_by)
    if state is AlertState.INHIBITED:
        return "inhibited by " + ", ".join(alert.inhibited_by)
    if state is AlertState.RESOLVED:
        return "resolved"
    return "firing"


def _load_silences(conn: sqlite3.Connection) -> dict[str, Silence]:
    return {s.id: s for s in silences(conn)}


def record_alerts(
    conn: sqlite3.Connection,
    tracker: Tracker,
    source: AlertSource,
    incoming: Sequence[Alert],
    now: float,
) -> list[AlertChange]:
    """Record the complete current set of ``source``'s alerts; return the state changes.

    A fingerprint active under the other source keeps its owner: a local rule's alert pushed
    to Alertmanager comes back from it, and must not flip between the two on every poll.
    """
    # A storm's first write makes a change record and rows for 10,000 alerts (gc_pause).
    with gc_paused():
        return _record_alerts(conn, tracker, source, incoming, now)


def _record_alerts(
    conn: sqlite3.Connection,
    tracker: Tracker,
    source: AlertSource,
    incoming: Sequence[Alert],
    now: float,
) -> list[AlertChange]:
    rev = tracker.sync(conn)
    new_rev = rev + 1
    src = source.value
    silences_by_id = _load_silences(conn)
    acks = local_acks(conn, now)
    changes: list[AlertChange] = []
    change_rows: list[tuple] = []  # the same, as alert_changes rows
    inserts: list[tuple] = []
    updates: list[tuple] = []
    state_updates: list[tuple] = []
    unknown: dict[str, tuple[Alert, int, AlertState, str]] = {}
    seen: set[str] = set()
    active = tracker.active

    def change(fp: str, old: str | None, state: str, words: str) -> None:
        # The words are made of sanitised parts (labels, stored silences, acks): only capped.
        words = words[:_DETAIL_LEN]
        changes.append(AlertChange(now, fp, old, state, words))
        change_rows.append((now, fp, old, state, words))

    for item in incoming:
        fp = item.fingerprint
        known = active.get(fp)
        if known is not None and known[2] != src:
            continue
        seen.add(fp)
        ack = acks.get(fp)
        state = item.state(silences_by_id, ack is not None)
        if state is AlertState.RESOLVED:
            state = AlertState.FIRING  # a source's current set is, by definition, not resolved
        value = state.value
        d = digest(item)
        if known is None:
            unknown[fp] = (item, d, state, value)
            continue
        old_digest, old_state, _ = known
        if old_digest == d and old_state == value:
            continue
        if old_digest != d:
            updates.append((*_content_row(item), src, value, new_rev, fp))
        else:
            state_updates.append((value, new_rev, fp))
        if old_state != value:
            change(fp, old_state, value, _detail(item, state, silences_by_id, ack))
        active[fp] = (d, value, src)

    if unknown:
        # Unknown to the active set: new, or resolved and back (re-opened).
        returning = {
            fp: old_state
            for fp, old_state in conn.execute(
                "SELECT fingerprint, state FROM alerts WHERE fingerprint IN"
                " (SELECT value FROM json_each(?))",
                (_dumps(list(unknown)),),
            )
        }
        for fp, (item, d, state, value) in unknown.items():
            words = _detail(item, state, silences_by_id, acks.get(fp))
            if fp in returning:
                updates.append((*_content_row(item), src, value, new_rev, fp))
                words = "re-opened" + ("" if state is AlertState.FIRING else f"; {words}")
                change(fp, returning[fp], value, words)
            else:
                inserts.append((*_content_row(item), fp, src, now, value, new_rev))
                change(fp, None, value, words)
            active[fp] = (d, value, src)

    marks = meta.get_many(conn, _seen_key(src), _stale_key(src))
    gone = [fp for fp, (_, _, owner) in active.items() if owner == src and fp not in seen]
    if gone:
        # Last seen at the previous successful poll, the last time the source listed them.
        conn.executemany(
            "UPDATE alerts SET resolved_at = ?, last_seen = ?, state = ?, rev = ?"
            " WHERE fingerprint = ?",
            [
                (now, marks.get(_seen_key(src)), AlertState.RESOLVED.value, new_rev, fp)
                for fp in gone
            ],
        )
        for fp in gone:
            change(fp, active.pop(fp)[1], AlertState.RESOLVED.value, "resolved")
    if inserts:
        conn.executemany(_INSERT, inserts)
    if updates:
        conn.executemany(_UPDATE_CONTENT, updates)
    if state_updates:
        conn.executemany(
            "UPDATE alerts SET state = ?, rev = ? WHERE fingerprint = ?", state_updates
        )
    if change_rows:
        conn.executemany(
            "INSERT INTO alert_changes (ts, fingerprint, old, new, detail) VALUES (?,?,?,?,?)",
            change_rows,
        )
    meta.put(conn, _seen_key(src), float(now))
    wrote = bool(changes or updates or state_updates)
    if marks.get(_stale_key(src)):
        # A successful poll ends staleness: every active row of the source reads differently.
        meta.put(conn, _stale_key(src), 0)
        conn.execute(
            "UPDATE alerts SET rev = ? WHERE source = ? AND resolved_at IS NULL", (new_rev, src)
        )
        wrote = True
    if wrote:
        meta.put(conn, REV_KEY, new_rev)
        tracker.rev = new_rev
    return changes


def mark_stale(
    conn: sqlite3.Connection, tracker: Tracker, source: AlertSource, stale: bool
) -> None:
    """Mark the source's active alerts as the last known copy (or not); a no-op if unchanged."""
    src = source.value
    if bool(meta.get(conn, _stale_key(src))) == stale:
        return
    rev = tracker.sync(conn)
    meta.put(conn, _stale_key(src), 1 if stale else 0)
    # The rows did not change but how they read did: consoles must fetch them again.
    conn.execute(
        "UPDATE alerts SET rev = ? WHERE source = ? AND resolved_at IS NULL", (rev + 1, src)
    )
    meta.put(conn, REV_KEY, rev + 1)
    tracker.rev = rev + 1


# ----------------------------------------------------------------------------- silences


def record_silences(conn: sqlite3.Connection, known: Sequence[Silence]) -> None:
    """Replace the stored set of silences with ``known`` (the latest complete poll)."""
    conn.execute("DELETE FROM silences")
    conn.executemany(
        "INSERT OR REPLACE INTO silences (id, matchers, starts_at, ends_at, created_by, comment,"
        " state, updated_at, origin) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                s.id,
                _matchers_json(s.matchers),
                s.starts_at,
                s.ends_at,
                _clean(s.created_by, 200),
                sanitize(s.comment, max_len=_TEXT_LEN),
                s.state.value,
                s.updated_at,
                _clean(s.origin, 500),
            )
            for s in known
        ],
    )


def silences(conn: sqlite3.Connection) -> list[Silence]:
    """The stored silences, in start order (unreadable rows skipped)."""
    out = []
    for sid, matchers, starts_at, ends_at, by, comment, state, updated_at, origin in conn.execute(
        "SELECT id, matchers, starts_at, ends_at, created_by, comment, state, updated_at, origin"
        " FROM silences ORDER BY starts_at, id"
    ):
        try:
            out.append(
                Silence(
                    _clean(sid, 100),
                    _matchers(matchers),
                    float(starts_at),
                    float(ends_at),
                    _clean(by, 200),
                    sanitize(comment or "", max_len=_TEXT_LEN),
                    SilenceState(state),
                    updated_at,
                    _clean(origin, 500),
                )
            )
        except (ValueError, TypeError, FilterError):
            continue
    return out


# ----------------------------------------------------------------------------- sources


def set_sources(conn: sqlite3.Connection, statuses: Sequence[SourceStatus]) -> None:
    """Store each endpoint's last poll, keeping ``down_since`` across consecutive failures.

    The Alertmanager rows not in ``statuses`` are removed (a URL dropped from the config);
    the "local" row is only ever replaced by a status named "local".
    """
    before = {
        name: (ok, down_since, last_ok)
        for name, ok, down_since, last_ok in conn.execute(
            "SELECT name, ok, down_since, last_ok FROM alert_sources"
        )
    }
    rows = []
    for st in statuses:
        was_ok, was_down, last_ok = before.get(st.name, (1, None, None))
        if st.ok:
            down_since, last_ok = None, st.checked_at
        elif not was_ok and was_down is not None:
            down_since = was_down  # still the same outage
        else:
            down_since = st.down_since if st.down_since is not None else st.checked_at
        rows.append(
            (
                st.name,
                int(st.ok),
                st.checked_at,
                _clean(st.error),
                down_since,
                _clean(st.version, 100),
                _clean(st.cluster, 100),
                last_ok,
            )
        )
    names = {st.name for st in statuses}
    for name in before.keys() - names - {LOCAL_SOURCE}:
        if any(n != LOCAL_SOURCE for n in names):
            conn.execute("DELETE FROM alert_sources WHERE name = ?", (name,))
    conn.executemany(
        "INSERT OR REPLACE INTO alert_sources (name, ok, checked_at, error, down_since, version,"
        " cluster, last_ok) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )


def sources(conn: sqlite3.Connection) -> list[SourceStatus]:
    """Every endpoint's last poll, by name."""
    return [
        SourceStatus(
            _clean(name, 500),
            bool(ok),
            float(checked_at),
            _clean(error),
            down_since,
            _clean(version, 100),
            _clean(cluster, 100),
        )
        for name, ok, checked_at, error, down_since, version, cluster in conn.execute(
            "SELECT name, ok, checked_at, error, down_since, version, cluster"
            " FROM alert_sources ORDER BY name"
        )
    ]


# ----------------------------------------------------------------------------- local acks


def add_local_ack(conn: sqlite3.Connection, ack: LocalAck) -> None:
    """Store an ack; the recorder turns it into the alert's "acked" state at its next pass."""
    conn.execute(
        "INSERT INTO local_acks (fingerprint, user, ts, until, comment) VALUES (?,?,?,?,?)",
        (ack.fingerprint, _clean(ack.user, 100), ack.ts, ack.until, _clean(ack.comment)),
    )


def local_acks(conn: sqlite3.Connection, now: float) -> dict[str, LocalAck]:
    """Acks in force at ``now``, by fingerprint (the one lasting longest wins)."""
    out: dict[str, LocalAck] = {}
    for fp, user, ts, until, comment in conn.execute(
        "SELECT fingerprint, user, ts, until, comment FROM local_acks"
        " WHERE until > ? AND ts <= ? ORDER BY until",
        (now, now),
    ):
        out[fp] = LocalAck(fp, _clean(user, 100), ts, until, _clean(comment))
    return out


# ----------------------------------------------------------------------------- maintenance


def add_maintenance(conn: sqlite3.Connection, window: MaintenanceWindow) -> int:
    """Store a maintenance window; returns its id."""
    cur = conn.execute(
        "INSERT INTO maintenance (starts_at, ends_at, reason, author, matchers, services,"
        " silence_id, cancelled_at) VALUES (?,?,?,?,?,?,?,?)",
        (
            window.start,
            window.end,
            _clean(window.reason),
            _clean(window.author, 100),
            _matchers_json(window.matchers),
            _dumps([_clean(s, 200) for s in window.services]),
            _clean(window.silence_id, 100) or None,
            window.cancelled_at,
        ),
    )
    return int(cur.lastrowid)


def cancel_maintenance(conn: sqlite3.Connection, window_id: int, now: float) -> bool:
    """End a window at ``now`` (a no-op if already cancelled); False when there is no such id."""
    found = conn.execute("SELECT 1 FROM maintenance WHERE id = ?", (window_id,)).fetchone()
    if found is None:
        return False
    conn.execute(
        "UPDATE maintenance SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
        (now, window_id),
    )
    return True


def maintenance_windows(conn: sqlite3.Connection, after: float) -> list[MaintenanceWindow]:
    """Windows whose (possibly cancelled) end is at or after ``after``, in start order.

    The ``ends_at`` index keeps this a few rows' read however long the history grows: the
    health screen asks every 2 s.
    """
    out = []
    for wid, start, end, reason, author, matchers, services, silence_id, cancelled in conn.execute(
        "SELECT id, starts_at, ends_at, reason, author, matchers, services, silence_id,"
        " cancelled_at FROM maintenance WHERE ends_at >= ? ORDER BY starts_at, id",
        (after,),
    ):
        if cancelled is not None and min(cancelled, end) < after:
            continue
        try:
            out.append(
                MaintenanceWindow(
                    float(start),
                    float(end),
                    _clean(reason),
                    _clean(author, 100),
                    _matchers(matchers),
                    tuple(_clean(s, 200) for s in _loads(services or "[]")),
                    _clean(silence_id, 100),
                    int(wid),
                    cancelled,
                )
            )
        except (ValueError, TypeError, FilterError):
            continue
    return out


# ----------------------------------------------------------------------------- summary

# Fingerprints that started firing (first seen, or re-opened) in a window, with the newest start.
_STARTED = (
    "SELECT fingerprint, max(ts) AS ts FROM alert_changes WHERE ts >= ? AND ts <= ?"
    " AND (old IS NULL OR old = 'resolved') AND new != 'resolved' GROUP BY fingerprint"
)


def summary(conn: sqlite3.Connection, since: float, until: float) -> AlertSummary:
    """What the alert stream did in ``[since, until]``, and how many alerts fire now."""
    window = (since, until)
    fired = conn.execute(f"SELECT count(*) FROM ({_STARTED})", window).fetchone()[0]
    by_severity: dict[Severity, int] = {}
    for severity, n in conn.execute(
        f"SELECT a.severity, count(*) FROM ({_STARTED}) f JOIN alerts a USING (fingerprint)"
        " GROUP BY a.severity",
        window,
    ):
        sev = _severity(severity)
        by_severity[sev] = by_severity.get(sev, 0) + n
    resolved = conn.execute(
        "SELECT count(DISTINCT fingerprint) FROM alert_changes WHERE ts >= ? AND ts <= ?"
        " AND new = 'resolved'",
        window,
    ).fetchone()[0]
    still_firing = sum(firing_counts(conn).values())
    critical = []
    for labels, ts in conn.execute(
        f"SELECT a.labels, f.ts FROM ({_STARTED}) f JOIN alerts a USING (fingerprint)"
        " WHERE a.severity = ? ORDER BY f.ts DESC LIMIT ?",
        (*window, int(Severity.CRITICAL), CRITICAL_SHOWN),
    ):
        try:
            parsed = Alert("", _loads(labels))
        except (ValueError, TypeError):
            continue
        critical.append((_clean(parsed.alertname, 200), _clean(parsed.subject, 200), float(ts)))
    return AlertSummary(since, until, fired, by_severity, resolved, still_firing, tuple(critical))


# ----------------------------------------------------------------------------- pruning


def prune(conn: sqlite3.Connection, cutoff: float, batch: int) -> int:
    """Delete up to ``batch`` alerts resolved before ``cutoff`` and their change rows.

    Returns how many alerts went; the caller loops (one short transaction per call).
    """
    gone = [
        r[0]
        for r in conn.execute(
            "SELECT fingerprint FROM alerts WHERE resolved_at < ? LIMIT ?", (cutoff, batch)
        )
    ]
    if gone:
        as_json = _dumps(gone)
        conn.execute(
            "DELETE FROM alert_changes WHERE fingerprint IN (SELECT value FROM json_each(?))",
            (as_json,),
        )
        conn.execute(
            "DELETE FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(?))", (as_json,)
        )
    return len(gone)
