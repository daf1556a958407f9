"""Alertmanager API v2 JSON <-> the alert stream's model, for answers we cannot trust.

Alertmanager (or something pretending to be it) may send anything: Rich markup, ANSI and OSC
sequences in labels, 10,000-character values, items of the wrong shape, fields older versions
lack. Every string is sanitised and capped here, so the model's promise holds: screens may show
what comes out as it is. An item that cannot be read is skipped and counted in the problems
("3 alerts skipped: label name 'a-b' is not valid (2), not an object (1)"); an answer that is
not Alertmanager's at all raises ``AmSchemaError``.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields

from penguin_tui.alerts.am_time import TimeFormatError, format_time, parse_time
from penguin_tui.alerts.fingerprint import fingerprint as compute_fingerprint
from penguin_tui.alerts.matchers import FilterError, Matcher
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    Silence,
    SilenceDraft,
    SilenceState,
)
from penguin_tui.text import sanitize

MAX_LABEL_VALUE = 1000
MAX_ANNOTATION_VALUE = 4000
MAX_PAIRS = 100  # labels, and annotations, kept per alert
MAX_URL = 2000
MAX_NAME = 200  # receivers, authors, annotation names we show
MAX_ID = 100  # silence ids, fingerprints in silencedBy/inhibitedBy
MAX_COMMENT = 4000
MAX_MATCHER_VALUE = 1000
ERROR_TEXT_MAX = 200  # of Alertmanager's own error text, in our messages
_REASONS_SHOWN = 3  # distinct skip reasons listed in one problem line

_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters ``sanitize`` changes (one-line, and multi-line where TAB and LF stay). Text without
# any is returned as it is: nearly all of it, and 10,000 alerts hold 150,000 strings.
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_AM_STATES = frozenset({"active", "suppressed", "unprocessed"})
# Labels an operator needs if an alert has so many that some must go.
_KEEP_FIRST = ("alertname", "severity", "service", "instance", "job", "host")


class AmSchemaError(ValueError):
    """The answer as a whole is not what Alertmanager sends; the message says what it was."""


class _Skip(Exception):
    """This item cannot be read; the message is the reason, in plain words."""


class _Problems:
    """Skipped items and capped values of one answer, counted and worded for an operator."""

    def __init__(self, noun: str) -> None:
        self.noun = noun  # "alert" or "silence"
        self.skipped: Counter[str] = Counter()
        self.capped: Counter[str] = Counter()

    def lines(self) -> list[str]:
        out = []
        total = sum(self.skipped.values())
        if total:
            reasons = [f"{r} ({n})" for r, n in self.skipped.most_common(_REASONS_SHOWN)]
            more = len(self.skipped) - _REASONS_SHOWN
            if more > 0:
                reasons.append(f"and {more} other reason{'s' if more > 1 else ''}")
            out.append(f"{_count(total, self.noun)} skipped: {', '.join(reasons)}")
        for what, n in self.capped.items():
            out.append(f"{_count(n, self.noun)} {'has' if n == 1 else 'have'} {what}")
        return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shown(value: object, max_len: int = 40) -> str:
    """A piece of hostile input made fit to quote in a problem."""
    return sanitize(value, single_line=True, max_len=max_len)


def _safe(value: str, unsafe: re.Pattern[str]) -> bool:
    """True when ``value`` holds no character ``unsafe`` matches. ``isprintable`` (no control
    character at all, a quarter of a regex search's time) settles nearly all text; the
    rest (newlines, non-breaking spaces, ...) is searched."""
    return value.isprintable() or unsafe.search(value) is None


def _clean(value: str, max_len: int, *, single_line: bool = True) -> str:
    """``sanitize`` with a fast path for text it would not change."""
    unsafe = _UNSAFE_LINE if single_line else _UNSAFE_TEXT
    if len(value) <= max_len and _safe(value, unsafe):
        return value
    return sanitize(value, single_line=single_line, max_len=max_len)


def _text(value: object, what: str, max_len: int, *, single_line: bool = True) -> str:
    """An optional text field: absent is "", anything not text skips the item."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Skip(f"{what} is not text")
    return _clean(value, max_len, single_line=single_line)


def _capped(value: str, max_len: int, *, single_line: bool) -> tuple[str, bool]:
    unsafe = _UNSAFE_LINE if single_line else _UNSAFE_TEXT
    s = value if _safe(value, unsafe) else sanitize(value, single_line=single_line)
    if len(s) > max_len:
        return s[: max_len - 1] + "…", True
    return s, False


# Alertmanager stamps alerts of one group, and every resend, with the same few times.
_parse_time_cached = functools.lru_cache(maxsize=4096)(parse_time)


def _time(value: object, what: str) -> float | None:
    try:
        return _parse_time_cached(value) if isinstance(value, str) else parse_time(value)
    except TimeFormatError:
        raise _Skip(f"{what} is not an RFC 3339 time") from None


def _id_list(value: object, what: str) -> tuple[str, ...]:
    if value is None or value == []:  # most alerts: nothing silences or inhibits them
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Skip(f"{what} is not a list of ids")
    return tuple(_clean(v, MAX_ID) for v in value)


# Names that passed the checks before (label names valid, annotation names unchanged by
# sanitising): a storm repeats the same dozen, so most checks become one set lookup.
_GOOD_LABEL_NAMES: set[str] = set()
_GOOD_NOTE_NAMES: set[str] = set()
_GOOD_NAMES_MAX = 4096  # hostile answers inventing names cannot grow these without bound


def _known_good_names(raw: dict, labels: bool) -> bool:
    """True when every name of ``raw`` is kept as it is (learning the new ones)."""
    good = _GOOD_LABEL_NAMES if labels else _GOOD_NOTE_NAMES
    if good.issuperset(raw):
        return True
    for name in raw:
        if name in good:
            continue
        if not isinstance(name, str):
            return False
        if labels:
            if _LABEL_NAME.fullmatch(name) is None:
                return False
        elif len(name) > MAX_NAME or not _safe(name, _UNSAFE_LINE):
            return False
        if len(good) >= _GOOD_NAMES_MAX:
            good.clear()
        good.add(name)
    return True


def _as_sent(raw: dict, max_value: int, labels: bool) -> bool:
    """True when the slow path below would return ``raw`` unchanged: few enough pairs, names
    good, values text with nothing to sanitise or cut. Nearly every alert; checked with a
    handful of C calls instead of a few per pair (10,000 alerts hold 160,000 strings)."""
    if len(raw) > MAX_PAIRS or not _known_good_names(raw, labels):
        return False
    try:
        joined = "".join(raw.values())  # raises TypeError unless every value is text
    except TypeError:
        return False
    if len(joined) > max_value and max(map(len, raw.values())) > max_value:
        return False
    # One check of all values: the patterns match single characters, so the joined text
    # holds one exactly when a value does.
    return _safe(joined, _UNSAFE_LINE if labels else _UNSAFE_TEXT)


def _pairs(
    raw: object, what: str, max_value: int, problems: _Problems, *, labels: bool
) -> dict[str, str]:
    """Labels or annotations: names checked, values sanitised and capped, at most MAX_PAIRS.

    Returns ``raw`` itself when nothing in it needs changing (it comes from a decode of
    this answer alone, so nothing else holds it); otherwise a new dict.
    """
    if raw is None and not labels:
        return {}
    if type(raw) is dict and _as_sent(raw, max_value, labels):
        return raw
    if not isinstance(raw, dict):
        raise _Skip(f"{what} are not an object")
    for name, value in raw.items():
        if labels and not _LABEL_NAME.fullmatch(name):
            raise _Skip(f"label name {_shown(name)!r} is not valid")
        if not isinstance(value, str):
            raise _Skip(f"{what[:-1]} {_shown(name)!r} is not text")
    names = list(raw)
    if len(names) > MAX_PAIRS:
        first = [n for n in _KEEP_FIRST if n in raw]
        rest = sorted(n for n in names if n not in first)
        names = (first + rest)[:MAX_PAIRS]
        problems.capped[f"more than {MAX_PAIRS} {what} (the first {MAX_PAIRS} are kept)"] += 1
    out: dict[str, str] = {}
    cut = False
    for name in names:
        key = name if labels else _clean(name, MAX_NAME)
        out[key], was_cut = _capped(raw[name], max_value, single_line=labels)
        cut = cut or was_cut
    if cut:
        problems.capped[f"{what[:-1]} values cut to {max_value} characters"] += 1
    return out


# --------------------------------------------------------------------------- alerts


def parse_alerts(data: object, origin: str) -> tuple[list[Alert], list[str]]:
    """``GET /api/v2/alerts`` (decoded JSON) -> alerts and problems; ``origin`` is the URL."""
    if not isinstance(data, list):
        raise AmSchemaError(f"expected a list of alerts, got {_kind(data)}")
    if data and not any(isinstance(i, dict) and isinstance(i.get("labels"), dict) for i in data):
        raise AmSchemaError(f"none of the {len(data)} items looks like an alert (no labels)")
    problems = _Problems("alert")
    alerts = []
    origins = (origin,)
    for item in data:
        try:
            alerts.append(_parse_alert(item, origins, problems))
        except _Skip as skip:
            problems.skipped[str(skip)] += 1
    return alerts, problems.lines()


def _parse_alert(item: object, origins: tuple[str], problems: _Problems) -> Alert:
    """One gettableAlert. Raises _Skip when it cannot be read; capped values go to problems.
    ``origins`` is ``(url,)``, one tuple shared by the answer's alerts."""
    if not isinstance(item, dict):
        raise _Skip("not an object")
    raw_labels = item.get("labels")
    if isinstance(raw_labels, dict) and not raw_labels:
        raise _Skip("no labels")
    labels = _pairs(raw_labels, "labels", MAX_LABEL_VALUE, problems, labels=True)
    annotations = _pairs(
        item.get("annotations"), "annotations", MAX_ANNOTATION_VALUE, problems, labels=False
    )
    fp = item.get("fingerprint")
    if not (isinstance(fp, str) and _FINGERPRINT.fullmatch(fp)):
        # Before 0.16 there was none; a garbled one is replaced the same way. Computed from the
        # labels as sent (before sanitising) so it is what Alertmanager itself would say.
        fp = compute_fingerprint(raw_labels)  # type: ignore[arg-type]
    status = item.get("status")
    if status is None:
        status = {}
    if not isinstance(status, dict):
        raise _Skip("status is not an object")
    state = status.get("state", "active")
    if not isinstance(state, str):
        raise _Skip("status.state is not text")
    state = state if state in _AM_STATES else sanitize(state, single_line=True, max_len=20)
    # Positional, in Alert's field order (checked below): a quarter cheaper than keywords.
    return Alert(
        fp,
        labels,
        annotations,
        _time(item.get("startsAt"), "startsAt"),
        _time(item.get("endsAt"), "endsAt"),
        _time(item.get("updatedAt"), "updatedAt"),
        _text(item.get("generatorURL"), "generatorURL", MAX_URL),
        _receivers(item.get("receivers")),
        state,
        _id_list(status.get("silencedBy"), "status.silencedBy"),
        _id_list(status.get("inhibitedBy"), "status.inhibitedBy"),
        _id_list(status.get("mutedBy"), "status.mutedBy"),
        AlertSource.ALERTMANAGER,
        origins,
    )


_ALERT_FIELDS = (
    "fingerprint", "labels", "annotations", "starts_at", "ends_at", "updated_at", "generator_url",
    "receivers", "am_state", "silenced_by", "inhibited_by", "muted_by", "source", "origins",
)  # fmt: skip
if tuple(f.name for f in fields(Alert))[: len(_ALERT_FIELDS)] != _ALERT_FIELDS:  # pragma: no cover
    raise ImportError("penguin_tui.alerts.am_parse: _parse_alert() must follow Alert's fields")


def _receivers(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _Skip("receivers is not a list")
    names = []
    for r in raw:
        # API v2 sends {"name": ...}; tolerate a bare name as well.
        name = r.get("name") if isinstance(r, dict) else r
        if not isinstance(name, str):
            raise _Skip("a receiver has no name")
        names.append(_clean(name, MAX_NAME))
    return tuple(names)


# --------------------------------------------------------------------------- silences


def parse_silences(data: object, origin: str) -> tuple[list[Silence], list[str]]:
    """``GET /api/v2/silences`` (decoded JSON) -> silences and problems."""
    if not isinstance(data, list):
        raise AmSchemaError(f"expected a list of silences, got {_kind(data)}")
    if data and not any(isinstance(i, dict) and "matchers" in i for i in data):
        raise AmSchemaError(f"none of the {len(data)} items looks like a silence (no matchers)")
    problems = _Problems("silence")
    silences = []
    for item in data:
        try:
            silences.append(_parse_silence(item, origin))
        except _Skip as skip:
            problems.skipped[str(skip)] += 1
    return silences, problems.lines()


def _parse_silence(item: object, origin: str) -> Silence:
    """One gettableSilence. Raises _Skip when it cannot be read (e.g. a regex we cannot use)."""
    if not isinstance(item, dict):
        raise _Skip("not an object")
    sid = item.get("id")
    if not isinstance(sid, str) or not sid.strip():
        raise _Skip("no id")
    raw_matchers = item.get("matchers")
    if not isinstance(raw_matchers, list) or not raw_matchers:
        raise _Skip("no matchers")
    matchers = []
    for raw in raw_matchers:
        if not isinstance(raw, dict):
            raise _Skip("a matcher is not an object")
        value = raw.get("value")
        if isinstance(value, str):
            raw = {**raw, "value": sanitize(value, max_len=MAX_MATCHER_VALUE)}
        try:
            matchers.append(Matcher.from_api(raw))
        except FilterError as exc:
            raise _Skip(f"matcher {exc}") from None
    starts_at = _time(item.get("startsAt"), "startsAt")
    ends_at = _time(item.get("endsAt"), "endsAt")
    if starts_at is None or ends_at is None:
        raise _Skip("no start or end time")
    status = item.get("status")
    state_word = status.get("state") if isinstance(status, dict) else None
    try:
        state = SilenceState(state_word)
    except ValueError:
        # An unknown state must not keep alerts looking silenced: treat it as over.
        state = SilenceState.EXPIRED
    return Silence(
        id=sanitize(sid, single_line=True, max_len=MAX_ID),
        matchers=tuple(matchers),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=_text(item.get("createdBy"), "createdBy", MAX_NAME),
        comment=_text(item.get("comment"), "comment", MAX_COMMENT, single_line=False),
        state=state,
        updated_at=_time(item.get("updatedAt"), "updatedAt"),
        origin=origin,
    )


def parse_silence_id(data: object) -> str:
    """``POST /api/v2/silences`` answers ``{"silenceID": "..."}``."""
    sid = data.get("silenceID") if isinstance(data, dict) else None
    if not isinstance(sid, str) or not sid.strip():
        raise AmSchemaError("the answer to a new silence has no silenceID")
    return sanitize(sid, single_line=True, max_len=MAX_ID)


# --------------------------------------------------------------------------- status


def parse_status(data: object) -> dict[str, str]:
    """``GET /api/v2/status`` -> version, cluster status, peer count and cluster name.

    The answer also holds Alertmanager's whole config (``config.original``), receivers'
    passwords included: it is never kept.
    """
    if not isinstance(data, dict):
        raise AmSchemaError(f"expected a status object, got {_kind(data)}")
    info = data.get("versionInfo")
    cluster = data.get("cluster")
    version = info.get("version") if isinstance(info, dict) else None
    out = {"version": "", "cluster": ""}
    if isinstance(version, str):
        out["version"] = sanitize(version, single_line=True, max_len=40)
    if isinstance(cluster, dict):
        status = cluster.get("status")
        if isinstance(status, str):
            out["cluster"] = sanitize(status, single_line=True, max_len=40)
        peers = cluster.get("peers")
        if isinstance(peers, list):
            out["peers"] = str(len(peers))
        name = cluster.get("name")
        if isinstance(name, str) and name:
            out["name"] = sanitize(name, single_line=True, max_len=MAX_NAME)
    return out


# --------------------------------------------------------------------------- errors


def error_text(body: bytes) -> str:
    """Alertmanager's own words from an error answer: a JSON string, ``{"message": ...}`` (go-
    swagger's validation errors) or plain text; sanitised, one line, at most 200 characters."""
    text = body[: ERROR_TEXT_MAX * 8].decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, str):
        text = doc
    elif isinstance(doc, dict) and isinstance(doc.get("message"), str):
        text = doc["message"]
    return sanitize(text, single_line=True, max_len=ERROR_TEXT_MAX).strip()


def _kind(data: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "null",
    }.get(type(data), type(data).__name__)


# --------------------------------------------------------------------------- serialising


def alert_to_api(alert: Alert) -> dict[str, object]:
    """A postableAlert: labels, annotations, startsAt, endsAt, generatorURL (times when set)."""
    out: dict[str, object] = {"labels": dict(alert.labels)}
    if alert.annotations:
        out["annotations"] = dict(alert.annotations)
    if alert.starts_at is not None:
        out["startsAt"] = format_time(alert.starts_at)
    if alert.ends_at is not None:
        out["endsAt"] = format_time(alert.ends_at)
    if alert.generator_url:
        out["generatorURL"] = alert.generator_url
    return out


def alerts_to_api(alerts: Sequence[Alert]) -> list[dict[str, object]]:
    """The body of ``POST /api/v2/alerts``."""
    return [alert_to_api(a) for a in alerts]


def draft_to_api(draft: SilenceDraft) -> dict[str, object]:
    """A postableSilence (no id: a new one)."""
    return {
        "matchers": [m.to_api() for m in draft.matchers],
        "startsAt": format_time(draft.starts_at),
        "endsAt": format_time(draft.ends_at),
        "createdBy": draft.created_by,
        "comment": draft.comment,
    }
