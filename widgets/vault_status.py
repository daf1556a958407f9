"""The secrets screen's Vault line: health, the token, and what to worry about.

``● vault 1.17.6 active · token ldap-oncall (default, penguin-oncall) · ttl 7h 59m``

then, only when there is something to say, one line per warning or problem: skipping TLS
verification (permanent), a token that expires within 15 minutes, a sealed or unreachable
Vault, a rate limit. The state is a symbol and a word (NO_COLOR loses nothing). Every text
here was sanitised by the core (``penguin_tui.vault.status``) and is drawn as ``Text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from penguin_tui.durations import format_duration
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import set_text

if TYPE_CHECKING:
    from penguin_tui.vault.status import VaultStatus

STATE_LOOK = {
    "active": ("●", "green"),
    "standby": ("◐", "yellow"),
    "performance standby": ("◐", "yellow"),
    "sealed": ("✖", "bold red"),
}
MAX_WARNINGS = 3


def status_text(status: VaultStatus | None, now: float, *, extra: list[str] | None = None) -> Text:
    """The line (and warning lines) for ``status`` at ``now``; ``extra``: the screen's own
    problems (a rate limit, a failed read), shown like Vault's."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if status is None:
        text.append("○ vault: connecting…", style="dim")
        _warnings(text, extra or [], [])
        return text
    health = status.health
    if health is None:
        text.append("✖ vault unreachable", style="bold red")
    else:
        symbol, style = STATE_LOOK.get(health.state, ("◐", "yellow"))
        version = f" {health.version}" if health.version else ""
        text.append(f"{symbol} vault{version} ", style="dim")
        text.append(health.state, style=style)
    if status.namespace:
        text.append(f" · namespace {sanitize(status.namespace, single_line=True, max_len=60)}")
    token = status.token
    if token is not None:
        policies = ", ".join(token.policies) or "no policies"
        text.append(f" · token {token.display_name or '?'} ", style="")
        text.append(f"({policies})", style="dim")
        left = token.ttl_left(now)
        text.append(" · ttl ")
        if left is None:
            text.append("never expires", style="dim")
        else:
            warn = bool(token.expiry_warning(now))
            left = max(0.0, left)
            if left >= 120:
                left -= left % 60  # whole minutes: the line changes once a minute, not each second
            text.append(format_duration(left), style="bold yellow" if warn else "")
    _warnings(text, status.all_warnings(now), [*status.problems, *(extra or [])])
    return text


def _warnings(text: Text, warnings: list[str], problems: list[str]) -> None:
    shown = 0
    for problem in problems:
        if shown >= MAX_WARNINGS:
            break
        text.append("\n")
        text.append(f"✖ {problem}", style="bold red")
        shown += 1
    for warning in warnings:
        if shown >= MAX_WARNINGS:
            break
        text.append("\n")
        text.append(f"⚠ {warning}", style="reverse yellow")
        shown += 1


class VaultStatusLine(Static):
    """Vault's health and the token's name, policies and TTL, with warnings below."""

    DEFAULT_CSS = """
    VaultStatusLine {
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(status_text(None, 0.0), markup=False, **kwargs)  # type: ignore[arg-type]
        self.status: VaultStatus | None = None

    def show(self, status: VaultStatus | None, now: float, extra: list[str] | None = None) -> None:
        """Redraw (only when the text changed; the height follows the number of warnings)."""
        self.status = status
        text = status_text(status, now, extra=extra)
        before = getattr(self, "_penguin_last", None)
        lines_before = before.plain.count("\n") if isinstance(before, Text) else 0
        if set_text(self, text) and text.plain.count("\n") != lines_before:
            self.refresh(layout=True)  # a warning line came or went: the height changes
