"""Reading ``[alertmanager]``, ``[alerts]`` and ``[[rule]]``: where alerts come from and how
penguin-tui's own rules raise them.

Like the rest of the config, every problem is recorded with its line and key and reading goes
on, so one run of ``penguin-tui config validate`` lists everything that is wrong.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from penguin_tui.config_model import AlertmanagerConfig, AlertsConfig, RuleConfig
from penguin_tui.config_reader import Table, has_control, show, type_name, url_problem
from penguin_tui.model import Status
from penguin_tui.text import sanitize

__all__ = [
    "RULE_KINDS",
    "TEMPLATE_FIELDS",
    "read_alertmanager",
    "read_alerts",
    "read_rules",
    "template_problem",
]

_DAY = 86400.0
_MAX_NAME = 80
_MAX_LABEL_VALUE = 1000
_MAX_TEXT = 4000
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SEVERITY_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")

_AM_KEYS = (
    "urls",
    "username",
    "password_file",
    "password_env",
    "bearer_token_file",
    "bearer_token_env",
    "ca_file",
    "verify_tls",
    "interval",
    "timeout",
    "max_response_bytes",
    "push_local",
)
_AM_REFUSED = {
    "password": "a password never belongs in the config file; use password_file (a file "
    "holding it) or password_env (the name of an environment variable holding it)",
    "token": "a token never belongs in the config file; use bearer_token_file (a file "
    "holding it) or bearer_token_env (the name of an environment variable holding it)",
    "bearer_token": "a token never belongs in the config file; use bearer_token_file (a file "
    "holding it) or bearer_token_env (the name of an environment variable holding it)",
    "url": 'write urls = ["http://..."], a list (several URLs are one HA cluster)',
}
_ALERTS_KEYS = (
    "ack_duration",
    "author",
    "bell",
    "notify",
    "group_by",
    "resolved_keep",
    "history",
)
_RULE_KEYS = (
    "name",
    "kind",
    "item",
    "severity",
    "above",
    "below",
    "status",
    "for",
    "intervals",
    "labels",
    "summary",
    "description",
    "runbook_url",
)

RULE_KINDS = ("threshold", "state", "stale")
# The statuses the recorder records; STALE and MAINT are how readers show rows, never stored.
_RECORDED = tuple(s.value for s in (Status.OK, Status.WARN, Status.CRIT, Status.UNKNOWN))
# What a summary or description may say about the item; rules.py fills each one in.
TEMPLATE_FIELDS = ("item", "name", "value", "unit", "threshold", "status", "for", "age")
# Labels a rule may not set: they come from the rule's name, severity and item, and the
# item label is what keeps the alerts of a "*" rule apart (their fingerprints).
_RESERVED_LABELS = {
    "alertname": 'comes from the rule\'s name; set name = "..." instead',
    "severity": 'comes from the rule\'s severity; set severity = "..." instead',
    "item": "is the item's key, set by penguin-tui (it keeps each item's alert apart)",
    "source": 'is set by penguin-tui (to "penguin-tui") to mark local alerts',
}


# ---------------------------------------------------------------------------- [alertmanager]


def read_alertmanager(table: Table | None, base: Path) -> AlertmanagerConfig:
    """``[alertmanager]``; ``base`` is the directory relative file paths start from."""
    default = AlertmanagerConfig()
    if table is None:
        return default
    table.check_keys(_AM_KEYS, refused=_AM_REFUSED)
    urls = _am_urls(table)
    username = table.text("username")
    if username and ":" in username:
        table.problem("username", "must not contain a colon (basic auth splits on it)")
        username = ""
    password_file = _file(table, "password_file", base, must_exist=False)
    password_env = _env_name(table, "password_env")
    token_file = _file(table, "bearer_token_file", base, must_exist=False)
    token_env = _env_name(table, "bearer_token_env")
    _auth_problems(table, username, password_file, password_env, token_file, token_env)
    interval = table.duration("interval", default.interval_s, 1, 3600)
    timeout = table.duration("timeout", min(default.timeout_s, interval), 0.1, 300)
    return AlertmanagerConfig(
        urls=urls,
        username=username,
        password_file=password_file,
        password_env=password_env,
        bearer_token_file=token_file,
        bearer_token_env=token_env,
        ca_file=_file(table, "ca_file", base, must_exist=True),
        verify_tls=table.flag("verify_tls", default.verify_tls),
        interval_s=interval,
        timeout_s=timeout,
        max_response_bytes=table.whole(
            "max_response_bytes", default.max_response_bytes, 65536, 1024 * 1024 * 1024
        ),
        push_local=table.flag("push_local", default.push_local),
    )


def _am_urls(table: Table) -> tuple[str, ...]:
    if "urls" not in table:
        table.problem(None, 'missing "urls" (the Alertmanager URLs, e.g. ["http://am:9093"])')
        return ()
    urls = table.texts("urls", ())
    if urls is None:
        return ()
    if not urls:
        table.problem("urls", "is empty; leave [alertmanager] out when there is no Alertmanager")
    good: list[str] = []
    for i, url in enumerate(urls):
        problem = _am_url_problem(url)
        if problem is None and url.rstrip("/") in good:
            problem = f"{show(url)} is listed twice"
        if problem:
            table.problem("urls", problem, index=i)
        else:
            good.append(url.rstrip("/"))
    return tuple(good)


def _am_url_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    # Checked before url_problem: its advice (a header) does not fit an Alertmanager.
    if parts is not None and "://" in url and parts.netloc.rpartition("@")[1]:
        return (
            "has credentials in it: set username with password_file or password_env "
            "(or bearer_token_file / bearer_token_env), never in the URL"
        )
    problem = url_problem(url, ("http", "https"))
    if problem:
        return problem
    assert parts is not None
    if parts.query or parts.fragment:
        return f"{show(url)}: give the base URL only (no ?query or #fragment)"
    return None


def _file(table: Table, name: str, base: Path, *, must_exist: bool) -> Path | None:
    text = table.text(name)
    if not text:
        if isinstance(table.data.get(name), str):
            table.problem(name, "must not be empty (leave the key out when there is none)")
        return None
    path = Path(text).expanduser()
    # Relative to the config file, like every path of the config.
    path = path if path.is_absolute() else base / path
    if must_exist and not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        table.problem(name, f"{show(str(path), 200)}: {what}")
        return None
    return path


def _env_name(table: Table, name: str) -> str:
    value = table.text(name)
    if value and not _ENV_NAME.fullmatch(value):
        table.problem(
            name,
            f"{show(value)} is not an environment variable name (letters, digits and _, "
            "e.g. PENGUIN_AM_PASSWORD); give the variable's name, not its value",
        )
        return ""
    if not value and isinstance(table.data.get(name), str):
        table.problem(name, "must not be empty (leave the key out when there is none)")
    return value


def _auth_problems(
    table: Table,
    username: str,
    password_file: Path | None,
    password_env: str,
    token_file: Path | None,
    token_env: str,
) -> None:
    if password_file is not None and password_env:
        table.problem("password_env", "give the password one way: password_file or password_env")
    if token_file is not None and token_env:
        table.problem(
            "bearer_token_env", "give the token one way: bearer_token_file or bearer_token_env"
        )
    password = password_file is not None or bool(password_env)
    token = token_file is not None or bool(token_env)
    if password and not username:
        table.problem("username", "is needed with a password (basic auth)")
    if username and token:
        table.problem(
            "username", "basic auth and a bearer token exclude each other; choose one of them"
        )


# ---------------------------------------------------------------------------- [alerts]


def read_alerts(table: Table | None) -> AlertsConfig:
    """``[alerts]``: how the alerts screen and acks behave."""
    default = AlertsConfig()
    if table is None:
        return default
    table.check_keys(_ALERTS_KEYS)
    author = table.text("author", default.author)
    if len(author) > _MAX_NAME:
        table.problem("author", f"is {len(author)} characters long; the limit is {_MAX_NAME}")
        author = default.author
    group_by = table.text("group_by", default.group_by)
    if not _LABEL_NAME.fullmatch(group_by):
        table.problem(
            "group_by",
            f"{show(group_by)} is not a label name (letters, digits and _, not starting "
            "with a digit, e.g. alertname or service)",
        )
        group_by = default.group_by
    history = table.duration("history", default.history_days * _DAY, _DAY, 3660 * _DAY)
    return AlertsConfig(
        ack_duration_s=table.duration("ack_duration", default.ack_duration_s, 60, _DAY),
        author=author,
        bell=table.flag("bell", default.bell),
        notify=table.flag("notify", default.notify),
        group_by=group_by,
        resolved_keep_s=table.duration("resolved_keep", default.resolved_keep_s, 0, 7 * _DAY),
        history_days=history / _DAY,
    )


# ---------------------------------------------------------------------------- [[rule]]


def read_rules(root: Table) -> tuple[RuleConfig, ...]:
    """Every ``[[rule]]``, validated against the checks and metrics of the same file.

    A rule's ``item`` is returned as the item's key (``metric:bounce_rate``) or ``"*"``.
    """
    items = _item_keys(root)
    rules: list[RuleConfig] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, table in enumerate(_rule_tables(root)):
        rule = _read_rule(table, items)
        if rule is None:
            continue
        # Two rules giving the same labels would give one alert (one fingerprint) twice.
        identity = (rule.name, rule.item, rule.severity, tuple(sorted(rule.labels.items())))
        if identity in seen:
            table.problem(
                "name",
                f"rule[{seen[identity]}] has the same name, item, severity and labels: both "
                "would raise the same alert (change the severity or add a label)",
            )
            continue
        seen[identity] = i
        rules.append(rule)
    return tuple(rules)


def _rule_tables(root: Table) -> list[Table]:
    if "rule" not in root:
        return []
    value = root.data["rule"]
    if isinstance(value, dict):
        root.problem("rule", "write each rule as its own [[rule]] table (double brackets)")
        return []
    if not isinstance(value, list):
        root.problem("rule", f"expected [[rule]] tables, got {type_name(value)}")
        return []
    tables = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            tables.append(Table(root.report, item, ("rule", i), f"rule[{i}]"))
        else:
            root.problem("rule", f"expected a [[rule]] table, got {type_name(item)}", index=i)
    return tables


def _item_keys(root: Table) -> dict[str, list[str]]:
    """Every name and key a rule may give as ``item``, mapped to the item keys it means.

    Read from the raw tables so a check that has some other mistake does not also make every
    rule about it an error.
    """
    out: dict[str, list[str]] = {}
    for kind in ("check", "metric"):
        tables = root.data.get(kind)
        if not isinstance(tables, list):
            continue
        for table in tables:
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str) and name:
                key = f"{kind}:{name}"
                out.setdefault(key, []).append(key)
                out.setdefault(name, []).append(key)
    return out


def _read_rule(table: Table, items: dict[str, list[str]]) -> RuleConfig | None:
    name = table.text("name", required=True)
    if name:
        if len(name) > _MAX_NAME:
            table.problem("name", f"is {len(name)} characters long; the limit is {_MAX_NAME}")
            name = ""
        else:
            table.label = f"rule {show(name)}"
    table.check_keys(_RULE_KEYS)
    kind = table.text("kind", required=True)
    if kind and kind not in RULE_KINDS:
        table.problem(
            "kind",
            f'unknown kind {show(kind)} (use "threshold" for a value above/below a level, '
            '"state" for a status held for a while, "stale" for no data)',
        )
        kind = ""
    item = _rule_item(table, kind, items)
    severity = table.text("severity", "warning")
    if not _SEVERITY_WORD.fullmatch(severity):
        table.problem(
            "severity",
            f"{show(severity)} is not one word (e.g. critical, warning, info, page, P2)",
        )
    above, below = _levels(table, kind)
    status = _status(table, kind)
    for_s = _for(table, kind)
    intervals = _intervals(table, kind)
    labels = _labels(table)
    summary = _template(table, "summary")
    description = _template(table, "description")
    runbook_url = table.text("runbook_url")
    if runbook_url:
        problem = url_problem(runbook_url, ("http", "https"))
        if problem:
            table.problem("runbook_url", problem)
    if not (name and kind and item) or labels is None:
        return None
    return RuleConfig(
        name=name,
        kind=kind,
        item=item,
        severity=severity,
        above=above,
        below=below,
        status=status,
        for_s=for_s,
        intervals=intervals,
        labels=labels,
        summary=summary,
        description=description,
        runbook_url=runbook_url,
    )


def _rule_item(table: Table, kind: str, items: dict[str, list[str]]) -> str:
    item = table.text("item", required=True)
    if not item:
        return ""
    if item == "*":
        if kind == "threshold":
            table.problem(
                "item",
                '"*" (every item) is for state and stale rules; a threshold rule names one '
                "metric or check",
            )
            return ""
        return item
    keys = items.get(item)
    if not keys:
        table.problem(
            "item",
            f"{show(item)} is not a configured check or metric (give its name, its key like "
            '"metric:bounce_rate", or "*" for every item in a state or stale rule)',
        )
        return ""
    if len(keys) > 1:
        table.problem(
            "item",
            f"{show(item)} is both a check and a metric; write {show(keys[0])} or {show(keys[1])}",
        )
        return ""
    return keys[0]


def _levels(table: Table, kind: str) -> tuple[float | None, float | None]:
    above = table.number("above", None)
    below = table.number("below", None)
    if kind == "threshold":
        if above is None and below is None and "above" not in table and "below" not in table:
            table.problem(None, "a threshold rule needs above = <number> or below = <number>")
        elif "above" in table and "below" in table:
            table.problem(
                "below",
                "a threshold rule has one level: above or below, not both (write two rules "
                "for a band)",
            )
    elif kind:
        for key in ("above", "below"):
            if key in table:
                table.problem(key, f'only applies to threshold rules (this is a "{kind}" rule)')
    return above, below


def _status(table: Table, kind: str) -> str:
    default = RuleConfig(name="", kind="", item="").status
    if "status" not in table:
        return default
    if kind and kind != "state":
        table.problem("status", f'only applies to state rules (this is a "{kind}" rule)')
        return default
    text = table.text("status", default)
    word = text.strip().upper()
    if word == Status.STALE:
        table.problem("status", 'for "no data" write kind = "stale" (with intervals = N)')
        return default
    if word not in _RECORDED:
        known = ", ".join(_RECORDED)
        table.problem("status", f"unknown status {show(text)} (use {known})")
        return default
    return word


def _for(table: Table, kind: str) -> float:
    if "for" in table and kind == "stale":
        table.problem(
            "for",
            'a stale rule fires after "intervals" poll intervals without data; "for" does '
            "not apply",
        )
        return 0.0
    return table.duration("for", 0.0, 0, 7 * _DAY)


def _intervals(table: Table, kind: str) -> int:
    if "intervals" in table and kind and kind != "stale":
        table.problem("intervals", f'only applies to stale rules (this is a "{kind}" rule)')
        return 3
    return table.whole("intervals", 3, 1, 1000)


def _labels(table: Table) -> dict[str, str] | None:
    labels = table.table("labels")
    if labels is None:
        return None if "labels" in table else {}
    out: dict[str, str] = {}
    good = True
    for name, value in labels.data.items():
        why = _label_name_problem(name)
        if why:
            labels.problem(sanitize(name, max_len=40, single_line=True), why)
            good = False
        elif not isinstance(value, str):
            labels.problem(name, f"expected text in quotes, got {type_name(value)}")
            good = False
        elif has_control(value):
            labels.problem(name, "contains control characters or escape sequences")
            good = False
        elif len(value) > _MAX_LABEL_VALUE:
            labels.problem(
                name, f"is {len(value)} characters long; the limit is {_MAX_LABEL_VALUE}"
            )
            good = False
        else:
            out[name] = value
    return out if good else None


def _label_name_problem(name: str) -> str | None:
    if name in _RESERVED_LABELS:
        return _RESERVED_LABELS[name]
    if not _LABEL_NAME.fullmatch(name):
        return "is not a label name (letters, digits and _, not starting with a digit)"
    if name.startswith("__"):
        return "label names starting with __ are reserved for internal use"
    return None


def _template(table: Table, name: str) -> str:
    text = table.text(name, multiline=name == "description")
    if len(text) > _MAX_TEXT:
        table.problem(name, f"is {len(text)} characters long; the limit is {_MAX_TEXT}")
        return ""
    problem = template_problem(text)
    if problem:
        table.problem(name, problem)
        return ""
    return text


def template_problem(text: str, allowed: Iterable[str] = TEMPLATE_FIELDS) -> str | None:
    """What is wrong with a summary/description template (None when every field is known).

    Fields are ``{name}``; ``{{`` and ``}}`` are literal braces. Formats and conversions
    (``{value:.1f}``, ``{name!r}``) are refused: values arrive already formatted for people.
    """
    allowed = tuple(allowed)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed:
            return (
                f"unknown placeholder {{{show(field, 40)[1:-1]}}} (known: "
                + ", ".join(f"{{{f}}}" for f in allowed)
                + ")"
            )
        if spec or conversion:
            return f"{{{field}}} takes no format or conversion; values come formatted"
    return None
