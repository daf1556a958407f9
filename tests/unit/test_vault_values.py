"""Secret values masked everywhere, hostile keys and values escaped, binary told apart;
metadata parsing, rotation and version diffs."""

from __future__ import annotations

import copy
import json
import logging
import pickle

import pytest

from penguin_tui.vault.diff import Change, diff_secrets
from penguin_tui.vault.escape import escape, needs_escape, shown
from penguin_tui.vault.metadata import parse_go_duration, parse_metadata, parse_time
from penguin_tui.vault.mounts import Mount, find_mount, kv_version, parse_mounts
from penguin_tui.vault.rotation import rotation, secret_period
from penguin_tui.vault.secret import MASK, Secret, SecretEntry, SecretValue, looks_binary
from penguin_tui.vault.tree import FolderState, Listing, PathError, SecretTree, parse_target

CANARY = "CANARY-s3cr3t-value"
KV2 = Mount("secret/", "kv", 2)
KV1 = Mount("legacy/", "kv", 1)
DAY = 86400.0
NOW = 1_800_000_000.0


# ---------------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain-key", "plain-key"),
        ("note\x1b[31m", "note\\x1b[31m"),
        ("osc52 \x1b]52;c;cHduZWQ=\x07!", "osc52 \\x1b]52;c;cHduZWQ=\\x07!"),
        ("csi8 \x9b31m", "csi8 \\x9b31m"),
        ("line\nbreak\ttab\r", "line\\nbreak\\ttab\\r"),
        ("bidi \u202eevil\u202c", "bidi \\u202eevil\\u202c"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("tag \U000e0041", "tag \\U000e0041"),
        ("back\\slash \x00", "back\\\\slash \\x00"),  # doubled once anything is escaped
        ("back\\slash only", "back\\slash only"),  # ...and left alone otherwise
        ("émoji 🐧 日本", "émoji 🐧 日本"),
        ("[bold]markup[/bold]", "[bold]markup[/bold]"),  # markup is the screen's job (Text)
    ],
)
def test_hostile_text_is_escaped_exactly(raw: str, expected: str) -> None:
    result = escape(raw)
    assert result.text == expected
    assert result.escaped is (raw != expected)
    assert needs_escape(raw) is result.escaped
    for ch in result.text:
        assert ch.isprintable(), repr(ch)


def test_multiline_keeps_line_breaks_only() -> None:
    pem = "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\x1b[8m"
    assert escape(pem, multiline=True).text == (
        "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\\x1b[8m"
    )
    assert shown("x" * 50, max_len=10) == "xxxxxxxxx…"


# ------------------------------------------------------------------------ secret values


def test_a_value_is_masked_in_every_string_form(caplog: pytest.LogCaptureFixture) -> None:
    value = SecretValue(CANARY)
    forms = [repr(value), str(value), f"{value}", f"{value!r}", f"{value:>20}"]
    forms.append("%s %r" % (value, value))  # noqa: UP031 - logging style
    forms.append(repr([value, {"k": value}]))
    assert all(CANARY not in form for form in forms)
    assert str(value) == MASK and len(MASK) == len(str(SecretValue("x" * 500)))
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").warning("value %s %r", value, value)
    assert CANARY not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(value)
    with pytest.raises(TypeError):
        json.dumps({"k": value})
    assert copy.copy(value) is value and copy.deepcopy(value) is value  # immutable
    assert value.reveal() == CANARY and value.clipboard_text() == CANARY


def test_an_entry_and_a_secret_do_not_show_values_in_reprs() -> None:
    entry = SecretEntry("password", SecretValue(CANARY))
    secret = Secret(KV2, "app/db", 3, (entry,))
    assert CANARY not in repr(entry) and CANARY not in repr(secret)
    with pytest.raises(KeyError) as info:
        secret.entry("nope\x1b[2J")
    assert "\x1b" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "kind", "revealed"),
    [
        ("hunter2", "text", "hunter2"),
        ("\x1b]52;c;aGk=\x07", "text", "\\x1b]52;c;aGk=\\x07"),
        ("\x00\x01\x02\xff\xfe", "binary", "binary, 5 bytes: 00 01 02 ff fe"),
        ("\x01" * 40, "binary", "binary, 40 bytes: " + " ".join(["01"] * 16) + " …"),
        ("\ud800abc", "binary", "binary, 6 bytes: ed a0 80 61 62 63"),
        (2525, "number", "2525"),
        (True, "bool", "true"),
        (None, "null", "null"),
        ({"a": [1, {"b": None}], "c\x1b": "d"}, "json", '{"a": [1, {"b": null}], "c\\u001b": "d"}'),
    ],
)
def test_kinds_and_revealed_forms(value: object, kind: str, revealed: str) -> None:
    secret_value = SecretValue(value)
    assert secret_value.kind == kind
    assert secret_value.reveal() == revealed


def test_binary_detection_thresholds() -> None:
    assert not looks_binary("")
    assert not looks_binary("a normal password with spaces")
    assert not looks_binary("\x1b[31m" * 5)  # escape sequences alone are text (escaped)
    assert looks_binary("abc\x00def")
    assert looks_binary("\x02\x03\x04\x05abcdefg")  # 4 of 11 are controls: over 30 %
    assert not looks_binary("\x02\x03\x04abcdefg")  # 3 of 10: not over 30 %


def test_values_compare_by_json_value_and_type() -> None:
    assert SecretValue("1") == SecretValue("1")
    assert SecretValue("1") != SecretValue(1)
    assert SecretValue(1) != SecretValue(True)
    assert SecretValue({"a": 1}) == SecretValue({"a": 1})


def test_json_view_masks_unless_revealed_and_is_terminal_safe() -> None:
    secret = Secret(
        KV2,
        "app",
        2,
        (
            SecretEntry("password", SecretValue(CANARY)),
            SecretEntry("note\x1b[31m", SecretValue("bidi \u202e \x9b")),
            SecretEntry("port", SecretValue(5432)),
        ),
    )
    masked = secret.json_view()
    assert CANARY not in masked and json.loads(masked)["password"] == MASK
    shown_json = secret.json_view({"password", "note\x1b[31m", "port"})
    parsed = json.loads(shown_json)
    assert parsed == {"password": CANARY, "note\x1b[31m": "bidi \u202e \x9b", "port": 5432}
    assert all(ch.isprintable() or ch == "\n" for ch in shown_json), shown_json


# ---------------------------------------------------------------------------- metadata


def test_times_and_go_durations() -> None:
    assert parse_time("2018-03-22T02:24:06.945319214Z") == pytest.approx(1521685446.945319)
    assert parse_time("2024-01-01T02:00:00+02:00") == 1704067200.0
    assert parse_time("") is None and parse_time(None) is None
    assert parse_time("0001-01-01T00:00:00Z") is None and parse_time("yesterday") is None
    assert parse_time("2024-01-01T00:00:00") is None  # no zone: not Vault's
    assert parse_go_duration("0s") == 0 and parse_go_duration("768h0m0s") == 768 * 3600
    assert parse_go_duration("1h30m1.5s") == 5401.5 and parse_go_duration("250ms") == 0.25
    assert parse_go_duration("3600") == 3600 and parse_go_duration(60) == 60
    assert parse_go_duration("soon") == 0 and parse_go_duration(None) == 0


def _meta(updated_days_ago: float | None, custom: dict | None = None) -> object:
    data = {
        "created_time": "2020-01-01T00:00:00Z",
        "current_version": 3,
        "oldest_version": 1,
        "max_versions": 5,
        "cas_required": True,
        "delete_version_after": "720h0m0s",
        "custom_metadata": custom,
        "versions": {
            "1": {"created_time": "2020-01-01T00:00:00Z", "deletion_time": "", "destroyed": True},
            "2": {
                "created_time": "2020-02-01T00:00:00Z",
                "deletion_time": "2020-03-01T00:00:00Z",
                "destroyed": False,
            },
            "3": {"created_time": "2020-04-01T00:00:00Z", "deletion_time": "", "destroyed": False},
        },
    }
    if updated_days_ago is not None:
        from penguin_tui.fmt import iso

        data["updated_time"] = iso(NOW - updated_days_ago * DAY)
    return parse_metadata(KV2, "app/db", data)


def test_metadata_is_typed_with_versions_newest_first() -> None:
    meta = _meta(10, {"owner": "ops\x1b[2J", "rotation_period": "30d"})
    assert (meta.current_version, meta.oldest_version, meta.max_versions) == (3, 1, 5)
    assert meta.cas_required and meta.delete_version_after_s == 30 * DAY
    assert [(v.version, v.state) for v in meta.versions] == [
        (3, "live"),
        (2, "deleted"),
        (1, "destroyed"),
    ]
    assert meta.updated_time == NOW - 10 * DAY
    assert meta.custom_labels() == [("owner", "ops\\x1b[2J"), ("rotation_period", "30d")]


# ---------------------------------------------------------------------------- rotation


def test_rotation_default_period_and_the_boundary() -> None:
    assert not rotation(_meta(90), NOW).overdue  # exactly the period: not yet
    late = rotation(_meta(91), NOW)
    assert late.overdue and late.overdue_by_s == DAY and late.period_source == "default"
    assert late.label() == "91d old · rotate every 90d · overdue by 1d"
    assert not rotation(_meta(91), NOW, default_s=120 * DAY).overdue  # [vault].rotation_period


@pytest.mark.parametrize(("period", "seconds"), [("30d", 30 * DAY), ("720h", 720 * 3600.0)])
def test_the_secret_own_period_wins(period: str, seconds: float) -> None:
    state = rotation(_meta(31, {"rotation_period": period}), NOW)
    assert (state.period_s, state.period_source, state.problem) == (seconds, "secret", "")
    assert state.overdue and "(this secret)" in state.label()


@pytest.mark.parametrize(
    ("period", "why"),
    [
        ("yearly", '"yearly" is not a duration'),
        ("0d", "must be longer than 0"),
        ("-5d", "cannot be negative"),
        ("30", "has no unit"),
        ("\x1b[31m30d", "control characters"),
    ],
)
def test_a_bad_period_is_reported_and_the_default_used(period: str, why: str) -> None:
    state = rotation(_meta(100, {"rotation_period": period}), NOW)
    assert state.period_s == 90 * DAY and state.period_source == "default" and state.overdue
    assert why in state.problem and state.problem.endswith("using the default 90d")
    assert "\x1b" not in state.problem


def test_no_updated_time_is_no_age_and_not_overdue() -> None:
    state = rotation(_meta(None), NOW)
    assert state.age_s is None and not state.overdue and state.due_in_s is None
    assert secret_period({}, 5.0) == (5.0, "default", "")


# -------------------------------------------------------------------------------- diff


def test_diff_by_key_masked_unless_revealed() -> None:
    old = Secret(KV2, "app", 1, (
        SecretEntry("gone", SecretValue("x")),
        SecretEntry("password", SecretValue("old-" + CANARY)),
        SecretEntry("port", SecretValue("5432")),
        SecretEntry("user", SecretValue("ann")),
    ))  # fmt: skip
    new = Secret(KV2, "app", 2, (
        SecretEntry("added", SecretValue("y")),
        SecretEntry("password", SecretValue("new-" + CANARY)),
        SecretEntry("port", SecretValue(5432)),  # same text, other type: changed
        SecretEntry("user", SecretValue("ann")),
    ))  # fmt: skip
    diff = diff_secrets(old, new)
    assert [(r.key, r.change) for r in diff.rows] == [
        ("added", Change.ADDED),
        ("gone", Change.REMOVED),
        ("password", Change.CHANGED),
        ("port", Change.CHANGED),
        ("user", Change.UNCHANGED),
    ]
    assert diff.summary() == "1 added, 2 changed, 1 removed, 1 unchanged"
    password = diff.rows[2]
    assert (password.old_text(), password.new_text()) == (MASK, MASK)
    assert password.new_text(revealed=True) == "new-" + CANARY
    assert diff.rows[0].old_text() == "" and diff.rows[1].new_text() == ""
    assert CANARY not in repr(diff)


def test_diff_with_a_gone_version_says_so() -> None:
    live = Secret(KV2, "app", 2, (SecretEntry("k", SecretValue("v")),))
    deleted = Secret(KV2, "app", 1, (), deletion_time=NOW)
    diff = diff_secrets(deleted, live)
    assert [r.change for r in diff.rows] == [Change.ADDED]
    assert diff.notes == ("version 1 is deleted: its keys cannot be compared",)


# --------------------------------------------------------------------- mounts and tree


def test_kv_version_detected_as_the_vault_cli_does() -> None:
    assert kv_version({"type": "kv", "options": {"version": "2"}}) == 2
    assert kv_version({"type": "kv", "options": {"version": "1"}}) == 1
    assert kv_version({"type": "kv", "options": None}) == 1
    assert kv_version({"type": "kv"}) == 1
    assert kv_version({"type": "generic"}) == 1
    assert kv_version({"type": "pki", "options": {"version": "2"}}) is None
    mounts = parse_mounts({
        "secret/": {"type": "kv", "options": {"version": "2"}, "description": "x\x1b[2J"},
        "old": {"type": "generic"},
        "sys/": {"type": "system"},
        "cubbyhole/": {"type": "cubbyhole"},
    })  # fmt: skip
    assert [(m.path, m.kv_version, m.description) for m in mounts] == [
        ("old/", 1, ""),
        ("secret/", 2, "x"),
    ]


def test_paths_split_on_the_longest_mount() -> None:
    mounts = [KV2, Mount("secret/team/", "kv", 2)]
    assert find_mount(mounts, "secret/app/db") == (KV2, "app/db")
    assert find_mount(mounts, "/secret/team/x") == (mounts[1], "x")
    assert find_mount(mounts, "secret") == (KV2, "")
    assert find_mount(mounts, "secrets/x") is None
    assert parse_target(mounts, " secret/app//db ").path == "app/db"
    assert parse_target(mounts, "secret/app/").is_folder
    with pytest.raises(PathError, match=r"is in no KV mount \(mounts: secret/, secret/team/\)"):
        parse_target(mounts, "nope/x")
    with pytest.raises(PathError, match="control characters"):
        parse_target(mounts, "secret/\x1b[2J")


def _listing(path: str, *keys: str) -> Listing:
    return Listing(KV2, path, keys)


def test_tree_grows_per_listing_and_the_filter_sees_everything_loaded() -> None:
    tree = SecretTree([KV2, KV1])
    root = tree.apply(_listing("", "app/", "db", "redis", "redis/"))
    assert [n.name for n in root.children] == ["app/", "redis/", "db", "redis"]
    assert root.loaded and not tree.node("secret/app/").loaded
    tree.apply(_listing("app/", "api-key", "nested/"))
    assert [n.full_path for n in tree.filter("API")] == ["secret/app/api-key"]
    assert [n.full_path for n in tree.filter("app key")] == ["secret/app/api-key"]
    assert len(tree.filter("")) == len(tree) == 8  # 2 roots, 4 children, 2 grandchildren
    # A folder listed again keeps what was loaded below children still there.
    tree.apply(_listing("", "app/", "db"))
    assert tree.node("secret/app/api-key") is not None and tree.node("secret/redis") is None
    # A 403 is the folder's state; "go to path" adds what the token may read.
    forbidden = tree.apply(Listing(KV2, "restricted/", (), FolderState.FORBIDDEN, "may not list"))
    assert forbidden.state is FolderState.FORBIDDEN and forbidden.children == []
    node = tree.add_path(KV2, "restricted/break-glass")
    assert node in forbidden.children and tree.filter("break")[0] is node
    assert tree.secrets()[-1] is node


def test_hostile_names_get_escaped_labels() -> None:
    tree = SecretTree([KV2])
    root = tree.apply(_listing("", "evil\x1b]52;c;aGk=\x07/", "bidi\u202etxt"))
    assert sorted(n.label for n in root.children) == ["bidi\\u202etxt", "evil\\x1b]52;c;aGk=\\x07/"]
