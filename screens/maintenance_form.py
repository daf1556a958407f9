"""The maintenance form: which services (or matchers), from when, until when, and why.

A window becomes an Alertmanager silence (pending while it has not started) and a row in the
cache that local rules, the health screen (MAINT) and uptime (planned, not down) honour.
Services are checklist item names, comma separated, completed as typed from the configured
ones; matchers are for alerts that carry no ``service`` label of ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import MaintenanceWindow
from penguin_tui.alerts.when import parse_time
from penguin_tui.durations import format_duration
from penguin_tui.fmt import local_time
from penguin_tui.screens.form_dialog import FormDialog
from penguin_tui.text import sanitize
from penguin_tui.widgets.matcher_rows import MatcherRows

if TYPE_CHECKING:
    from penguin_tui.alerts.actions import AlertActions

DEFAULT_END = "2h"
REASON_MAX = 500
# The width the configured names listed under the field may take (the dialog is 80 columns
# at most, less border and padding); the completion knows them all.
KNOWN_WIDTH = 76


def known_line(names: Sequence[str], width: int = KNOWN_WIDTH) -> Text:
    """``known: api, smtp-relay, postgres +12 more (→ completes)``, cut to fit ``width``."""
    head = f"{'':9}known: "  # under the field's input, past its 9-column label
    clean = [sanitize(n, single_line=True, max_len=30) for n in names]

    def line(count: int) -> str:
        more = len(clean) - count
        return head + ", ".join(clean[:count]) + (f" +{more} more (→ completes)" if more else "")

    count = len(clean)
    while count > 1 and len(line(count)) > width:
        count -= 1
    return Text(line(count))


def split_services(text: str) -> tuple[str, ...]:
    """``"a, b,,c "`` -> ``("a", "b", "c")``: order kept, duplicates dropped."""
    names = [sanitize(part, single_line=True).strip() for part in text.split(",")]
    return tuple(dict.fromkeys(n for n in names if n))


class ServiceSuggester(Suggester):
    """Completes the last comma-separated name from the configured item names."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = list(names)

    async def get_suggestion(self, value: str) -> str | None:
        last = value.rpartition(",")[2]
        typed = last.lstrip()
        if not typed:
            return None
        for name in self.names:
            if name.lower().startswith(typed.lower()) and name != typed:
                # The input shows the suggestion only when it extends what was typed.
                return value + name[len(typed) :]
        return None


def services_input(input_id: str, names: Sequence[str]) -> Input:
    """The services field: checklist item names, comma separated, completed from ``names``."""
    return Input(
        placeholder="checklist items, comma separated",
        id=input_id,
        compact=True,
        max_length=2000,
        suggester=ServiceSuggester(names),
    )


class MaintenanceForm(FormDialog[MaintenanceWindow]):
    """Dismisses with the scheduled window (with its id), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "schedule", priority=True, tooltip="Schedule the window")
    ]

    DEFAULT_CSS = """
    #maint-span {
        margin: 1 0 0 0;
    }
    #maint-start, #maint-end {
        max-width: 20;
    }
    #maint-end-label {
        margin: 0 0 0 2;
    }
    #maint-known {
        text-wrap: nowrap;
        text-overflow: ellipsis;  /* a terminal narrower than the dialog */
    }
    #maint-matchers-hint {
        margin: 1 0 0 0;
    }
    """

    FAILED = "not scheduled"
    SAVING = "scheduling the window…"

    def __init__(
        self,
        actions: AlertActions,
        *,
        service: str = "",
        names: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.actions = actions
        self.service = service
        self.names = list(names)

    def compose(self) -> ComposeResult:
        with Vertical(id="maint-dialog", classes="form-dialog") as dialog:
            dialog.border_title = "Schedule maintenance"
            with Horizontal(classes="field"):
                yield Label("Services")
                yield services_input("maint-services", self.names)
            if self.names:
                yield Static(known_line(self.names), id="maint-known", classes="form-muted")
            yield Static(
                "or matchers on alert labels · ctrl+n add · ctrl+r remove",
                id="maint-matchers-hint",
                classes="form-muted",
                markup=False,
            )
            prefilled = [Matcher.equal("service", self.service)] if self.service else []
            yield MatcherRows(prefilled, id="maint-matchers")
            with Horizontal(id="maint-span", classes="field"):
                yield Label("Start")
                yield Input("now", id="maint-start", compact=True, max_length=40)
                yield Label("End", id="maint-end-label")
                yield Input(DEFAULT_END, id="maint-end", compact=True, max_length=40)
            with Horizontal(classes="field"):
                yield Label("Reason")
                yield Input(
                    placeholder="what is being done (required)",
                    id="maint-reason",
                    compact=True,
                    max_length=REASON_MAX,
                )
            yield Static("", id="maint-preview", classes="form-preview")
            yield Static("", id="maint-errors", classes="form-errors")
            yield self.hint("schedule", id="maint-hint")

    def on_mount(self) -> None:
        self.query_one("#maint-errors", Static).display = False
        first = "#maint-reason" if self.service else "#maint-services"
        self.query_one(first, Input).focus()
        self._update_preview()

    # --- reading the form ---------------------------------------------------------------------

    def span(self, now: float) -> tuple[float, float]:
        """Start and end as typed; an end duration counts from the start."""
        start = parse_time(self.query_one("#maint-start", Input).value, now, what="the start")
        end = parse_time(self.query_one("#maint-end", Input).value, start, what="the end")
        return start, end

    def clock(self) -> float:
        return self.actions.clock()

    def read_form(self, now: float) -> tuple[MaintenanceWindow | None, list[str]]:
        """The window as the form says it, or the problems that stop it."""
        matchers, problems = self.query_one(MatcherRows).read()
        start = end = now
        try:
            start, end = self.span(now)
        except ValueError as exc:
            problems.append(str(exc))
        window = MaintenanceWindow(
            start=start,
            end=end,
            reason=self.query_one("#maint-reason", Input).value.strip(),
            author=self.actions.author,
            matchers=tuple(matchers),
            services=split_services(self.query_one("#maint-services", Input).value),
        )
        if not problems:
            problems = self.actions.check_window(window, now)
        if window.matchers and window.services:
            problems = [
                "give services or matchers, not both: clear the services, or remove the "
                "matcher rows (ctrl+r)",
                *(p for p in problems if "not both" not in p),
            ]
        return (None, problems) if problems else (window, [])

    def _update_preview(self) -> None:
        now = self.actions.clock()
        line = Text()
        try:
            start, end = self.span(now)
        except ValueError as exc:
            line.append(str(exc), style="bold red")
        else:
            begins = "now" if start <= now else f"at {local_time(start, now)}"
            line.append(
                f"starts {begins}, ends {local_time(end, now)} "
                f"({format_duration(max(0.0, end - start))})"
            )
            if not self.actions.has_alertmanager:
                line.append(" · no Alertmanager: stored for local rules only", style="dim")
        self.query_one("#maint-preview", Static).update(line)

    # --- events -------------------------------------------------------------------------------

    @on(Input.Changed, "#maint-start, #maint-end")
    def _changed(self) -> None:
        self._update_preview()

    async def save(self, value: MaintenanceWindow) -> MaintenanceWindow:
        return await self.actions.schedule_maintenance(value)
