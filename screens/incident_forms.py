"""The incident screens' forms: declare, the choice prompts (status, severity, roles, milestone,
alert to link), a correction, the stakeholder-update editor and one entry in full.

Every form hands what the operator asked for to a ``submit`` callback (the screen's write,
on the cache reader's thread) and stays open with the refusal in it when the cache says no
(an illegal transition someone else's change made illegal a moment ago, an empty note), so
nothing typed is lost. Escape cancels. Everything shown from the cache is sanitised Text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from penguin_tui.alerts.model import Severity
from penguin_tui.fmt import local_datetime
from penguin_tui.incidents.entries import parse_severity
from penguin_tui.incidents.model import TEXT_MAX, TITLE_MAX, IncidentError
from penguin_tui.incidents.view import TimelineItem, clean
from penguin_tui.screens.form_dialog import ModalForm, Refused, dialog_css, key_hint
from penguin_tui.screens.maintenance_form import services_input, split_services

# What a form's submit returns: None when done, else the message to show in the form.
Submit = Callable[..., Awaitable[str | None]]
KNOWN_SHOWN = 8


def _form_css(name: str) -> str:
    """The dialog's frame, with fields of an 11-column label and an input filling the rest."""
    return (
        dialog_css(name)
        + f"""
    {name} .field {{
        height: 1;
    }}
    {name} .field Label {{
        width: 11;
    }}
    {name} .field Input {{
        width: 1fr;
    }}
    """
    )


def severity_from(text: str) -> Severity:
    """``crit``, ``High``, ``sev2``, ``p3``...: a prefix of a severity's name is enough."""
    word = text.strip().lower()
    if word:
        for sev in Severity:
            if sev.name.lower().startswith(word):
                return sev
    return parse_severity(text)


class _Form(ModalForm[bool]):
    """ModalForm around the screen's ``submit``: its refusal keeps the form open with the
    refusal's words in ``.errors``; done, the form dismisses with True."""

    BINDINGS = [Binding("ctrl+s", "submit", "submit", priority=True)]
    ERRORS = ".errors"

    def __init__(self, submit: Submit) -> None:
        super().__init__()
        self._submit = submit

    def send(self, *args: object) -> None:
        """Hand ``args`` to submit (once, however often pressed); close when it is done."""
        self.start_save(args)

    async def save(self, value: tuple[object, ...]) -> bool:
        problem = await self._submit(*value)
        if problem:
            raise Refused(problem)
        return True

    def action_submit(self) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError


# --------------------------------------------------------------------------------- declare


@dataclass(frozen=True, slots=True)
class Declaration:
    """What the declare form read (checked: the title is not empty, the severity known)."""

    title: str
    severity: Severity
    services: tuple[str, ...]
    summary: str
    impact: str
    commander: str


class DeclareForm(_Form):
    """Title (required), severity, services (completed from the checklist), summary, impact
    and commander. ``submit(Declaration)`` declares it."""

    DEFAULT_CSS = _form_css("DeclareForm")

    def __init__(self, submit: Submit, names: Sequence[str] = (), commander: str = "") -> None:
        super().__init__(submit)
        self.names = list(names)
        self.commander = commander

    def compose(self) -> ComposeResult:
        with Vertical(id="declare-dialog") as dialog:
            dialog.border_title = "Declare an incident"
            yield from self._field("Title", "declare-title", "what is wrong (required)", TITLE_MAX)
            with Horizontal(classes="field"):
                yield Label("Severity")
                yield Input(
                    "high",
                    id="declare-severity",
                    compact=True,
                    max_length=20,
                    suggester=SuggestFromList(["critical", "high", "medium", "low"]),
                )
            yield Static(
                Text("           critical · high · medium · low", style="dim"), classes="hint"
            )
            with Horizontal(classes="field"):
                yield Label("Services")
                yield services_input("declare-services", self.names)
            if self.names:
                shown = ", ".join(clean(n, 30) for n in self.names[:KNOWN_SHOWN])
                more = " …" if len(self.names) > KNOWN_SHOWN else ""
                yield Static(
                    Text(f"           known: {shown}{more}", no_wrap=True, overflow="ellipsis"),
                    classes="hint",
                )
            yield from self._field("Summary", "declare-summary", "what is known so far", TEXT_MAX)
            yield from self._field("Impact", "declare-impact", "who is affected, how", TEXT_MAX)
            yield from self._field("Commander", "declare-commander", "who leads (optional)", 100)
            yield Static("", classes="errors")
            yield Static(
                key_hint(("ctrl+s", "declare"), ("enter", "next field"), ("escape", "cancel")),
                classes="hint",
            )

    @staticmethod
    def _field(label: str, field_id: str, placeholder: str, limit: int) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label)
            yield Input(placeholder=placeholder, id=field_id, compact=True, max_length=limit)

    def on_mount(self) -> None:
        self.query_one(".errors", Static).display = False
        if self.commander:
            self.query_one("#declare-commander", Input).value = self.commander
        self.query_one("#declare-title", Input).focus()

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def read(self) -> tuple[Declaration | None, list[str]]:
        """The declaration as typed, or what stops it."""
        problems = []
        title = self._value("declare-title").strip()
        if not title:
            problems.append("the title is empty: say in a few words what is wrong")
        severity = Severity.HIGH
        try:
            severity = severity_from(self._value("declare-severity"))
        except IncidentError as exc:
            problems.append(str(exc))
        if problems:
            return None, problems
        declaration = Declaration(
            title,
            severity,
            split_services(self._value("declare-services")),
            self._value("declare-summary").strip(),
            self._value("declare-impact").strip(),
            self._value("declare-commander").strip(),
        )
        return declaration, []

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_submit(self) -> None:
        declaration, problems = self.read()
        self.show_problems(problems)
        if declaration is not None:
            self.send(declaration)


# ------------------------------------------------------------------------- choice prompts


class ChoicePrompt(_Form):
    """Pick one of ``options`` (id, label), optionally with a line of text (a reason, a name,
    a time). ``submit(option_id, text)``; enter on the list or in the text submits."""

    DEFAULT_CSS = (
        _form_css("ChoicePrompt")
        + """
    ChoicePrompt OptionList {
        height: auto;
        max-height: 12;
    }
    ChoicePrompt .context {
        height: auto;
        max-height: 4;
    }
    """
    )

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, Text]],
        submit: Submit,
        *,
        text_label: str = "",
        text_value: str = "",
        placeholder: str = "",
        context: Text | None = None,
        note: str = "",
        empty: str = "nothing to choose",
        current: str | None = None,
    ) -> None:
        super().__init__(submit)
        self.title_text = title
        self.options = list(options)
        self.text_label = text_label
        self.text_value = text_value
        self.placeholder = placeholder
        self.context = context
        self.note = note
        self.empty = empty
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = self.title_text
            if self.context is not None:
                yield Static(self.context, classes="context")
            if self.options:
                yield OptionList(
                    *(Option(label, id=option_id) for option_id, label in self.options),
                    id="choice-options",
                )
            elif not self.text_label:
                yield Static(Text(self.empty, style="italic"))
            if self.text_label:
                with Horizontal(classes="field"):
                    yield Label(self.text_label)
                    yield Input(
                        self.text_value,
                        placeholder=self.placeholder,
                        id="choice-text",
                        compact=True,
                    )
            if self.note:
                yield Static(Text(self.note, style="dim"), classes="hint")
            yield Static("", classes="errors")
            keys = [("enter", "choose" if self.options else "save")]
            if self.options and self.text_label:
                keys.append(("tab", self.text_label.lower()))
            keys.append(("escape", "cancel"))
            yield Static(key_hint(*keys), classes="hint")

    def on_mount(self) -> None:
        self.query_one(".errors", Static).display = False
        if self.options:
            options = self.query_one(OptionList)
            ids = [option_id for option_id, _ in self.options]
            options.highlighted = ids.index(self.current) if self.current in ids else 0
            options.focus()
        elif self.text_label:
            self.query_one("#choice-text", Input).focus()

    def _text(self) -> str:
        found = self.query("#choice-text")
        return found.first(Input).value if found else ""

    def chosen(self) -> str:
        """The option under the cursor ("" when there are no options)."""
        if not self.options:
            return ""
        index = self.query_one(OptionList).highlighted
        return self.options[index or 0][0]

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.send(event.option.id or "", self._text())

    @on(Input.Submitted, "#choice-text")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.options or self.text_label:
            self.send(self.chosen(), self._text())


# ------------------------------------------------------------------------ update editor


class UpdateEditor(_Form):
    """The stakeholder update, drafted, for the commander to edit. ``submit(text)`` records
    it (and the screen copies it to the clipboard)."""

    DEFAULT_CSS = (
        _form_css("UpdateEditor")
        + """
    UpdateEditor TextArea {
        height: 12;
    }
    """
    )

    def __init__(self, incident_id: str, draft: str, submit: Submit) -> None:
        super().__init__(submit)
        self.incident_id = incident_id
        self.draft = draft

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = f"Stakeholder update · {self.incident_id}"
            yield TextArea(self.draft, id="update-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", classes="errors")
            keys = key_hint(("ctrl+s", "record and copy"), ("escape", "cancel"))
            yield Static(keys, classes="hint")

    def on_mount(self) -> None:
        self.query_one(".errors", Static).display = False
        self.query_one(TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_submit(self) -> None:
        self.send(self.text)


# --------------------------------------------------------------------------- one entry


class EntryView(ModalScreen[None]):
    """One timeline entry in full (the log cuts long ones)."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "close")]

    DEFAULT_CSS = """
    EntryView {
        align: center middle;
    }
    EntryView > Vertical {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    EntryView VerticalScroll {
        height: auto;
        max-height: 30;
    }
    EntryView .hint {
        color: $text-muted;
    }
    """

    def __init__(self, item: TimelineItem, label: str) -> None:
        super().__init__()
        self.item = item
        self.label = label

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical() as dialog:
            dialog.border_title = f"#{item.id} {self.label}"
            head = Text(f"{local_datetime(item.entry.ts)} · ", style="dim")
            head.append(item.author, style="bold")
            if item.entry.host:
                head.append(f"@{clean(item.entry.host, 60)}", style="dim")
            yield Static(head)
            with VerticalScroll():
                yield Static(Text(item.text), id="entry-text")
            yield Static(key_hint(("escape", "close")), classes="hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
