"""[alertmanager], [alerts] and [[rule]]: the example, defaults, and every mistake with its
line, key and words."""

# ruff: noqa: E501  (tables of exact messages read best one case per line)

from __future__ import annotations

import re
from pathlib import Path

import pytest

from penguin_tui import config_alerts
from penguin_tui.config import load_config, parse_config
from penguin_tui.config_example import EXAMPLE_CONFIG
from penguin_tui.config_model import AlertmanagerConfig, AlertsConfig, RuleConfig
from tests.unit.config_files import problems, write

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CONFIG.md"

ITEMS = """\
[[check]]
name = "api"
url = "http://api.example/health"

[[metric]]
name = "bounce_rate"
title = "Bounce rate"
unit = "%"
query = "x"
prometheus_url = "http://prom.example:9090"
"""
AM = '[alertmanager]\nurls = ["http://am:9093"]\n'
RULE = '[[rule]]\nname = "R"\n'


# ---------------------------------------------------------------------------- good configs


def test_absent_tables_are_the_defaults() -> None:
    config = parse_config(ITEMS)
    assert config.alertmanager == AlertmanagerConfig() and not config.alertmanager.enabled
    assert config.alerts == AlertsConfig()
    assert config.rules == ()


def test_the_example_validates_with_alertmanager_alerts_and_rules(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EXAMPLE_CONFIG))
    am = config.alertmanager
    assert am.urls == (
        "https://alertmanager-1.penguinmails.example:9093",
        "https://alertmanager-2.penguinmails.example:9093",
    )
    assert (am.username, am.password_env, am.password_file) == (
        "penguin-tui",
        "PENGUIN_TUI_AM_PASSWORD",
        None,
    )
    assert (am.interval_s, am.timeout_s, am.push_local) == (10, 5, True)
    assert config.alerts.ack_duration_s == 900 and config.alerts.history_days == 30
    rules = {r.name: r for r in config.rules}
    assert set(rules) == {"HighBounceRate", "LowDeliveryRate", "ServiceDown", "NoData"}
    assert rules["HighBounceRate"].item == "metric:bounce_rate"  # the name became the key
    assert (rules["HighBounceRate"].above, rules["HighBounceRate"].for_s) == (5, 600)
    assert rules["LowDeliveryRate"].below == 95
    assert (rules["ServiceDown"].item, rules["ServiceDown"].status) == ("*", "CRIT")
    assert (rules["NoData"].kind, rules["NoData"].intervals) == ("stale", 5)


def test_every_key_maps(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    text = (
        ITEMS
        + """
[alertmanager]
urls = ["https://am1.example:9093/alertmanager/", "http://am2.example:9093"]
bearer_token_file = "secrets/am.token"
ca_file = "ca.pem"
verify_tls = false
interval = "30s"
timeout = "3s"
max_response_bytes = 1048576
push_local = true

[alerts]
ack_duration = "30m"
author = "alice"
bell = false
notify = false
group_by = "service"
resolved_keep = "2h"
history = "90d"

[[rule]]
name = "API is slow"
kind = "threshold"
item = "check:api"
severity = "P2"
above = 800
for = "1m30s"
labels = { team = "platform", service = "public-api" }
summary = "{name}: {value} > {threshold} for {for} ({{ms}})"
description = '''
{name} answers slowly.
Check {item}.'''
runbook_url = "https://wiki.example/api-slow"

[[rule]]
name = "NoData"
kind = "stale"
item = "bounce_rate"
intervals = 10
"""
    )
    config = load_config(write(tmp_path, text))
    assert config.alertmanager == AlertmanagerConfig(
        urls=("https://am1.example:9093/alertmanager", "http://am2.example:9093"),
        bearer_token_file=tmp_path / "secrets" / "am.token",  # need not exist yet
        ca_file=tmp_path / "ca.pem",
        verify_tls=False,
        interval_s=30,
        timeout_s=3,
        max_response_bytes=1048576,
        push_local=True,
    )
    assert config.alerts == AlertsConfig(
        ack_duration_s=1800,
        author="alice",
        bell=False,
        notify=False,
        group_by="service",
        resolved_keep_s=7200,
        history_days=90,
    )
    slow, stale = config.rules
    assert slow == RuleConfig(
        name="API is slow",
        kind="threshold",
        item="check:api",
        severity="P2",
        above=800,
        for_s=90,
        labels={"team": "platform", "service": "public-api"},
        summary="{name}: {value} > {threshold} for {for} ({{ms}})",
        description="{name} answers slowly.\nCheck {item}.",
        runbook_url="https://wiki.example/api-slow",
    )
    assert (stale.item, stale.intervals, stale.for_s) == ("metric:bounce_rate", 10, 0)


def test_the_timeout_defaults_to_the_interval_when_shorter() -> None:
    config = parse_config('[alertmanager]\nurls = ["http://am:9093"]\ninterval = "2s"\n')
    assert config.alertmanager.timeout_s == 2


def test_a_name_shared_by_a_check_and_a_metric_is_fine_as_a_key() -> None:
    text = ITEMS.replace('name = "bounce_rate"', 'name = "api"')
    rule = '[[rule]]\nname = "X"\nkind = "state"\nitem = "metric:api"\n'
    assert parse_config(text + rule).rules[0].item == "metric:api"


def test_status_is_read_in_any_case() -> None:
    rule = RULE + 'kind = "state"\nitem = "api"\nstatus = "warn"\n'
    assert parse_config(ITEMS + rule).rules[0].status == "WARN"


def test_two_severities_of_one_alertname_are_two_rules() -> None:
    rules = "".join(
        f'[[rule]]\nname = "HighBounce"\nkind = "threshold"\nitem = "bounce_rate"\nabove = {level}\nseverity = "{sev}"\n'
        for level, sev in ((2, "warning"), (5, "critical"))
    )
    assert len(parse_config(ITEMS + rules).rules) == 2


# ---------------------------------------------------------------------------- mistakes


MISTAKES = [
    # [alertmanager]
    (
        '[alertmanager]\ninterval = "10s"\n',
        ['1: alertmanager: missing "urls" (the Alertmanager URLs, e.g. ["http://am:9093"])'],
    ),
    (
        "[alertmanager]\nurls = []\n",
        ["2: alertmanager.urls: is empty; leave [alertmanager] out when there is no Alertmanager"],
    ),
    (
        '[alertmanager]\nurl = "http://am:9093"\n',
        [
            '1: alertmanager: missing "urls" (the Alertmanager URLs, e.g. ["http://am:9093"])',
            '2: alertmanager.url: write urls = ["http://..."], a list (several URLs are one HA cluster)',
        ],
    ),
    (
        '[alertmanager]\nurls = "http://am:9093"\n',
        [
            '2: alertmanager.urls: expected a list of texts like ["a", "b"], got the text "http://am:9093"'
        ],
    ),
    (
        '[alertmanager]\nurls = ["ftp://am:9093"]\n',
        ['2: alertmanager.urls[0]: scheme "ftp" is not supported (use http:// or https://)'],
    ),
    (
        '[alertmanager]\nurls = ["am:9093"]\n',
        ['2: alertmanager.urls[0]: "am:9093" has no scheme (use http:// or https://)'],
    ),
    (
        '[alertmanager]\nurls = ["http://admin:hunter2@am:9093"]\n',
        [
            "2: alertmanager.urls[0]: has credentials in it: set username with password_file or password_env (or bearer_token_file / bearer_token_env), never in the URL"
        ],
    ),
    (
        '[alertmanager]\nurls = ["http://token@am:9093"]\n',
        [
            "2: alertmanager.urls[0]: has credentials in it: set username with password_file or password_env (or bearer_token_file / bearer_token_env), never in the URL"
        ],
    ),
    (
        '[alertmanager]\nurls = ["http://am:9093/?x=1"]\n',
        [
            '2: alertmanager.urls[0]: "http://am:9093/?x=1": give the base URL only (no ?query or #fragment)'
        ],
    ),
    (
        '[alertmanager]\nurls = ["http://am:9093", "http://am:9093/"]\n',
        ['2: alertmanager.urls[1]: "http://am:9093/" is listed twice'],
    ),
    (
        '[alertmanager]\nurls = [\n  "http://am:9093",\n  "http://:9093",\n]\n',
        ['4: alertmanager.urls[1]: "http://:9093" has no host'],
    ),
    (
        AM + 'password = "hunter2"\n',
        [
            "3: alertmanager.password: a password never belongs in the config file; use password_file (a file holding it) or password_env (the name of an environment variable holding it)"
        ],
    ),
    (
        AM + 'token = "abc"\n',
        [
            "3: alertmanager.token: a token never belongs in the config file; use bearer_token_file (a file holding it) or bearer_token_env (the name of an environment variable holding it)"
        ],
    ),
    (
        AM + 'bearer_token = "abc"\n',
        [
            "3: alertmanager.bearer_token: a token never belongs in the config file; use bearer_token_file (a file holding it) or bearer_token_env (the name of an environment variable holding it)"
        ],
    ),
    (
        AM + 'password_env = "hunter2!"\n',
        [
            '3: alertmanager.password_env: "hunter2!" is not an environment variable name (letters, digits and _, e.g. PENGUIN_AM_PASSWORD); give the variable\'s name, not its value'
        ],
    ),
    (
        AM + 'password_env = "AM_PASSWORD"\n',
        ["1: alertmanager.username: is needed with a password (basic auth)"],
    ),
    (
        AM + 'username = "u"\npassword_env = "A"\npassword_file = "p"\n',
        ["4: alertmanager.password_env: give the password one way: password_file or password_env"],
    ),
    (
        AM + 'bearer_token_env = "T"\nbearer_token_file = "t"\n',
        [
            "3: alertmanager.bearer_token_env: give the token one way: bearer_token_file or bearer_token_env"
        ],
    ),
    (
        AM + 'username = "u"\nbearer_token_env = "T"\n',
        [
            "3: alertmanager.username: basic auth and a bearer token exclude each other; choose one of them"
        ],
    ),
    (
        AM + 'username = "a:b"\n',
        ["3: alertmanager.username: must not contain a colon (basic auth splits on it)"],
    ),
    (
        AM + 'password_file = ""\nusername = "u"\n',
        ["3: alertmanager.password_file: must not be empty (leave the key out when there is none)"],
    ),
    (
        AM + "password_env = 5\n",
        ["3: alertmanager.password_env: expected text in quotes, got the number 5"],
    ),
    (
        AM + 'interval = "500ms"\n',
        ["3: alertmanager.interval: must be between 1s and 1h, not 500ms"],
    ),
    (
        AM + "interval = 10\n",
        ['3: alertmanager.interval: expected a duration in quotes like "10s", got the number 10'],
    ),
    (AM + 'timeout = "10m"\n', ["3: alertmanager.timeout: must be between 100ms and 5m, not 10m"]),
    (
        AM + "max_response_bytes = 10\n",
        ["3: alertmanager.max_response_bytes: must be between 65536 and 1073741824, not 10"],
    ),
    (
        AM + 'push_local = "yes"\n',
        ['3: alertmanager.push_local: expected true or false, got the text "yes"'],
    ),
    (AM + 'urlz = ["x"]\n', ['3: alertmanager.urlz: unknown key (did you mean "urls"?)']),
    # [alerts]
    (
        '[alerts]\nack_duration = "30s"\n',
        ["2: alerts.ack_duration: must be between 1m and 1d, not 30s"],
    ),
    (
        '[alerts]\nack_duration = "2d"\n',
        ["2: alerts.ack_duration: must be between 1m and 1d, not 2d"],
    ),
    (
        '[alerts]\ngroup_by = "service name"\n',
        [
            '2: alerts.group_by: "service name" is not a label name (letters, digits and _, not starting with a digit, e.g. alertname or service)'
        ],
    ),
    (
        '[alerts]\ngroup_by = "1st"\n',
        [
            '2: alerts.group_by: "1st" is not a label name (letters, digits and _, not starting with a digit, e.g. alertname or service)'
        ],
    ),
    (
        '[alerts]\nauthor = "' + "a" * 81 + '"\n',
        ["2: alerts.author: is 81 characters long; the limit is 80"],
    ),
    ("[alerts]\nbell = 1\n", ["2: alerts.bell: expected true or false, got the number 1"]),
    ('[alerts]\nhistory = "12h"\n', ["2: alerts.history: must be between 1d and 3660d, not 12h"]),
    (
        '[alerts]\nresolved_keep = "8d"\n',
        ["2: alerts.resolved_keep: must be between 0s and 7d, not 8d"],
    ),
    (
        '[alerts]\nack_duraton = "15m"\n',
        ['2: alerts.ack_duraton: unknown key (did you mean "ack_duration"?)'],
    ),
    (
        "[alerts]\nsound = true\n",
        [
            "2: alerts.sound: unknown key (known keys: ack_duration, author, bell, notify, group_by, resolved_keep, history)"
        ],
    ),
    # [[rule]]: the table
    (
        '[rule]\nname = "x"\n',
        ["1: rule: write each rule as its own [[rule]] table (double brackets)"],
    ),
    (
        '[[rules]]\nname = "x"\n',
        ['1: rules: write each rule as a [[rule]] table (singular "rule")'],
    ),
    ('[[rule]]\nkind = "state"\nitem = "*"\n', ['1: rule[0]: missing "name"']),
    ('[[rule]]\nname = ""\nkind = "state"\nitem = "*"\n', ["2: rule[0].name: must not be empty"]),
    (
        '[[rule]]\nname = "' + "N" * 81 + '"\nkind = "state"\nitem = "*"\n',
        ["2: rule[0].name: is 81 characters long; the limit is 80"],
    ),
    (
        '[[rule]]\nname = "a\\u001b[31mb"\nkind = "state"\nitem = "*"\n',
        ["2: rule[0].name: contains control characters or escape sequences"],
    ),
    (RULE + 'item = "*"\n', ['1: rule "R": missing "kind"']),
    (
        RULE + 'kind = "thresold"\nitem = "*"\n',
        [
            '3: rule "R".kind: unknown kind "thresold" (use "threshold" for a value above/below a level, "state" for a status held for a while, "stale" for no data)'
        ],
    ),
    (RULE + 'kind = "state"\n', ['1: rule "R": missing "item"']),
    (
        RULE + 'kind = "state"\nitem = "*"\nsevrity = "page"\n',
        ['5: rule "R".sevrity: unknown key (did you mean "severity"?)'],
    ),
    # [[rule]]: items
    (
        ITEMS + RULE + 'kind = "state"\nitem = "smtp"\n',
        [
            '14: rule "R".item: "smtp" is not a configured check or metric (give its name, its key like "metric:bounce_rate", or "*" for every item in a state or stale rule)'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "threshold"\nitem = "*"\nabove = 1\n',
        [
            '14: rule "R".item: "*" (every item) is for state and stale rules; a threshold rule names one metric or check'
        ],
    ),
    (
        ITEMS.replace('name = "bounce_rate"', 'name = "api"')
        + RULE
        + 'kind = "state"\nitem = "api"\n',
        [
            '14: rule "R".item: "api" is both a check and a metric; write "check:api" or "metric:api"'
        ],
    ),
    # [[rule]]: kinds and their keys
    (
        ITEMS + RULE + 'kind = "threshold"\nitem = "bounce_rate"\n',
        ['11: rule "R": a threshold rule needs above = <number> or below = <number>'],
    ),
    (
        ITEMS + RULE + 'kind = "threshold"\nitem = "bounce_rate"\nabove = 5\nbelow = 1\n',
        [
            '16: rule "R".below: a threshold rule has one level: above or below, not both (write two rules for a band)'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "threshold"\nitem = "bounce_rate"\nabove = "5%"\n',
        ['15: rule "R".above: expected a number, got the text "5%"'],
    ),
    (
        ITEMS + RULE + 'kind = "threshold"\nitem = "bounce_rate"\nabove = 5\nstatus = "CRIT"\n',
        ['16: rule "R".status: only applies to state rules (this is a "threshold" rule)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nabove = 5\n',
        ['15: rule "R".above: only applies to threshold rules (this is a "state" rule)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nstatus = "DOWN"\n',
        ['15: rule "R".status: unknown status "DOWN" (use OK, WARN, CRIT, UNKNOWN)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nstatus = "maint"\n',
        ['15: rule "R".status: unknown status "maint" (use OK, WARN, CRIT, UNKNOWN)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nstatus = "stale"\n',
        ['15: rule "R".status: for "no data" write kind = "stale" (with intervals = N)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nintervals = 3\n',
        ['15: rule "R".intervals: only applies to stale rules (this is a "state" rule)'],
    ),
    (
        ITEMS + RULE + 'kind = "stale"\nitem = "api"\nfor = "5m"\n',
        [
            '15: rule "R".for: a stale rule fires after "intervals" poll intervals without data; "for" does not apply'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "stale"\nitem = "api"\nintervals = 0\n',
        ['15: rule "R".intervals: must be between 1 and 1000, not 0'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nfor = "8d"\n',
        ['15: rule "R".for: must be between 0s and 7d, not 8d'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nfor = "5"\n',
        ['15: rule "R".for: "5" has no unit (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nseverity = "very bad"\n',
        [
            '15: rule "R".severity: "very bad" is not one word (e.g. critical, warning, info, page, P2)'
        ],
    ),
    # [[rule]]: labels
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { alertname = "X" }\n',
        ['15: rule "R".labels.alertname: comes from the rule\'s name; set name = "..." instead'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { severity = "page" }\n',
        [
            '15: rule "R".labels.severity: comes from the rule\'s severity; set severity = "..." instead'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { item = "x" }\n',
        [
            "15: rule \"R\".labels.item: is the item's key, set by penguin-tui (it keeps each item's alert apart)"
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { source = "x" }\n',
        [
            '15: rule "R".labels.source: is set by penguin-tui (to "penguin-tui") to mark local alerts'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { "team-name" = "x" }\n',
        [
            '15: rule "R".labels.team-name: is not a label name (letters, digits and _, not starting with a digit)'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { __meta = "x" }\n',
        ['15: rule "R".labels.__meta: label names starting with __ are reserved for internal use'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { team = 5 }\n',
        ['15: rule "R".labels.team: expected text in quotes, got the number 5'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = { team = "a\\nb" }\n',
        ['15: rule "R".labels.team: contains control characters or escape sequences'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nlabels = "team=x"\n',
        ['15: rule "R".labels: expected a table like labels = { ... }, got the text "team=x"'],
    ),
    # [[rule]]: templates
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "{name} is {colour}"\n',
        [
            '15: rule "R".summary: unknown placeholder {colour} (known: {item}, {name}, {value}, {unit}, {threshold}, {status}, {for}, {age})'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "{value:.1f}"\n',
        ['15: rule "R".summary: {value} takes no format or conversion; values come formatted'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "{name!r}"\n',
        ['15: rule "R".summary: {name} takes no format or conversion; values come formatted'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "{0}"\n',
        [
            '15: rule "R".summary: unknown placeholder {0} (known: {item}, {name}, {value}, {unit}, {threshold}, {status}, {for}, {age})'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "{name"\n',
        [
            "15: rule \"R\".summary: expected '}' before end of string (write {{ and }} for literal braces)"
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "a } b"\n',
        [
            "15: rule \"R\".summary: Single '}' encountered in format string (write {{ and }} for literal braces)"
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\ndescription = "{name} {nope}"\n',
        [
            '15: rule "R".description: unknown placeholder {nope} (known: {item}, {name}, {value}, {unit}, {threshold}, {status}, {for}, {age})'
        ],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nsummary = "line\\nbreak"\n',
        ['15: rule "R".summary: contains control characters or escape sequences'],
    ),
    (
        ITEMS + RULE + 'kind = "state"\nitem = "api"\nrunbook_url = "wiki/api"\n',
        ['15: rule "R".runbook_url: "wiki/api" has no scheme (use http:// or https://)'],
    ),
    # [[rule]]: duplicates
    (
        ITEMS + (RULE + 'kind = "state"\nitem = "api"\n') * 2,
        [
            '16: rule "R".name: rule[0] has the same name, item, severity and labels: both would raise the same alert (change the severity or add a label)'
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES)
def test_each_mistake_is_reported_with_line_key_and_words(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert problems(tmp_path, text) == expected


def test_ca_file_must_exist_and_be_a_file(tmp_path: Path) -> None:
    assert problems(tmp_path, AM + 'ca_file = "missing.pem"\n') == [
        f'3: alertmanager.ca_file: "{tmp_path / "missing.pem"}": no such file'
    ]
    (tmp_path / "certs").mkdir()
    assert problems(tmp_path, AM + 'ca_file = "certs"\n') == [
        f'3: alertmanager.ca_file: "{tmp_path / "certs"}": is a directory, not a file'
    ]


def test_all_problems_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        ITEMS
        + '[alertmanager]\nurls = ["http://u:p@am:9093"]\npassword = "x"\n'
        + '[alerts]\nack_duration = "5s"\n'
        + RULE
        + 'kind = "threshold"\nitem = "nope"\nabove = 1\nsummary = "{bad}"\n'
    )
    assert [line.split(":", 2)[1] for line in problems(tmp_path, text)] == [
        " alertmanager.urls[0]",
        " alertmanager.password",
        " alerts.ack_duration",
        ' rule "R".item',
        ' rule "R".summary',
    ]


def test_a_check_with_other_mistakes_is_still_a_known_item(tmp_path: Path) -> None:
    text = '[[check]]\nname = "api"\nurl = "ftp://x"\n' + RULE + 'kind = "state"\nitem = "api"\n'
    assert problems(tmp_path, text) == [
        '3: check "api".url: scheme "ftp" is not supported (use http://, https:// or tcp://)'
    ]


def test_hostile_text_is_never_echoed_raw(tmp_path: Path) -> None:
    text = AM + 'password_env = "\\u001b]52;c;AAAA\\u0007"\n' + '[alerts]\ngroup_by = "\\u009b2J"\n'
    for line in problems(tmp_path, text):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line), line


def test_docs_describe_every_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    keys = {*config_alerts._AM_KEYS, *config_alerts._ALERTS_KEYS, *config_alerts._RULE_KEYS}
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"docs/CONFIG.md does not document {missing}"
    for name in config_alerts.TEMPLATE_FIELDS:
        assert f"`{{{name}}}`" in text, name
    for section in ("## `[alertmanager]`", "## `[alerts]`", "## `[[rule]]`"):
        assert section in text
