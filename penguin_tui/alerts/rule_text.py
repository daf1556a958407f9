"""The words of a local rule's alert: its summary and description, filled in from the item.

Templates were checked when the config was read (``config_alerts.template_problem``), so
filling never meets an unknown placeholder. What goes in (item names from the config or from
psutil's mount list, values) is sanitised on the way out, and never expanded again: an item
called ``{value}`` or ``[bold]`` reads literally.
"""

from __future__ import annotations

from penguin_tui.config_model import RuleConfig
from penguin_tui.durations import format_duration
from penguin_tui.fmt import format_value
from penguin_tui.model import ItemInfo, Status
from penguin_tui.text import sanitize

MAX_SUMMARY = 500
MAX_DESCRIPTION = 4000


def default_summary(rule: RuleConfig) -> str:
    """What a rule without its own summary says, e.g. ``Bounce rate is 6.20%, above 5%``."""
    if rule.kind == "threshold":
        side = "above" if rule.above is not None else "below"
        text = f"{{name}} is {{value}}, {side} {{threshold}}"
    elif rule.kind == "state":
        text = "{name} is {status}"
    else:
        return "no data from {name} for {age}"
    return text + (" for {for}" if rule.for_s > 0 else "")


def fields(
    rule: RuleConfig,
    item: ItemInfo,
    *,
    value: float | None,
    status: Status | None,
    age_s: float,
) -> dict[str, str]:
    """The placeholders' values for ``rule`` about ``item`` (see TEMPLATE_FIELDS)."""
    level = rule.above if rule.above is not None else rule.below
    if rule.kind == "stale":
        window = format_duration(rule.intervals * item.interval_s)
    else:
        window = format_duration(rule.for_s)
    return {
        "item": item.key,
        "name": item.name,
        "value": format_value(value, item.unit),
        "unit": item.unit,
        "threshold": format_value(level, item.unit) if level is not None else "",
        "status": status.value if status is not None else "",
        "for": window,
        "age": format_duration(max(0.0, age_s)),
    }


def fill(template: str, values: dict[str, str], *, multiline: bool = False) -> str:
    """``template`` with its placeholders replaced, sanitised and capped for the screen."""
    try:
        text = template.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError):
        # Only reachable when a RuleConfig was built around the config reader: show the
        # template as written rather than fail the recorder.
        text = template
    if multiline:
        return sanitize(text, max_len=MAX_DESCRIPTION)
    return sanitize(text, single_line=True, max_len=MAX_SUMMARY)
