"""The `?` screen: every key of the console, gathered from the live bindings so it never lies."""

from __future__ import annotations

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
                    "[b]1[/b] health · [b]2[/b] alerts · [b]3[/b] incidents · [b]/[/b] filter · "
                    "[b]escape[/b] back · [b]ctrl+p[/b] command palette · [b]q[/b] quit\n"
                    "Status: ✔ OK  ▲ WARN  ✖ CRIT  ? UNKNOWN  ◌ STALE\n"
                    "Alerts: ✖ Critical ▲ High ◆ Medium · Low  ● new  enter: detail, fold a group\n"
                    'Alert filter: [b]severity="critical" service=~"smtp.*"[/b] and words\n'
                    "Incidents: ★ pinned · [reverse]OVERDUE[/reverse] stakeholder update late · "
                    "Investigating → Identified → Monitoring → Resolved → Closed · timeline: "
                    "[b]↑↓[/b] entries, [b]pgup/pgdn[/b], [b]enter[/b] the whole entry"
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
            for binding in _bindings(node):
                key = binding.key_display or self.app.get_key_display(binding)
                if key in seen or not binding.description:
                    continue
                seen.add(key)
                table.add_row(key, binding.tooltip or binding.description, where)
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


def _bindings(node: object) -> list[Binding]:
    out = []
    for item in getattr(node, "BINDINGS", []):
        if isinstance(item, Binding):
            out.append(item)
        elif isinstance(item, tuple) and len(item) >= 3:
            out.append(Binding(item[0], item[1], item[2]))
    return out
