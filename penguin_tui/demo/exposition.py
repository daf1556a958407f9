"""The demo api's ``/metrics``: the scenario's counters and gauges in Prometheus text format.

Written by hand rather than through prometheus_client: the values are computed per scrape
from the scenario (prometheus_client's Counter cannot be set), the format is small, and the
demo does not pay for the import. Tests parse the output with prometheus_client's parser.
"""

from __future__ import annotations

from penguin_tui.demo.scenario import BUCKETS, Scenario

# (name, type, help); counters keep their _total name on HELP/TYPE lines, as
# prometheus_client's own exposition does for the 0.0.4 text format.
_FAMILIES = (
    ("penguinmails_emails_sent_total", "counter", "Emails handed to the relay."),
    ("penguinmails_emails_delivered_total", "counter", "Emails accepted by the receiving MX."),
    ("penguinmails_emails_bounced_total", "counter", "Emails bounced, by bounce type."),
    ("penguinmails_complaints_total", "counter", "Spam complaints received via feedback loops."),
    ("penguinmails_emails_deferred_total", "counter", "Deliveries deferred for a later retry."),
    ("penguinmails_queue_depth", "gauge", "Emails waiting in a send queue."),
    ("penguinmails_api_request_duration_seconds", "histogram", "API request duration."),
    ("penguinmails_api_requests_total", "counter", "API requests, by HTTP status code."),
    ("penguinmails_api_errors_total", "counter", "API requests answered with a 5xx status."),
    ("penguinmails_logins_total", "counter", "Customer logins."),
    ("penguinmails_support_tickets_open", "gauge", "Support tickets currently open."),
    ("penguinmails_db_connect_seconds", "gauge", "Time the API last took to connect to postgres."),
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def series(scenario: Scenario, t: float) -> dict[str, float]:
    """Every sample line at ``t`` as ``'name{label="v"}' -> value`` (what a scrape sees).

    The keys are spelled exactly as the config's ``series`` selectors in demo/config.py.
    """
    out = _counter_series(scenario, t)
    out.update(_gauge_series(scenario, t))
    return out


def sample(scenario: Scenario, key: str, t: float) -> float | None:
    """One series of ``series()`` (None if there is no such series), cheaply for gauges.

    The history prefill asks for the queue depth every 5 s over 12 hours; gauges need no
    counters, which are the expensive part.
    """
    gauges = _gauge_series(scenario, t)
    if key in gauges:
        return gauges[key]
    return _counter_series(scenario, t).get(key)


def _gauge_series(scenario: Scenario, t: float) -> dict[str, float]:
    g = scenario.gauges(t)
    return {
        'penguinmails_queue_depth{queue="outbound"}': g.queue_depth,
        "penguinmails_support_tickets_open": g.open_tickets,
        "penguinmails_db_connect_seconds": round(g.db_connect_ms / 1000, 5),
    }


def _counter_series(scenario: Scenario, t: float) -> dict[str, float]:
    c = scenario.counters(t)
    out: dict[str, float] = {
        "penguinmails_emails_sent_total": c.sent,
        "penguinmails_emails_delivered_total": c.delivered,
        'penguinmails_emails_bounced_total{type="hard"}': c.bounced_hard,
        'penguinmails_emails_bounced_total{type="soft"}': c.bounced_soft,
        "penguinmails_complaints_total": c.complaints,
        "penguinmails_emails_deferred_total": c.deferred,
    }
    hist = "penguinmails_api_request_duration_seconds"
    for le, count in zip(BUCKETS, c.buckets, strict=True):
        out[f'{hist}_bucket{{le="{le}"}}'] = count
    total = c.requests_total
    out[f'{hist}_bucket{{le="+Inf"}}'] = total
    out[f"{hist}_sum"] = c.duration_sum
    out[f"{hist}_count"] = total
    for code, count in sorted(c.requests.items()):
        out[f'penguinmails_api_requests_total{{code="{code}"}}'] = count
    out["penguinmails_api_errors_total"] = c.errors
    out["penguinmails_logins_total"] = c.logins
    return out


def render(scenario: Scenario, t: float) -> str:
    """The whole ``/metrics`` body at ``t``."""
    samples = series(scenario, t)
    lines: list[str] = []
    for name, kind, help_text in _FAMILIES:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for key, value in samples.items():
            bare = key.split("{", 1)[0]
            if bare == name or (kind == "histogram" and bare.startswith(name + "_")):
                lines.append(f"{key} {_number(value)}")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    # Whole numbers without ".0" keep the body short and look like real exporters' output.
    return str(int(value)) if float(value).is_integer() else repr(value)
