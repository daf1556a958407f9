"""The secret browser's small dialogs: go to a path, pick a version, pick two versions to diff.

Each is keyboard-only and dismisses with its answer (None when escaped). "Go to path" checks
the path before closing: its ``submit`` runs on the event loop and awaits Vault off it, and a
refusal (no such mount, not found, permission denied) is shown in the dialog so the operator
can fix the path. Version labels come from the secret's metadata (numbers, states and times:
no secret text); a path typed or proposed is Vault's text and is shown as plain ``Text``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from penguin_tui.screens.form_dialog import dialog_css, key_hint
from penguin_tui.text import sanitize

GotoSubmit = Callable[[str], Awaitable[str | None]]  # the refusal's words, or None: done


def _dialog_css(name: str) -> str:
    """The dialogs' frame, 76 columns, with lists as tall as their versions (14 at most)."""
    return (
        dialog_css(name, 76)
        + f"""
    {name} OptionList {{
        height: auto;
        max-height: 14;
    }}
    """
    )


class GotoPrompt(ModalScreen[str | None]):
    """ "Go to path": a secret or a folder (ending in /) the token may read but not list."""

    DEFAULT_CSS = _dialog_css("GotoPrompt")
    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Close, going nowhere")]

    def __init__(self, submit: GotoSubmit, value: str = "", *, note: str = "") -> None:
        super().__init__()
        self.submit = submit
        self.value = value
        self.note = note
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = "Go to path"
            if self.note:
                yield Static(Text(self.note), classes="hint")
            yield Input(
                self.value,
                placeholder="secret/app/db  (a folder ends in /)",
                id="goto-path",
                max_length=1000,
                compact=True,
                select_on_focus=False,  # typing adds the secret's name to the folder
            )
            yield Static("", classes="errors", id="goto-errors", markup=False)
            yield Static(key_hint(("enter", "go"), ("escape", "cancel")), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#goto-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self._busy:
            self._busy = True
            self._go(event.value)

    @work(group="goto", exit_on_error=False, description="go to a Vault path")
    async def _go(self, text: str) -> None:
        errors = self.query_one("#goto-errors", Static)
        errors.update(Text("looking…", style="dim"))
        try:
            refusal = await self.submit(text)
        except Exception as exc:  # shown, never a crash; the message is already scrubbed
            refusal = sanitize(str(exc), single_line=True, max_len=300) or type(exc).__name__
        finally:
            self._busy = False
        if refusal:
            errors.update(Text(refusal))
            return
        self.dismiss(text.strip())


@dataclass(frozen=True, slots=True)
class VersionChoice:
    """One version as the pickers list it."""

    version: int
    state: str  # live, deleted, destroyed
    when: str  # created, as the screen writes times

    def label(self, shown: int | None = None) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"v{self.version:<4}", style="bold")
        style = {"deleted": "yellow", "destroyed": "red"}.get(self.state, "green")
        text.append(f"{self.state:<10}", style=style)
        text.append(self.when, style="dim")
        if self.version == shown:
            text.append("  ◀ shown", style="bold")
        return text


def _options(choices: Sequence[VersionChoice], shown: int | None) -> list[Option]:
    return [Option(c.label(shown), id=str(c.version)) for c in choices]


def _highlight(option_list: OptionList, version: int | None) -> None:
    if version is None:
        return
    for index in range(option_list.option_count):
        if option_list.get_option_at_index(index).id == str(version):
            option_list.highlighted = index
            return


class VersionPicker(ModalScreen[int | None]):
    """Pick one version to read (deleted and destroyed ones are listed, and say so)."""

    DEFAULT_CSS = _dialog_css("VersionPicker")
    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Close, reading nothing")]

    def __init__(self, title: str, choices: Sequence[VersionChoice], shown: int | None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = "Read a version"
            yield Static(Text(self.title_text, style="bold"), classes="hint")
            yield OptionList(*_options(self.choices, self.shown), id="version-options")
            yield Static(key_hint(("enter", "read it"), ("escape", "cancel")), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        _highlight(options, self.shown)
        options.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))


class DiffPicker(ModalScreen[tuple[int, int] | None]):
    """Pick two versions: the older on the left, the newer on the right; enter on the left
    moves right, enter on the right compares (tab moves between them too)."""

    DEFAULT_CSS = (
        _dialog_css("DiffPicker")
        + """
    DiffPicker Horizontal {
        height: auto;
    }
    DiffPicker OptionList {
        width: 1fr;
    }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Close, comparing nothing")]

    def __init__(
        self, title: str, choices: Sequence[VersionChoice], old: int | None, new: int | None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.old = old
        self.new = new

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = "Compare two versions"
            yield Static(Text(self.title_text, style="bold"), classes="hint")
            with Horizontal():
                yield OptionList(*_options(self.choices, None), id="diff-old")
                yield OptionList(*_options(self.choices, None), id="diff-new")
            yield Static("", classes="errors", id="diff-errors", markup=False)
            yield Static(
                key_hint(("enter", "from → to"), ("tab", "switch"), ("escape", "cancel")),
                classes="hint",
            )

    def on_mount(self) -> None:
        old = self.query_one("#diff-old", OptionList)
        new = self.query_one("#diff-new", OptionList)
        old.border_title, new.border_title = "from (older)", "to (newer)"
        _highlight(old, self.old)
        _highlight(new, self.new)
        old.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#diff-old")
    def _picked_old(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#diff-new", OptionList).focus()

    @on(OptionList.OptionSelected, "#diff-new")
    def _picked_new(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        old_list = self.query_one("#diff-old", OptionList)
        if old_list.highlighted is None:
            return
        old = int(old_list.get_option_at_index(old_list.highlighted).id or 0)
        new = int(event.option.id or 0)
        if old == new:
            self.query_one("#diff-errors", Static).update(
                Text("pick two different versions", style="bold")
            )
            return
        self.dismiss((min(old, new), max(old, new)))
