"""A bare Textual app: the baseline the console's start-up and terminal cost are compared to.

    .venv/bin/python bench/bare_textual_app.py [--rows 200] [--live]

A clock line, a DataTable of ``--rows`` rows ("bare row N") and a footer: about the least a
Textual console can be. With ``--live`` it updates ten table cells and the clock once a second
(the reference in CRAFT.md: ~1.4 % CPU, ~423 KiB/min at 120x40). It imports nothing of
penguin-tui, so it measures Textual's own price. ``q`` quits.
"""

from __future__ import annotations

import argparse
import random
import time

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Static

COLUMNS = ("status", "item", "value", "for", "seen")


class BareApp(App[None]):
    """Clock, table, footer; with ``live`` ten cells and the clock change every second."""

    BINDINGS = [("q", "quit", "Quit")]
    CSS = "#clock { height: 1; background: $panel; }"

    def __init__(self, rows: int, live: bool) -> None:
        super().__init__()
        self.rows = rows
        self.live = live
        self.rnd = random.Random(1)

    def compose(self) -> ComposeResult:
        yield Static(time.strftime("%H:%M:%S"), id="clock", markup=False)
        yield DataTable(cursor_type="row", id="table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name.title(), key=name)
        for n in range(self.rows):
            table.add_row("OK", f"bare row {n}", f"{self.rnd.uniform(5, 300):.1f} ms", "2h", "now",
                          key=str(n))  # fmt: skip
        table.focus()
        if self.live:
            self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        self.query_one("#clock", Static).update(time.strftime("%H:%M:%S"))
        table = self.query_one(DataTable)
        for n in range(10):  # the first ten rows: on screen, so every change is painted
            table.update_cell(str(n), "value", f"{self.rnd.uniform(5, 300):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument(
        "--live", action="store_true", help="update ten cells and a clock each second"
    )
    args = parser.parse_args()
    BareApp(args.rows, args.live).run()


if __name__ == "__main__":
    main()
