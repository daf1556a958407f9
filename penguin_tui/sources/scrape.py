"""Numbers scraped straight from a Prometheus text-format ``/metrics`` endpoint.

A ``series`` is ``name`` or ``name{label="value",...}``. The labels may be a subset of the
series' labels: every series of that name carrying all of them matches, and when several
match their values are **summed** (``http_requests_total{code="500"}`` over all handlers is
the error count). That is what a per-label selection almost always means for counters and
gauges of a platform; a selector that should name one series can simply name all its labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.sources.common import SourceError, clean, fetch_capped

if TYPE_CHECKING:
    import httpx

# Big exporters (node_exporter on a busy host) publish a few MB; more is a misconfiguration.
MAX_SCRAPE_BYTES = 8 * 1024 * 1024

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


@dataclass(frozen=True, slots=True)
class SeriesSelector:
    """A parsed ``name{label="v"}``."""

    name: str
    labels: tuple[tuple[str, str], ...] = ()

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        return name == self.name and all(labels.get(k) == v for k, v in self.labels)


def parse_series(text: str) -> SeriesSelector:
    """Parse a series selector; ValueError says what is wrong with it."""
    text = text.strip()
    m = _NAME.match(text)
    if not m:
        raise ValueError(f"{text!r} does not start with a metric name")
    name, pos = m.group(), m.end()
    labels: list[tuple[str, str]] = []
    if pos == len(text):
        return SeriesSelector(name)
    if text[pos] != "{":
        raise ValueError(f"unexpected {text[pos]!r} after the metric name in {text!r}")
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos == len(text):
            raise ValueError(f"missing '}}' in {text!r}")
        if text[pos] == "}":
            break
        lm = _LABEL.match(text, pos)
        if not lm:
            raise ValueError(f'labels in {text!r} must read label="value", ...')
        value = re.sub(r"\\[\\\"n]", lambda e: _UNESCAPE[e.group()], lm.group(2))
        labels.append((lm.group(1), value))
        pos = lm.end()
    if text[pos + 1 :].strip():
        raise ValueError(f"unexpected text after '}}' in {text!r}")
    return SeriesSelector(name, tuple(labels))


def pick_value(page: str, selector: SeriesSelector) -> float:
    """Sum of the samples on a text-format page that match ``selector``.

    Only lines starting with the metric name are handed to the parser: a page of 50,000
    series then costs a string scan, not 50,000 parsed samples, on the event loop.
    """
    from prometheus_client.parser import text_string_to_metric_families

    prefix = selector.name
    lines = [
        line
        for line in page.splitlines()
        if line.startswith(prefix) and line[len(prefix) : len(prefix) + 1] in ("{", " ", "\t")
    ]
    if not lines:
        raise SourceError(f"series {clean(selector.name, 80)} not found in the scraped page")
    try:
        families = list(text_string_to_metric_families("\n".join(lines) + "\n"))
    except Exception as exc:  # the parser raises ValueError and friends on bad lines
        raise SourceError(f"not valid Prometheus text format: {clean(exc, 120)}") from None
    total = 0.0
    found = 0
    for family in families:
        for sample in family.samples:
            if selector.matches(sample.name, sample.labels):
                total += sample.value
                found += 1
    if not found:
        wanted = ", ".join(f'{k}="{v}"' for k, v in selector.labels)
        raise SourceError(f"no {clean(selector.name, 80)} series has labels {clean(wanted, 120)}")
    if total != total:  # NaN
        raise SourceError(f"series {clean(selector.name, 80)} is NaN")
    return total


async def scrape_value(client: httpx.AsyncClient, url: str, series: str, timeout_s: float) -> float:
    """Fetch ``url`` (a /metrics page, capped at MAX_SCRAPE_BYTES) and pick ``series``."""
    try:
        selector = parse_series(series)
    except ValueError as exc:
        raise SourceError(f"series: {clean(exc)}") from None
    body = await fetch_capped(
        client, url, max_bytes=MAX_SCRAPE_BYTES, timeout_s=timeout_s, what="/metrics page"
    )
    return pick_value(body.decode("utf-8", "replace"), selector)
