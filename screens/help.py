"""The `?` screen: every key of the console, gathered from the live bindings so it never lies."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """A modal listing the keys of the screen below it and of the app."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back"),
        Binding("question_mark", "dismiss", "Back", show=False),
        Binding("q", "dismiss", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self._keys_table(), id="help-keys")
            yield Static(
                Text.from_markup(
                    "[b]1[/b] health · [b]2[/b] alerts · [b]3[/b] incidents · [b]4[/b] secrets · "
                    "[b]/[/b] filter · "
                    "[b]escape[/b] back · [b]ctrl+p[/b] command palette · [b]q[/b] quit\n"
                    "Status: ✔ OK  ▲ WARN  ✖ CRIT  ? UNKNOWN  ◌ STALE\n"
                    "Alerts: ✖ Critical ▲ High ◆ Medium · Low  ● new  ◌ stale (last known)  "
                    "enter: detail, fold a group · a question: [b]y[/b] yes, any other key no\n"
                    'Alert filter: [b]severity="critical" service=~"smtp.*"[/b] and words\n'
                    "Incidents: ★ pinned · [reverse]OVERDUE[/reverse] stakeholder update late · "
                    "Investigating → Identified → Monitoring → Resolved → Closed · timeline: "
                    "[b]↑↓[/b] entries, [b]pgup/pgdn[/b], [b]enter[/b] the whole entry\n"
                    "Secrets: •••••••• masked (its length hidden too) · [b]r[/b] reveals and "
                    "[b]c[/b] copies one value, both recorded in the audit trail ([b]A[/b]); "
                    "masked again after 30 s or on leaving · ▸/▾ folder, [b]→[/b] unfold, "
                    "[b]←[/b] fold · ⊘ may not list: [b]g[/b] goes to a path · ⚠ overdue for "
                    "rotation · nothing is ever written to Vault"
                ),
                id="help-legend",
            )

    def _keys_table(self) -> Table:
        table = Table(title="Keys", expand=True, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="dim")
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        seen: set[str] = set()
        for where, node in (("this screen", below), ("everywhere", self.app)):
            modes: list[tuple[str, str]] = []
            for binding in _bindings(node):
                key = binding.key_display or self.app.get_key_display(binding)
                if key in seen or not binding.description:
                    continue
                seen.add(key)
                if binding.action.startswith("switch_mode("):
                    modes.append((key, binding.description))  # one row for all of them
                    continue
                table.add_row(key, binding.tooltip or binding.description, where)
            if modes:
                keys = f"{modes[0][0]}-{modes[-1][0]}" if len(modes) > 1 else modes[0][0]
                table.add_row(keys, " · ".join(words for _, words in modes), where)
        for where, classes in getattr(below, "HELP_DIALOGS", ()):
            _dialog_rows(table, where, classes)
        for widget in below.query("*"):
            for binding in _bindings(widget):
                key = binding.key_display or self.app.get_key_display(binding)
                if key in seen or not binding.description or not binding.show:
                    continue
                seen.add(key)
                table.add_row(
                    key, binding.tooltip or binding.description, type(widget).__name__.lower()
                )
        return table


def _dialog_rows(table: Table, where: str, classes: Sequence[type]) -> None:
    """The keys of a dialog the screen opens (its forms, its views), in its own words.

    Escape is left out (the legend says it: back, cancel), and so are aliases of a key
    already listed. Keys are shown as the dialogs' own hints write them: ``ctrl+s``.
    """
    listed: set[str] = set()
    for cls in classes:
        for binding in _bindings(cls):
            key = "/".join(part.strip() for part in binding.key.split(","))
            if key == "escape":
                listed.add(binding.action)  # its aliases (q, S in the silences view) go too
                continue
            if not binding.description or key in listed or binding.action in listed:
                continue
            listed.update((key, binding.action))
            table.add_row(key, binding.tooltip or binding.description, where)


def _bindings(node: object) -> list[Binding]:
    out = []
    for item in getattr(node, "BINDINGS", []):
        if isinstance(item, Binding):
            out.append(item)
        elif isinstance(item, tuple) and len(item) >= 3:
            out.append(Binding(item[0], item[1], item[2]))
    return out
