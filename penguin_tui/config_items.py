"""Reading ``[[check]]`` and ``[[metric]]`` tables: the items of the morning checklist."""

from __future__ import annotations

import difflib
import re
from typing import Any

from penguin_tui.config_model import SECTIONS, CheckConfig, MetricConfig
from penguin_tui.config_reader import Table, has_control, show, type_name, url_problem
from penguin_tui.durations import format_duration

_CHECK_KEYS = (
    "name",
    "section",
    "url",
    "method",
    "headers",
    "body",
    "conditions",
    "interval",
    "timeout",
    "max_body_bytes",
    "failure_threshold",
    "success_threshold",
    "verify_tls",
)
_HTTP_ONLY = ("method", "headers", "body", "max_body_bytes", "verify_tls")
_METRIC_KEYS = (
    "name",
    "title",
    "section",
    "unit",
    "query",
    "prometheus_url",
    "scrape",
    "series",
    "json",
    "field",
    "rate",
    "scale",
    "warn",
    "crit",
    "direction",
    "interval",
    "timeout",
)
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
_FIELD = re.compile(r"[^.\s]+(?:\.[^.\s]+)*")
_MAX_NAME = 80
_MAX_BODY = 100 * 1024 * 1024
_DAY = 86400.0


def read_checks(root: Table) -> tuple[CheckConfig, ...]:
    """Every ``[[check]]``, validated; problems go to ``root.report``."""
    tables = _array(root, "check")
    names: dict[str, int] = {}
    checks = []
    for i, table in enumerate(tables):
        check = _read_check(table, i, names)
        if check is not None:
            checks.append(check)
    return tuple(checks)


def read_metrics(root: Table, prometheus_url: str) -> tuple[MetricConfig, ...]:
    """Every ``[[metric]]``, validated; ``prometheus_url`` is the [prometheus] default."""
    tables = _array(root, "metric")
    names: dict[str, int] = {}
    metrics = []
    for i, table in enumerate(tables):
        metric = _read_metric(table, i, names, prometheus_url)
        if metric is not None:
            metrics.append(metric)
    return tuple(metrics)


def _array(root: Table, kind: str) -> list[Table]:
    if kind not in root:
        return []
    value = root.data[kind]
    if isinstance(value, dict):
        root.problem(kind, f"write each {kind} as its own [[{kind}]] table (double brackets)")
        return []
    if not isinstance(value, list):
        root.problem(kind, f"expected [[{kind}]] tables, got {type_name(value)}")
        return []
    tables = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            tables.append(Table(root.report, item, (kind, i), f"{kind}[{i}]"))
        else:
            root.problem(kind, f"expected a [[{kind}]] table, got {type_name(item)}", index=i)
    return tables


def _name(table: Table, kind: str, index: int, names: dict[str, int]) -> str:
    """Read the item's name; once it is known, problems are labelled by it."""
    name = table.text("name", required=True)
    if not name:
        return ""
    if len(name) > _MAX_NAME:
        table.problem("name", f"is {len(name)} characters long; the limit is {_MAX_NAME}")
        return ""
    if name in names:
        table.problem("name", f"duplicate name {show(name)}, already used by {kind}[{names[name]}]")
        return ""
    names[name] = index
    table.label = f"{kind} {show(name)}"
    return name


def _section(table: Table, default: str) -> str:
    section = table.text("section", default)
    if section not in SECTIONS:
        guess = difflib.get_close_matches(section, SECTIONS, n=1, cutoff=0.5)
        hint = f'did you mean "{guess[0]}"? ' if guess else ""
        table.problem(
            "section", f"unknown section {show(section)} ({hint}sections: {', '.join(SECTIONS)})"
        )
        return default
    return section


def _timing(table: Table, default_interval: float) -> tuple[float, float]:
    """Interval and timeout; the timeout defaults to 10 s or half the interval if shorter."""
    interval = table.duration("interval", default_interval, 1, _DAY)
    timeout = table.duration("timeout", min(10.0, interval / 2), 0.001, 3600)
    if "timeout" in table and timeout >= interval:
        table.problem(
            "timeout",
            f"must be shorter than the interval ({format_duration(timeout)} >= "
            f"{format_duration(interval)}), or polls would overlap",
        )
    return interval, timeout


def _read_check(table: Table, index: int, names: dict[str, int]) -> CheckConfig | None:
    name = _name(table, "check", index, names)
    table.check_keys(_CHECK_KEYS)
    url = table.text("url", required=True)
    problem = url_problem(url, ("http", "https", "tcp")) if url else None
    if problem:
        table.problem("url", problem)
    tcp = url.lower().startswith("tcp://")
    if tcp:
        for key in _HTTP_ONLY:
            if key in table:
                table.problem(key, "only applies to http:// and https:// checks")
    https = url.lower().startswith("https://")
    default = CheckConfig(name="", url="")
    section = _section(table, default.section)
    method = table.text("method", default.method).upper()
    if method not in _METHODS:
        table.problem("method", f"unknown method {show(method)} (use {', '.join(_METHODS)})")
    headers = _headers(table)
    body = table.text("body", "", multiline=True)
    default_conditions = ("[CONNECTED] == true",) if tcp else default.conditions
    conditions = _conditions(table, default_conditions, tcp=tcp, https=https)
    interval, timeout = _timing(table, default.interval_s)
    max_body = table.whole("max_body_bytes", default.max_body_bytes, 1024, _MAX_BODY)
    failures = table.whole("failure_threshold", default.failure_threshold, 1, 100)
    successes = table.whole("success_threshold", default.success_threshold, 1, 100)
    verify_tls = table.flag("verify_tls", default.verify_tls)
    if not name or not url or problem:
        return None
    return CheckConfig(
        name=name,
        url=url,
        section=section,
        method=method,
        headers=headers,
        body=body,
        conditions=conditions,
        interval_s=interval,
        timeout_s=timeout,
        max_body_bytes=max_body,
        failure_threshold=failures,
        success_threshold=successes,
        verify_tls=verify_tls,
    )


def _headers(table: Table) -> dict[str, str]:
    headers = table.table("headers")
    if headers is None:
        return {}
    out: dict[str, str] = {}
    for key, value in headers.data.items():
        if not _HEADER_NAME.fullmatch(key):
            headers.problem(None, f"{show(key)} is not a valid header name")
        elif not isinstance(value, str):
            headers.problem(key, f"expected text in quotes, got {type_name(value)}")
        elif has_control(value):
            # A CR/LF here would smuggle extra headers (or a whole request) onto the wire.
            headers.problem(key, "contains control characters or line breaks")
        else:
            out[key] = value
    return out


def _conditions(
    table: Table, default: tuple[str, ...], *, tcp: bool, https: bool
) -> tuple[str, ...]:
    from penguin_tui.conditions import TCP_PLACEHOLDERS, ConditionSyntaxError, parse_condition

    expressions = table.texts("conditions", default)
    if expressions is None:
        return default
    if not expressions:
        table.problem("conditions", f"is empty; leave it out for the default ({default[0]})")
        return default
    for i, expression in enumerate(expressions):
        try:
            condition = parse_condition(expression)
        except ConditionSyntaxError as exc:
            table.problem("conditions", f"{show(expression)}: {exc}", index=i)
            continue
        name = condition.placeholder
        if tcp and name not in TCP_PLACEHOLDERS:
            table.problem(
                "conditions",
                f"[{name}] is not known for tcp:// checks (use [CONNECTED], [RESPONSE_TIME] "
                "or [IP])",
                index=i,
            )
        elif name == "CERTIFICATE_EXPIRATION" and not https and not tcp:
            table.problem("conditions", "[CERTIFICATE_EXPIRATION] needs an https:// URL", index=i)
    return expressions


def _read_metric(
    table: Table, index: int, names: dict[str, int], default_prometheus: str
) -> MetricConfig | None:
    name = _name(table, "metric", index, names)
    table.check_keys(_METRIC_KEYS)
    default = MetricConfig(name="")
    title = table.text("title", "")
    section = _section(table, default.section)
    unit = table.text("unit", "")
    source = _source(table, default_prometheus)
    scale = table.number("scale", 1.0)
    if scale == 0:
        table.problem("scale", "must not be 0 (every value would read 0)")
    warn = table.number("warn", None)
    crit = table.number("crit", None)
    direction = table.text("direction", default.direction)
    if direction not in ("above", "below"):
        table.problem(
            "direction",
            f'must be "above" (higher is worse) or "below" (lower is worse), not {show(direction)}',
        )
        direction = default.direction
    _threshold_order(table, warn, crit, direction)
    interval, timeout = _timing(table, default.interval_s)
    rate = table.flag("rate", False)
    if not name or source is None:
        return None
    return MetricConfig(
        name=name,
        section=section,
        unit=unit,
        rate=rate,
        scale=scale if scale else 1.0,
        warn=warn,
        crit=crit,
        direction=direction,
        interval_s=interval,
        timeout_s=timeout,
        title=title,
        **source,
    )


def _source(table: Table, default_prometheus: str) -> dict[str, Any] | None:
    """The one source of a metric as MetricConfig fields, or None after reporting problems."""
    given = [key for key in ("query", "scrape", "json") if key in table]
    ok = True
    for key, partner in (("series", "scrape"), ("field", "json"), ("prometheus_url", "query")):
        if key in table and partner not in table:
            table.problem(key, f"goes with {partner} = ..., which this metric does not have")
            ok = False
    if not given:
        table.problem(
            None,
            'needs one source: query = "<PromQL>" (Prometheus), scrape = "<URL of /metrics>" '
            'with series = "<name{label=...}>", or json = "<URL>" with field = "<path>"',
        )
        return None
    if len(given) > 1:
        table.problem(given[1], f"a metric has one source; this one has {', '.join(given)}")
        return None
    kind = given[0]
    if kind == "query":
        query = table.text("query", required=True, multiline=True)
        own = _http_url(table, "prometheus_url")
        if query and not own and not default_prometheus and "prometheus_url" not in table:
            table.problem(
                "query", "needs a Prometheus: set url in [prometheus], or prometheus_url here"
            )
            ok = False
        return {"source": "prometheus", "query": query, "prometheus_url": own} if ok else None
    url = _http_url(table, kind)
    partner = "series" if kind == "scrape" else "field"
    if partner not in table:
        example = 'name{label="value"}' if kind == "scrape" else "path.to.number"
        table.problem(None, f'{kind} needs {partner} = "{example}"')
        return None
    selector = table.text(partner, required=True)
    if selector and kind == "scrape":
        from penguin_tui.sources.scrape import parse_series

        try:
            parse_series(selector)
        except ValueError as exc:
            table.problem("series", str(exc))
            ok = False
    elif selector and not _FIELD.fullmatch(selector):
        table.problem("field", f"{show(selector)} is not a dotted path like email.delivery_rate")
        ok = False
    if not (ok and url and selector):
        return None
    return {"source": kind, kind: url, partner: selector}


def _http_url(table: Table, key: str) -> str:
    url = table.text(key, required=key != "prometheus_url")
    if url:
        problem = url_problem(url, ("http", "https"))
        if problem:
            table.problem(key, problem)
            return ""
    return url


def _threshold_order(table: Table, warn: float | None, crit: float | None, direction: str) -> None:
    if warn is None or crit is None:
        return
    if direction == "above" and warn > crit:
        table.problem(
            "warn",
            f'warn ({warn:g}) is above crit ({crit:g}), but with direction "above" (higher is '
            'worse) warn must not exceed crit; for "lower is worse" set direction = "below"',
        )
    elif direction == "below" and warn < crit:
        table.problem(
            "warn",
            f'warn ({warn:g}) is below crit ({crit:g}), but with direction "below" (lower is '
            "worse) warn must not be under crit",
        )
