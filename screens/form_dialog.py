"""The frame the forms share: saving once, problems listed in the form, the dialogs' look.

``ModalForm`` is what every form that saves does (the alert forms here, the incident forms in
screens/incident_forms.py): it saves off the event loop, once however often asked, and lists
what stops it, or what the save raised, in the form (never a crash), so the operator can fix
it and press again; escape cancels.

``FormDialog`` is the alert forms' (silence, maintenance) centred dialog of one-line fields
on top of it: ``ctrl+s`` reads the form and, when it reads, saves it. Enter only moves to the
next field, because it is what a hand presses after typing. ``ctrl+n`` adds a matcher row from
any field, not only from the rows (the hint at the top of the rows says so). A subclass
provides ``read_form`` and ``save``, and composes its fields inside a ``Vertical`` of class
``form-dialog``, with ``.field`` rows, a ``form-errors`` Static and the ``hint``.

``key_hint``, ``box_css`` and ``dialog_css`` are the look the small dialogs share with it.
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


def key_hint(*parts: tuple[str, str]) -> Text:
    """``ctrl+s declare · escape cancel``: each key in bold, then what it does."""
    text = Text()
    for n, (key, words) in enumerate(parts):
        if n:
            text.append(" · ")
        text.append(key, style="bold")
        text.append(f" {words}")
    return text


def box_css(screen: str, box: str = "> Vertical", width: int = 80) -> str:
    """CSS of the frame of a dialog: centred, ``width`` columns (all of a narrower terminal),
    as tall as its content, a rounded accent border on the surface colour."""
    return f"""
    {screen} {{
        align: center middle;
    }}
    {screen} {box} {{
        width: {width};
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }}
    """


def dialog_css(screen: str, width: int = 80) -> str:
    """``box_css`` around the screen's ``Vertical``, with the muted ``.hint`` lines and the
    ``.errors`` list of the small dialogs (incident forms, secret prompts)."""
    return (
        box_css(screen, "> Vertical", width)
        + f"""
    {screen} .hint {{
        color: $text-muted;
    }}
    {screen} .errors {{
        color: $error;
        height: auto;
    }}
    """
    )


class Refused(Exception):
    """Raised by ``save`` with the words to show as they are: the form stays open."""


class ModalForm(ModalScreen[T | None]):
    """Dismisses with what ``save`` returned, or None when cancelled. A subclass provides
    ``save`` and a Static matching ``ERRORS`` (hidden until there is something to list)."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", tooltip="Close the form, saving nothing"),
    ]

    ERRORS: ClassVar[str] = ".form-errors"  # the Static listing what stops the form
    # Before the reason a save raised ("": the reason alone).
    FAILED: ClassVar[str] = ""
    # Shown while saving ("": nothing, the save is quick).
    SAVING: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._saving = False

    async def save(self, value: Any) -> T:
        """Save ``value``; raises ``Refused`` (or with plain words) when it cannot."""
        raise NotImplementedError

    def show_problems(self, problems: Sequence[str]) -> None:
        """List what stops the form (or hide the list when nothing does)."""
        errors = self.query_one(self.ERRORS, Static)
        errors.remove_class("-note")
        errors.update(Text("\n".join(f"✖ {p}" for p in problems)))
        errors.display = bool(problems)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def saving(self) -> bool:
        """A save is under way (another ask does nothing)."""
        return self._saving

    def start_save(self, value: Any) -> None:
        """Save ``value`` off the event loop, unless a save is under way; close when done."""
        if self._saving:
            return
        self._saving = True
        if self.SAVING:
            errors = self.query_one(self.ERRORS, Static)
            errors.add_class("-note")
            errors.update(Text(self.SAVING, style="italic"))
            errors.display = True
        self._save(value)

    @work(group="form-save", exit_on_error=False, description="save the form")
    async def _save(self, value: Any) -> None:
        try:
            saved = await self.save(value)
        except Refused as exc:
            self.show_problems([str(exc)])
            return
        except Exception as exc:  # shown in the form; the operator may fix it and retry
            reason = sanitize(exc, single_line=True, max_len=300)
            self.show_problems([f"{self.FAILED}: {reason}" if self.FAILED else reason])
            return
        finally:
            self._saving = False
        self.dismiss(saved)


class FormDialog(ModalForm[T]):
    """The alert forms' dialog: ``read_form`` and ``save``; ctrl+s, enter, ctrl+n."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "save", priority=True, tooltip="Save the form"),
        Binding("ctrl+n", "add_matcher", "add matcher", show=False, tooltip="Add a matcher row"),
    ]

    DEFAULT_CSS = (
        box_css("FormDialog", ".form-dialog")
        + """
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
    )

    FAILED = "not saved"
    # Alertmanager may take up to its timeout to answer, and a form that shows nothing
    # meanwhile looks like ctrl+s was not heard.
    SAVING = "saving…"

    # --- what a form provides -----------------------------------------------------------------

    def read_form(self, now: float) -> tuple[Any | None, list[str]]:
        """What the form says (None when it does not read) and the problems that stop it."""
        raise NotImplementedError

    def clock(self) -> float:
        """Now, as the form's actions count it."""
        raise NotImplementedError

    # --- shared parts -------------------------------------------------------------------------

    @staticmethod
    def hint(verb: str, **kwargs: Any) -> Static:
        """``ctrl+s <verb> · enter next field · escape cancel``, muted, under the form."""
        text = key_hint(("ctrl+s", verb), ("enter", "next field"), ("escape", "cancel"))
        return Static(text, classes="form-hint form-muted", **kwargs)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    async def action_add_matcher(self) -> None:
        """A new matcher row, focused; from the rows themselves their own binding does it."""
        rows = self.query(MatcherRows)
        if rows:
            await rows.first().action_add_row()

    def action_submit(self) -> None:
        """Check the form; when it reads, save it (once, however often pressed)."""
        if self.saving:
            return
        value, problems = self.read_form(self.clock())
        self.show_problems(problems)
        if value is not None:
            self.start_save(value)
