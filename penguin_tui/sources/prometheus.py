"""Numbers from Prometheus through its HTTP API (``/api/v1/query`` and ``/api/v1/query_range``).

A metric is one number, so a query must come down to one series. Zero series is "query
returned no data". Several series is refused ("query returned 3 series; aggregate it ...")
rather than picking one: which series Prometheus lists first is arbitrary, and a status
built on an arbitrary series would be wrong in a way nobody notices. PromQL can always
aggregate (``sum(...)``, ``max(...)``), so the fix is one word in the config.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from penguin_tui.sources.common import SourceError, clean, get_capped

if TYPE_CHECKING:
    import httpx

# Prometheus answers are small for a single series; a query_range of 11,000 points is ~400 KB.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# Prometheus refuses query_range calls of more than 11,000 points per series.
MAX_RANGE_POINTS = 11_000


def _api_url(base_url: str, endpoint: str) -> str:
    return base_url.rstrip("/") + "/api/v1/" + endpoint


async def _call(
    client: httpx.AsyncClient,
    base_url: str,
    endpoint: str,
    params: dict[str, str],
    timeout_s: float,
) -> dict[str, Any]:
    """One API call; the ``data`` member of a successful envelope, else SourceError."""
    url = _api_url(base_url, endpoint)
    status, body = await get_capped(
        client,
        url,
        max_bytes=MAX_RESPONSE_BYTES,
        timeout_s=timeout_s,
        params=params,
        what="Prometheus answer",
    )
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        # Not the API at all: a proxy's error page, or a wrong URL.
        if status >= 400:
            raise SourceError(f"Prometheus at {clean(base_url)} answered HTTP {status}") from None
        raise SourceError(f"{clean(url)} did not answer Prometheus API JSON") from None
    if not isinstance(envelope, dict):
        raise SourceError(f"{clean(url)} did not answer Prometheus API JSON")
    if envelope.get("status") != "success":
        kind = clean(envelope.get("errorType") or f"HTTP {status}", 40)
        detail = clean(envelope.get("error") or "no detail given")
        raise SourceError(f"Prometheus error ({kind}): {detail}")
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise SourceError(f"{clean(url)} answered without a data member")
    return data


def _number(raw: Any) -> float:
    """A sample value as Prometheus writes it ("12.5", "NaN", "+Inf") -> a finite float."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SourceError(f"Prometheus returned a non-number value {clean(raw, 40)!r}") from None
    if math.isnan(value):
        # rate() over a window with no increase on a ratio divides 0 by 0, for instance.
        raise SourceError("query returned NaN (no data in its window?)")
    if math.isinf(value):
        raise SourceError("query returned an infinite value")
    return value


def _one_series(result: Any, query: str) -> Any | None:
    """The single series of a vector/matrix result (None when there is none)."""
    if not isinstance(result, list):
        raise SourceError("Prometheus answered a malformed result")
    if len(result) > 1:
        raise SourceError(
            f"query returned {len(result)} series; aggregate it to one "
            f"(e.g. sum({clean(query, 80)}))"
        )
    return result[0] if result else None


async def query_instant(
    client: httpx.AsyncClient, base_url: str, query: str, timeout_s: float
) -> float:
    """The value of an instant PromQL query that yields one series or a scalar."""
    data = await _call(client, base_url, "query", {"query": query}, timeout_s)
    kind = data.get("resultType")
    result = data.get("result")
    try:
        if kind == "scalar":
            return _number(result[1])  # type: ignore[index]
        if kind == "vector":
            series = _one_series(result, query)
            if series is None:
                raise SourceError("query returned no data")
            return _number(series["value"][1])
    except (KeyError, IndexError, TypeError):
        raise SourceError("Prometheus answered a malformed result") from None
    raise SourceError(
        f"query returned a {clean(kind, 20)} result; a metric needs an instant vector or scalar"
    )


async def query_range(
    client: httpx.AsyncClient,
    base_url: str,
    query: str,
    start: float,
    end: float,
    step_s: float,
    timeout_s: float,
) -> list[tuple[float, float]]:
    """(ts, value) points of a range query with one series; [] when there is no data.

    NaN/Inf points are left out (they mean "no data" for a graph). The range is shortened
    from the start so it never asks for more than MAX_RANGE_POINTS points.
    """
    step_s = max(step_s, 1.0)
    if (end - start) / step_s > MAX_RANGE_POINTS - 1:
        start = end - step_s * (MAX_RANGE_POINTS - 1)
    params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step_s:g}"}
    data = await _call(client, base_url, "query_range", params, timeout_s)
    if data.get("resultType") != "matrix":
        raise SourceError("query_range did not return a matrix")
    series = _one_series(data.get("result"), query)
    if series is None:
        return []
    points: list[tuple[float, float]] = []
    try:
        for ts, raw in series["values"]:
            try:
                points.append((float(ts), _number(raw)))
            except SourceError:
                continue
    except (KeyError, TypeError, ValueError):
        raise SourceError("Prometheus answered a malformed range result") from None
    return points
