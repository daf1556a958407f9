"""The sign-off form: what is not OK right now, an optional note, and a deliberate confirm key.

Enter alone never signs off (it is what fingers press after typing a note); ``ctrl+s`` does,
and escape backs out. What the operator saw in the form is what gets recorded: the report is
read once when the form opens, so a status flipping while the note is typed cannot change
what they attested to behind their back.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from penguin_tui.check import Report, build_report
from penguin_tui.model import SignOff, Status
from penguin_tui.signoff import NOTE_MAX, build_signoff, current_host, current_user, record_signoff
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE, status_text

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp


class SignOffScreen(ModalScreen[SignOff | None]):
    """Dismisses with the recorded ``SignOff``, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "confirm", "Sign off", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    DEFAULT_CSS = """
    SignOffScreen {
        align: center middle;
    }
    #signoff-dialog {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #signoff-status {
        text-style: bold;
    }
    #signoff-items {
        height: auto;
        max-height: 10;
    }
    #signoff-note {
        margin: 1 0 0 0;
    }
    #signoff-hint {
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self._saving = False  # a second ctrl+s while the first is written does nothing
        self.who = f"{current_user()}@{current_host()}"

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="signoff-dialog") as dialog:
            dialog.border_title = "Sign off the morning check"
            yield Static("Reading the cache…", id="signoff-status", markup=False)
            with VerticalScroll(id="signoff-items"):
                yield Static("", id="signoff-list", markup=False)
            yield Input(placeholder="note (optional)", id="signoff-note", max_length=NOTE_MAX)
            hint = Text()
            hint.append("ctrl+s", style="bold")
            hint.append(f" sign off as {sanitize(self.who, single_line=True, max_len=60)} · ")
            hint.append("escape", style="bold")
            hint.append(" cancel")
            yield Static(hint, id="signoff-hint")

    def on_mount(self) -> None:
        self.query_one("#signoff-note", Input).focus()
        self.load_report()

    @work(
        exclusive=True,
        group="signoff-load",
        exit_on_error=False,
        description="read the current state for the sign-off",
    )
    async def load_report(self) -> None:
        app = self.papp
        now = app.clock()
        try:
            report = await app.reader.call(build_report, app.config, now, None)
        except Exception as exc:  # shown in the form, never a crash
            self.query_one("#signoff-status", Static).update(
                f"Cannot read the cache: {sanitize(exc, single_line=True, max_len=200)}"
            )
            return
        self.report = report
        self._show(report)

    def _show(self, report: Report) -> None:
        counts = report.counts()
        bad = [r for r in report.items if r.status != Status.OK]
        head = status_text(report.status)
        head.append(
            f"  {len(bad)} of {len(report.items)} items not OK"
            if bad
            else f"  all {len(report.items)} items OK"
        )
        head.append(
            "  (" + " · ".join(f"{counts[s]} {s.value}" for s in Status if counts[s]) + ")",
            style="dim",
        )
        self.query_one("#signoff-status", Static).update(head)
        lines = Text(no_wrap=True, overflow="ellipsis")
        for row in sorted(bad, key=lambda r: -r.status.rank):
            if lines:
                lines.append("\n")
            lines.append(f"{row.status.symbol} {row.status.value:<7} ", STATUS_STYLE[row.status])
            lines.append(sanitize(row.name, single_line=True, max_len=32))
            if row.reason:
                lines.append(f"  {sanitize(row.reason, single_line=True, max_len=120)}", "dim")
        self.query_one("#signoff-list", Static).update(lines)
        self.query_one("#signoff-items").display = bool(bad)

    @on(Input.Submitted, "#signoff-note")
    def _enter_is_not_confirm(self) -> None:
        self.notify("Press ctrl+s to sign off, escape to cancel.", timeout=4)

    def action_confirm(self) -> None:
        """Record the sign-off once, however often ctrl+s is pressed while it is written."""
        if self._saving:
            return
        self._saving = True
        self._save()

    @work(group="signoff-save", exit_on_error=False, description="record the sign-off")
    async def _save(self) -> None:
        """Record the sign-off; the form stays open (with the note) if the cache refuses it."""
        try:
            await self._record()
        finally:
            self._saving = False

    async def _record(self) -> None:
        if self.report is None:
            self.notify("Still reading the cache; try again in a moment.", severity="warning")
            return
        app = self.papp
        note = self.query_one("#signoff-note", Input).value
        signoff = build_signoff(self.report, app.clock(), note)
        try:
            signoff_id = await app.reader.call(record_signoff, signoff)
        except Exception as exc:  # the operator must learn it was not recorded
            self.notify(
                sanitize(exc, single_line=True, max_len=300),
                title="Sign-off NOT recorded",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        self.dismiss(dataclasses.replace(signoff, id=signoff_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
