"""The outcome of one health probe (http, https or tcp), before thresholds are applied."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from penguin_tui.model import ConditionResult


@dataclass(slots=True)
class Probe:
    """What one probe saw.

    ``ok`` is true when every condition held. ``response_ms`` is set whenever the target
    answered (an HTTP status arrived, or the TCP connection opened), even if a condition then
    failed. ``reason`` is the operator's sentence: the transport failure if there was one,
    else the first failed condition with its actual value; empty when ``ok``.
    """

    ok: bool
    response_ms: float | None
    reason: str = ""
    status_code: int | None = None
    connected: bool = False
    cert_expiry_ts: float | None = None  # epoch seconds when the peer certificate expires
    body_cut: bool = False
    conditions: tuple[ConditionResult, ...] = ()


@functools.lru_cache(maxsize=4096)
def parsed_conditions(expressions: tuple[str, ...]) -> tuple[Any, ...]:
    """Parse a check's conditions once; config validation has already vetted them."""
    from penguin_tui.conditions import parse_condition

    return tuple(parse_condition(expr) for expr in expressions)


def judge(
    expressions: tuple[str, ...],
    *,
    status: int | None,
    response_ms: float | None,
    body: bytes | None,
    connected: bool,
    cert_expiry_s: float | None,
    ip: str,
    transport_error: str = "",
) -> tuple[bool, tuple[ConditionResult, ...], str]:
    """Evaluate the conditions; returns (ok, results, reason).

    Conditions are evaluated even when the transport failed: ``[CONNECTED] == false`` is a
    legitimate check that a port is closed. When something did fail, the transport error is
    the better reason ("connection refused" beats "[STATUS] == 200 failed: got none").
    """
    from penguin_tui.conditions import ProbeContext, evaluate_all

    ctx = ProbeContext(
        status=status,
        response_ms=response_ms,
        body=body,
        connected=connected,
        cert_expiry_s=cert_expiry_s,
        ip=ip,
    )
    results, reason = evaluate_all(parsed_conditions(expressions), ctx)
    # An answer that broke off (timeout mid-body, connection closed) is a failed probe even
    # if the status line looked fine; without any answer the conditions decide.
    ok = all(r.ok for r in results) and not (transport_error and status is not None)
    if ok:
        return True, tuple(results), ""
    if transport_error:
        return False, tuple(results), transport_error
    if status is not None:
        # Operators think "HTTP 503" first; the condition it broke follows in brackets.
        for cond, result in zip(parsed_conditions(expressions), results, strict=True):
            if not result.ok and cond.placeholder == "STATUS":
                reason = reason.replace(
                    f"{result.expression} failed: got {status}",
                    f"HTTP {status} ({result.expression} failed)",
                )
    return False, tuple(results), reason
