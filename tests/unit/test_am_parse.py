"""am_time + am_parse: Alertmanager's JSON read defensively, and written back."""

from __future__ import annotations

import calendar
import copy

import pytest

from penguin_tui.alerts.am_parse import (
    MAX_ANNOTATION_VALUE,
    MAX_LABEL_VALUE,
    MAX_PAIRS,
    AmSchemaError,
    _clean,
    alert_to_api,
    draft_to_api,
    error_text,
    parse_alerts,
    parse_silence_id,
    parse_silences,
    parse_status,
)
from penguin_tui.alerts.am_time import TimeFormatError, format_time, parse_time
from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.matchers import Matcher, MatchOp
from penguin_tui.alerts.model import Alert, AlertSource, SilenceDraft, SilenceState
from penguin_tui.text import sanitize

URL = "http://am-1:9093"
T0 = calendar.timegm((2024, 5, 1, 8, 0, 0))

# An alert exactly as Alertmanager 0.25 sends it.
ALERT = {
    "annotations": {"summary": "Queue growing", "runbook_url": "https://runbooks/q"},
    "endsAt": "2024-05-01T08:05:00.000Z",
    "fingerprint": "21488ca1a70069e0",
    "receivers": [{"name": "null"}, {"name": "pager"}],
    "startsAt": "2024-05-01T08:00:00.000Z",
    "status": {"inhibitedBy": ["aaaa"], "silencedBy": ["s-1", "s-2"], "state": "suppressed"},
    "updatedAt": "2024-05-01T08:01:00.5Z",
    "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
    "labels": {"alertname": "A", "service": "x", "severity": "critical"},
}
SILENCE = {
    "id": "099f0d72-58be-4784-97d7-880d12849ef9",
    "status": {"state": "active"},
    "updatedAt": "2024-05-01T08:00:01.222Z",
    "comment": "deploy",
    "createdBy": "alice",
    "endsAt": "2024-05-01T10:00:00.000Z",
    "matchers": [
        {"isEqual": True, "isRegex": False, "name": "alertname", "value": "A"},
        {"isEqual": False, "isRegex": True, "name": "service", "value": "db-.*"},
    ],
    "startsAt": "2024-05-01T08:00:00.000Z",
}


def alert(**changes: object) -> dict:
    a = copy.deepcopy(ALERT)
    for key, value in changes.items():
        if value is None:
            a.pop(key, None)
        else:
            a[key] = value
    return a


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T08:00:00Z", T0),
        ("2024-05-01T08:00:00.000Z", T0),
        ("2024-05-01T08:00:00.25Z", T0 + 0.25),
        ("2024-05-01T08:00:00.123456789Z", T0 + 0.123456789),
        ("2024-05-01T10:30:00+02:30", T0),
        ("2024-05-01T03:00:00.5-05:00", T0 + 0.5),
        ("2024-05-01t08:00:00z", T0),
    ],
)
def test_rfc3339(text, expected):
    assert parse_time(text) == pytest.approx(expected, abs=1e-6)


def test_go_zero_time_and_absence_are_none():
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time("0001-01-01T00:00:00.000+00:00") is None
    assert parse_time(None) is None
    assert parse_time("") is None


@pytest.mark.parametrize(
    "bad", ["yesterday", "2024-05-01", "2024-05-01T08:00:00", "2024-13-01T00:00:00Z", 17]
)
def test_bad_times_raise(bad):
    with pytest.raises(TimeFormatError):
        parse_time(bad)


def test_format_time_is_utc_with_milliseconds():
    assert format_time(T0) == "2024-05-01T08:00:00.000Z"
    assert format_time(T0 + 0.2506) == "2024-05-01T08:00:00.251Z"
    assert format_time(T0 + 59.9996) == "2024-05-01T08:01:00.000Z"  # carries into seconds
    assert parse_time(format_time(T0 + 1.5)) == T0 + 1.5


# --------------------------------------------------------------------------- alerts


def test_every_field_of_an_alert():
    (a,), problems = parse_alerts([ALERT], URL)
    assert problems == []
    assert a.fingerprint == "21488ca1a70069e0"
    assert dict(a.labels) == ALERT["labels"]
    assert dict(a.annotations) == ALERT["annotations"]
    assert a.starts_at == T0
    assert a.ends_at == T0 + 300
    assert a.updated_at == T0 + 60.5
    assert a.generator_url == ALERT["generatorURL"]
    assert a.receivers == ("null", "pager")
    assert a.am_state == "suppressed"
    assert a.silenced_by == ("s-1", "s-2")
    assert a.inhibited_by == ("aaaa",)
    assert a.muted_by == ()
    assert a.source is AlertSource.ALERTMANAGER
    assert a.origins == (URL,)
    assert (a.first_seen, a.last_seen, a.resolved_at, a.stale) == (None, None, None, False)


def test_muted_by_when_present():
    status = {"state": "suppressed", "silencedBy": [], "inhibitedBy": [], "mutedBy": ["night"]}
    (a,), _ = parse_alerts([alert(status=status)], URL)
    assert a.muted_by == ("night",)


def test_old_alertmanager_without_optional_fields():
    # 0.20-style: no mutedBy, no updatedAt, no receivers, no generatorURL, even no fingerprint.
    old = alert(updatedAt=None, receivers=None, generatorURL=None, fingerprint=None)
    old["status"] = {"state": "active", "silencedBy": [], "inhibitedBy": []}
    (a,), problems = parse_alerts([old], URL)
    assert problems == []
    assert a.updated_at is None
    assert a.receivers == ()
    assert a.generator_url == ""
    assert a.fingerprint == fingerprint(ALERT["labels"]) == "21488ca1a70069e0"
    minimal = {"labels": {"alertname": "Bare"}}
    (b,), problems = parse_alerts([minimal], URL)
    assert problems == []
    assert (b.starts_at, b.am_state, b.annotations) == (None, "active", {})


def test_go_zero_end_time_is_none():
    (a,), _ = parse_alerts([alert(endsAt="0001-01-01T00:00:00Z")], URL)
    assert a.ends_at is None


def test_garbled_fingerprint_is_recomputed():
    (a,), _ = parse_alerts([alert(fingerprint="\x1b[31mXYZ")], URL)
    assert a.fingerprint == "21488ca1a70069e0"


def test_hostile_strings_are_sanitised():
    labels = {
        "alertname": "[bold red]Boom[/]",
        "service": "\x1b[31mred\x1b[0m",
        "instance": "clip\x1b]52;c;cm0gLXJmIH4=\x07board",
        "job": "two\nlines\tand\rreturns",
    }
    annotations = {"summary": "multi\nline \x1b[2J ok", "\x1b[1mname": "v"}
    raw = alert(labels=labels, annotations=annotations, fingerprint=None)
    raw["generatorURL"] = "http://x/\x1b]8;;http://evil\x07link"
    raw["receivers"] = [{"name": "r\x9b31m"}]
    (a,), problems = parse_alerts([raw], URL)
    assert problems == []
    assert a.labels["alertname"] == "[bold red]Boom[/]"  # markup stays literal text
    assert a.labels["service"] == "red"
    assert a.labels["instance"] == "clipboard"
    assert a.labels["job"] == "two lines andreturns"  # one line; a bare CR is dropped
    assert a.annotations["summary"] == "multi\nline  ok"  # annotations keep newlines
    assert a.annotations["name"] == "v"
    assert a.generator_url == "http://x/link"
    assert a.receivers == ("r",)
    everything = [*a.labels.values(), *a.annotations, *a.annotations.values(), a.generator_url]
    assert not any(c in s for s in everything for c in "\x1b\x07\x9b\r")
    # The fingerprint is Alertmanager's, from the labels as sent, not the cleaned ones.
    assert a.fingerprint == fingerprint(labels)


def test_values_are_checked_every_time_names_repeat():
    # Names seen before skip their own checks; values never do, whatever came before.
    clean = alert(labels={"alertname": "A", "service": "x"}, annotations={"summary": "s"})
    hostile = alert(
        labels={"alertname": "A", "service": "\x1b[31mx\x85"},
        annotations={"summary": "a\x1b]52;c;AA\x07b\nnext\xa0line\r"},
    )
    (first, again, bad), problems = parse_alerts([clean, clean, hostile], URL)
    assert problems == []
    assert first.labels == again.labels == {"alertname": "A", "service": "x"}
    assert bad.labels["service"] == "x"
    assert bad.annotations["summary"] == "ab\nnext\xa0line"
    # Text kept as sent stays exactly what was sent (non-printable but harmless included).
    (kept,), _ = parse_alerts([alert(annotations={"d": "tab\there\nline \u2028 ünï"})], URL)
    assert kept.annotations == {"d": "tab\there\nline \u2028 ünï"}


def test_a_bad_name_after_good_ones_still_skips_the_alert():
    good = alert(labels={"alertname": "A", "ok_name": "v"})
    bad = alert(labels={"alertname": "A", "ok_name": "v", "bad name": "v"})
    alerts, problems = parse_alerts([good, bad, good], URL)
    assert len(alerts) == 2
    assert problems == ["1 alert skipped: label name 'bad name' is not valid (1)"]


def test_long_values_are_capped_and_reported():
    raw = alert(
        labels={"alertname": "Long", "v": "x" * 10_000},
        annotations={"description": "y" * 10_000},
    )
    (a, _), problems = parse_alerts([raw, raw], URL)
    assert len(a.labels["v"]) == MAX_LABEL_VALUE
    assert a.labels["v"].endswith("…")
    assert len(a.annotations["description"]) == MAX_ANNOTATION_VALUE
    assert f"2 alerts have label values cut to {MAX_LABEL_VALUE} characters" in problems
    assert f"2 alerts have annotation values cut to {MAX_ANNOTATION_VALUE} characters" in problems


def test_too_many_labels_keep_the_important_ones():
    labels = {f"l{i:03d}": "v" for i in range(150)}
    labels |= {"alertname": "Many", "severity": "critical", "zz_service": "z"}
    (a,), problems = parse_alerts([alert(labels=labels)], URL)
    assert len(a.labels) == MAX_PAIRS
    assert a.labels["alertname"] == "Many"
    assert a.labels["severity"] == "critical"
    assert f"1 alert has more than {MAX_PAIRS} labels (the first {MAX_PAIRS} are kept)" in problems


def test_unreadable_items_are_skipped_and_counted():
    good = alert()
    items = [
        good,
        "not an alert",
        alert(labels={"alertname": "x", "bad-name": "v"}),
        alert(labels={"alertname": "x", "bad-name": "v"}),
        alert(labels={"alertname": 5}),
        alert(startsAt="tomorrow"),
        alert(status={"state": "active", "silencedBy": "s-1"}),
        alert(labels={}),
    ]
    alerts, problems = parse_alerts(items, URL)
    assert [a.fingerprint for a in alerts] == [ALERT["fingerprint"]]
    assert len(problems) == 1
    line = problems[0]
    assert line.startswith("7 alerts skipped: label name 'bad-name' is not valid (2), ")
    assert "and 3 other reasons" in line


def test_skip_reasons_quote_hostile_names_safely():
    raw = alert(labels={"alertname": "x", "\x1b]52;c;AAAA\x07bad": "v"})
    alerts, problems = parse_alerts([raw, alert()], URL)
    assert len(alerts) == 1
    assert "\x1b" not in problems[0] and "\x07" not in problems[0]
    assert "bad" in problems[0]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"alerts": []}, "expected a list of alerts, got an object"),
        ("nope", "got a string"),
        (None, "got null"),
        ([{"name": "x"}, 3], "none of the 2 items looks like an alert"),
    ],
)
def test_wholly_wrong_schema_raises(data, words):
    with pytest.raises(AmSchemaError, match=words):
        parse_alerts(data, URL)


def test_empty_list_is_fine():
    assert parse_alerts([], URL) == ([], [])


@pytest.mark.parametrize(
    "text",
    ["plain", "tab\there", "line\nbreak", "cr\rhere", "\x1b[31mred", "nel\x85", "del\x7f",
     "osc\x1b]52;c;AA\x07", "\u2028sep", "ünï ☃ 日本", "x" * 60, "bell\x07" + "y" * 60],
)  # fmt: skip
@pytest.mark.parametrize("single_line", [True, False])
def test_fast_path_is_exactly_sanitize(text, single_line):
    assert _clean(text, 50, single_line=single_line) == sanitize(
        text, max_len=50, single_line=single_line
    )


# --------------------------------------------------------------------------- silences


def test_every_field_of_a_silence():
    (s,), problems = parse_silences([SILENCE], URL)
    assert problems == []
    assert s.id == SILENCE["id"]
    assert s.matchers == (
        Matcher("alertname", MatchOp.EQ, "A"),
        Matcher("service", MatchOp.NRE, "db-.*"),
    )
    assert (s.starts_at, s.ends_at) == (T0, T0 + 7200)
    assert s.updated_at == pytest.approx(T0 + 1.222)
    assert (s.created_by, s.comment, s.state, s.origin) == ("alice", "deploy", "active", URL)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("active", SilenceState.ACTIVE),
        ("pending", SilenceState.PENDING),
        ("expired", SilenceState.EXPIRED),
        ("weird", SilenceState.EXPIRED),
        (None, SilenceState.EXPIRED),
    ],
)
def test_silence_states(state, expected):
    raw = {**SILENCE, "status": {"state": state}}
    (s,), _ = parse_silences([raw], URL)
    assert s.state is expected


def test_bad_silences_are_skipped():
    bad_regex = {**SILENCE, "id": "r", "matchers": [{"name": "a", "value": "(", "isRegex": True}]}
    no_end = {k: v for k, v in SILENCE.items() if k != "endsAt"}
    silences, problems = parse_silences([SILENCE, bad_regex, no_end, 7], URL)
    assert [s.id for s in silences] == [SILENCE["id"]]
    assert problems[0].startswith("3 silences skipped: ")
    assert "not a valid regular expression" in problems[0]
    assert "no start or end time (1)" in problems[0]


def test_silence_text_is_sanitised():
    raw = {**SILENCE, "createdBy": "eve\x1b[8m", "comment": "line1\nline2\x1b]52;c;AA\x07"}
    (s,), _ = parse_silences([raw], URL)
    assert s.created_by == "eve"
    assert s.comment == "line1\nline2"


def test_silences_wrong_schema():
    with pytest.raises(AmSchemaError, match="list of silences"):
        parse_silences({"data": []}, URL)
    with pytest.raises(AmSchemaError, match="looks like a silence"):
        parse_silences([{"id": "x"}], URL)


def test_silence_id_answer():
    assert parse_silence_id({"silenceID": "abc"}) == "abc"
    with pytest.raises(AmSchemaError, match="silenceID"):
        parse_silence_id({"id": "abc"})


# --------------------------------------------------------------------------- status, errors


def test_status_keeps_no_config():
    data = {
        "cluster": {
            "name": "01H",
            "peers": [{"address": "a"}, {"address": "b"}],
            "status": "ready",
        },
        "config": {"original": "receivers:\n- name: x\n  smtp_auth_password: hunter2\n"},
        "versionInfo": {"version": "0.25.0", "branch": "x"},
        "uptime": "2024-05-01T08:00:00Z",
    }
    status = parse_status(data)
    assert status == {"version": "0.25.0", "cluster": "ready", "peers": "2", "name": "01H"}
    assert "hunter2" not in repr(status)
    assert parse_status({}) == {"version": "", "cluster": ""}
    with pytest.raises(AmSchemaError):
        parse_status([])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'"silence not found"', "silence not found"),
        (b'{"code":601,"message":"silenceID in path must be of type uuid"}',
         "silenceID in path must be of type uuid"),
        (b"not ready yet\n", "not ready yet"),
        (b"\x1b[31m<b>oops</b>\x1b[0m", "<b>oops</b>"),
        (b"x" * 5000, "x" * 199 + "…"),
        (b"", ""),
    ],
)  # fmt: skip
def test_error_text(body, expected):
    assert error_text(body) == expected


# --------------------------------------------------------------------------- writing


def test_alert_to_api():
    a = Alert(
        fingerprint="f",
        labels={"alertname": "Local", "severity": "warning"},
        annotations={"summary": "s"},
        starts_at=T0,
        ends_at=T0 + 90.5,
        generator_url="penguin-tui://rule/x",
    )
    assert alert_to_api(a) == {
        "labels": {"alertname": "Local", "severity": "warning"},
        "annotations": {"summary": "s"},
        "startsAt": "2024-05-01T08:00:00.000Z",
        "endsAt": "2024-05-01T08:01:30.500Z",
        "generatorURL": "penguin-tui://rule/x",
    }
    assert alert_to_api(Alert(fingerprint="f", labels={"a": "b"})) == {"labels": {"a": "b"}}


def test_draft_to_api_round_trips_matchers():
    draft = SilenceDraft(
        matchers=(Matcher.equal("alertname", "A"), Matcher("service", MatchOp.NRE, "db.*")),
        starts_at=T0,
        ends_at=T0 + 900,
        created_by="bob",
        comment="ACK by bob",
    )
    body = draft_to_api(draft)
    assert body == {
        "matchers": [
            {"name": "alertname", "value": "A", "isRegex": False, "isEqual": True},
            {"name": "service", "value": "db.*", "isRegex": True, "isEqual": False},
        ],
        "startsAt": "2024-05-01T08:00:00.000Z",
        "endsAt": "2024-05-01T08:15:00.000Z",
        "createdBy": "bob",
        "comment": "ACK by bob",
    }
    assert tuple(Matcher.from_api(m) for m in body["matchers"]) == draft.matchers
