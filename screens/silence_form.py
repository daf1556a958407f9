"""The silence form: matchers pre-filled from an alert, an end, a comment, an author.

Every problem is shown in the form as it is found (a bad regex as it is typed, a missing
comment on ``ctrl+s``), never as a crash. A live line says how many alerts the matchers
select now, so an operator sees a too-broad silence before creating it. Keys and saving are
``FormDialog``'s: ``ctrl+s`` creates the silence off the event loop, enter moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import Alert, SilenceDraft
from penguin_tui.alerts.when import parse_time
from penguin_tui.durations import format_duration
from penguin_tui.fmt import local_time
from penguin_tui.screens.form_dialog import FormDialog
from penguin_tui.text import sanitize
from penguin_tui.widgets.matcher_rows import MatcherRows

if TYPE_CHECKING:
    from penguin_tui.alerts.actions import AlertActions

PRESETS = ("30m", "1h", "2h", "4h", "8h", "24h")
DEFAULT_END = "2h"
COMMENT_MAX = 1000


@dataclass(frozen=True, slots=True)
class CreatedSilence:
    """What the form created: the new silence's id and the draft it was made from."""

    id: str
    draft: SilenceDraft


def prefill(alert: Alert | None) -> list[Matcher]:
    """One ``=`` matcher per label of the alert, alertname first."""
    if alert is None:
        return []
    names = sorted(alert.labels, key=lambda n: (n != "alertname", n))
    return [Matcher.equal(n, alert.labels[n]) for n in names if alert.labels[n]]


def count_matching(matchers: Sequence[Matcher], alerts: Sequence[Alert]) -> int:
    """How many unresolved alerts every matcher selects (Silence.matches semantics)."""
    return sum(
        1 for a in alerts if a.resolved_at is None and all(m.matches(a.labels) for m in matchers)
    )


def until_text(end: float, now: float) -> str:
    """``until 10:00 (2h)``."""
    return f"until {local_time(end, now)} ({format_duration(end - now)})"


class SilenceForm(FormDialog[CreatedSilence]):
    """Dismisses with the created silence, or None when cancelled."""

    BINDINGS = [Binding("ctrl+s", "submit", "create", priority=True, tooltip="Create the silence")]

    DEFAULT_CSS = """
    #silence-end-row {
        margin: 1 0 0 0;
    }
    #silence-end {
        width: 12;
        max-width: 12;
    }
    #silence-end-row Input {
        width: 12;
    }
    .preset {
        margin: 0 0 0 1;
        min-width: 5;
        width: auto;
    }
    """

    FAILED = "not created"
    SAVING = "creating the silence in Alertmanager…"

    def __init__(
        self,
        actions: AlertActions,
        alert: Alert | None,
        alerts: Sequence[Alert] = (),
    ) -> None:
        super().__init__()
        self.actions = actions
        self.alert = alert
        self.alerts = alerts

    def compose(self) -> ComposeResult:
        title = Text("New silence")
        if self.alert is not None and self.alert.alertname:
            # A Text: a str border title would be parsed as markup.
            title = Text(f"Silence {sanitize(self.alert.alertname, single_line=True, max_len=50)}")
        with Vertical(id="silence-dialog", classes="form-dialog") as dialog:
            dialog.border_title = title
            yield Static(
                "Matchers (all must hold) · ctrl+n add · ctrl+r remove · space: = =~ != !~",
                id="silence-matchers-hint",
                classes="form-muted",
                markup=False,
            )
            yield MatcherRows(prefill(self.alert), id="silence-matchers")
            with Horizontal(id="silence-end-row", classes="field"):
                yield Label("Ends")
                yield Input(DEFAULT_END, id="silence-end", compact=True, max_length=40)
                for preset in PRESETS:
                    yield Button(preset, id=f"preset-{preset}", classes="preset", compact=True)
            with Horizontal(classes="field"):
                yield Label("Comment")
                yield Input(
                    placeholder="why (required)",
                    id="silence-comment",
                    compact=True,
                    max_length=COMMENT_MAX,
                )
            with Horizontal(classes="field"):
                yield Label("Author")
                yield Input(self.actions.author, id="silence-author", compact=True, max_length=100)
            yield Static("", id="silence-preview", classes="form-preview")
            yield Static("", id="silence-errors", classes="form-errors")
            yield self.hint("create", id="silence-hint")

    def on_mount(self) -> None:
        self.query_one("#silence-errors", Static).display = False
        self.query_one("#silence-comment", Input).focus()
        self._update_preview()

    # --- reading the form ---------------------------------------------------------------------

    def end_time(self, now: float) -> float:
        """The end the operator asked for; ValueError says what is wrong with it."""
        return parse_time(self.query_one("#silence-end", Input).value, now, what="the end")

    def clock(self) -> float:
        return self.actions.clock()

    def read_form(self, now: float) -> tuple[SilenceDraft | None, list[str]]:
        """The silence as the form says it, or the problems that stop it."""
        matchers, problems = self.query_one(MatcherRows).read()
        try:
            end = self.end_time(now)
        except ValueError as exc:
            problems.append(str(exc))
            end = now
        if problems:
            return None, problems
        draft = SilenceDraft(
            tuple(matchers),
            now,
            end,
            self.query_one("#silence-author", Input).value.strip(),
            self.query_one("#silence-comment", Input).value.strip(),
        )
        problems = draft.validate(now)
        return (None, problems) if problems else (draft, [])

    def _update_preview(self) -> None:
        """``until 10:00 (2h) · matches 3 alerts now, this one included``, or what is wrong."""
        now = self.actions.clock()
        matchers, errors = self.query_one(MatcherRows).read()
        line = Text()
        try:
            line.append(until_text(self.end_time(now), now))
        except ValueError as exc:
            line.append(str(exc), style="bold red")
        line.append(" · ")
        if errors:
            line.append(errors[0], style="bold red")
        elif not matchers:
            line.append("no matchers: add one (ctrl+n)", style="bold red")
        else:
            count = count_matching(matchers, self.alerts)
            line.append(f"matches {count} alert{'' if count == 1 else 's'} now", style="bold")
            if self.alert is not None:
                hit = all(m.matches(self.alert.labels) for m in matchers)
                line.append(", this one included" if hit else ", NOT this one")
        self.query_one("#silence-preview", Static).update(line)

    # --- events -------------------------------------------------------------------------------

    @on(MatcherRows.Changed)
    @on(Input.Changed, "#silence-end")
    def _changed(self) -> None:
        self._update_preview()

    @on(Button.Pressed, ".preset")
    def _preset(self, event: Button.Pressed) -> None:
        self.query_one("#silence-end", Input).value = str(event.button.label)

    async def save(self, value: SilenceDraft) -> CreatedSilence:
        return CreatedSilence(await self.actions.silence(value), value)
