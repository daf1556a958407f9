"""The frame the alert forms share (silence, maintenance): a centred dialog of one-line fields.

``ctrl+s`` reads the form and, when it reads, saves it off the event loop, once however often
it is pressed; what stops it, or what the save raised, is shown in the form (never a crash),
so the operator can fix it and press again. Enter only moves to the next field, because it is
what a hand presses after typing; escape cancels. ``ctrl+n`` adds a matcher row from any
field, not only from the rows (the hint at the top of the rows says so).

A subclass provides ``read_form`` and ``save``, and composes its fields inside a ``Vertical``
of class ``form-dialog``, with ``.field`` rows, a ``form-errors`` Static and the ``hint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from penguin_tui.text import sanitize
from penguin_tui.widgets.matcher_rows import MatcherRows

T = TypeVar("T")


class FormDialog(ModalScreen[T | None]):
    """Dismisses with what ``save`` returned, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "save", priority=True, tooltip="Save the form"),
        Binding("escape", "cancel", "cancel", tooltip="Close the form, saving nothing"),
        Binding("ctrl+n", "add_matcher", "add matcher", show=False, tooltip="Add a matcher row"),
    ]

    DEFAULT_CSS = """
    FormDialog {
        align: center middle;
    }
    FormDialog .form-dialog {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    FormDialog .form-dialog Label {
        width: 9;
    }
    FormDialog .field {
        height: 1;
    }
    FormDialog .field Input {
        width: 1fr;
    }
    FormDialog .form-muted {
        color: $text-muted;
    }
    FormDialog .form-preview {
        height: 1;
        margin: 1 0 0 0;
    }
    FormDialog .form-errors {
        color: $error;
        height: auto;
        margin: 1 0 0 0;
    }
    FormDialog .form-errors.-note {
        color: $text-muted;
    }
    FormDialog .form-hint {
        margin: 1 0 0 0;
    }
    """

    FAILED: ClassVar[str] = "not saved"  # what the form says before the reason a save failed
    # Shown while saving: Alertmanager may take up to its timeout to answer, and a form that
    # shows nothing meanwhile looks like ctrl+s was not heard.
    SAVING: ClassVar[str] = "saving…"

    def __init__(self) -> None:
        super().__init__()
        self._saving = False

    # --- what a form provides -----------------------------------------------------------------

    def read_form(self, now: float) -> tuple[Any | None, list[str]]:
        """What the form says (None when it does not read) and the problems that stop it."""
        raise NotImplementedError

    async def save(self, value: Any) -> T:
        """Save what ``read_form`` returned; raises with plain words when it cannot."""
        raise NotImplementedError

    def clock(self) -> float:
        """Now, as the form's actions count it."""
        raise NotImplementedError

    # --- shared parts -------------------------------------------------------------------------

    @staticmethod
    def hint(verb: str, **kwargs: Any) -> Static:
        """``ctrl+s <verb> · enter next field · escape cancel``, muted, under the form."""
        text = Text.assemble(
            ("ctrl+s", "bold"), f" {verb} · ", ("enter", "bold"), " next field · ",
            ("escape", "bold"), " cancel",
        )  # fmt: skip
        return Static(text, classes="form-hint form-muted", **kwargs)

    def show_problems(self, problems: Sequence[str]) -> None:
        """List what stops the form (or hide the list when nothing does)."""
        errors = self.query_one(".form-errors", Static)
        errors.remove_class("-note")
        errors.update(Text("\n".join(f"✖ {p}" for p in problems)))
        errors.display = bool(problems)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def action_add_matcher(self) -> None:
        """A new matcher row, focused; from the rows themselves their own binding does it."""
        rows = self.query(MatcherRows)
        if rows:
            await rows.first().action_add_row()

    def action_submit(self) -> None:
        """Check the form; when it reads, save it (once, however often pressed)."""
        if self._saving:
            return
        value, problems = self.read_form(self.clock())
        self.show_problems(problems)
        if value is None:
            return
        self._saving = True
        errors = self.query_one(".form-errors", Static)
        errors.add_class("-note")
        errors.update(Text(self.SAVING, style="italic"))
        errors.display = True
        self._save(value)

    @work(group="form-save", exit_on_error=False, description="save the form")
    async def _save(self, value: Any) -> None:
        try:
            saved = await self.save(value)
        except Exception as exc:  # shown in the form; the operator may fix it and retry
            self.show_problems([f"{self.FAILED}: {sanitize(exc, single_line=True, max_len=300)}"])
            return
        finally:
            self._saving = False
        self.dismiss(saved)
