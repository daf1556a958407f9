"""Uptime against the target: per service, 24 h / 7 d / 30 d uptime and error budget left.

Each window's cell carries its budget status as symbol and colour together with the figures
(``✔ 99.95% 88%``: uptime, then the share of the budget left), so it reads the same without
colour. The selected row's budgets are spelled out in time below the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from penguin_tui.durations import format_duration
from penguin_tui.text import sanitize
from penguin_tui.uptime import (
    WINDOWS,
    Budget,
    ServiceUptime,
    format_left,
    format_planned,
    format_span,
    format_uptime,
    service_uptimes,
)
from penguin_tui.widgets.status import STATUS_STYLE, plain, status_text

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp


def budget_cell(budget: Budget) -> Text:
    """``✔ 99.95% 88%`` in the budget's status colour (``spent`` once overspent)."""
    pct = budget.left_pct
    if budget.left_s is None:
        left = "—"
    elif budget.left_s < 0:
        left = "spent"
    else:
        left = "—" if pct is None else f"{pct:.0f}%"
    return Text(
        f"{budget.status.symbol} {format_uptime(budget.uptime)} {left}",
        style=STATUS_STYLE[budget.status],
    )


def budget_line(budget: Budget) -> str:
    """``30 d  99.95%  used 5m 10s of 43m 12s: 38m 2s left (88%)  planned: 2h 10m``."""
    used = "—" if budget.used_s is None else format_span(budget.used_s)
    planned = format_planned(budget)
    return (
        f"{budget.label:>4}  {format_uptime(budget.uptime):>7}  used {used} of "
        f"{format_span(budget.allowed_s)}: {format_left(budget)}"
        + (f"  {planned}" if planned else "")
    )


def coverage_note(service: ServiceUptime) -> str:
    """``the cache holds 12h of data: downtime so far`` when a window is not fully covered."""
    partial = [b for b in service.budgets if b.partial and b.covered_s is not None]
    if not partial:
        return ""
    longest = max(partial, key=lambda b: b.window_s)
    held = format_duration(longest.covered_s or 0.0)
    return f"the cache holds {held} of data: longer windows count the downtime so far"


class UptimeScreen(ModalScreen[None]):
    """A modal table of every service's uptime and error budget."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back"),
        Binding("u", "dismiss", "Back", show=False),
        Binding("q", "dismiss", "Back", show=False),
    ]

    DEFAULT_CSS = """
    UptimeScreen {
        align: center middle;
    }
    #uptime-dialog {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #uptime-table {
        height: auto;
        max-height: 20;
    }
    #uptime-detail {
        height: auto;
        margin: 1 0 0 0;
    }
    #uptime-hint {
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.services: dict[str, ServiceUptime] = {}

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="uptime-dialog") as dialog:
            dialog.border_title = f"Uptime against the {self.papp.config.uptime_target:g}% target"
            table: DataTable = DataTable(id="uptime-table", cursor_type="row", zebra_stripes=False)
            yield table
            yield Static("Reading the cache…", id="uptime-detail", markup=False)
            yield Static(
                "each window: uptime, then error budget left · escape back",
                id="uptime-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # 20 + 3 x 15 columns (with padding) fit an 80-column terminal.
        table.add_column("Service", key="name", width=20)
        for label, _span in WINDOWS:
            table.add_column(label, key=label, width=15)
        table.focus()
        self.load()

    @work(
        exclusive=True,
        group="uptime-load",
        exit_on_error=False,
        description="compute uptime and error budgets from the cache",
    )
    async def load(self) -> None:
        app = self.papp
        try:
            services = await app.reader.call(service_uptimes, app.config, app.clock())
        except Exception as exc:  # shown in the dialog, never a crash
            self.query_one("#uptime-detail", Static).update(
                f"Cannot read the cache: {sanitize(exc, single_line=True, max_len=200)}"
            )
            return
        self.show(services)

    def show(self, services: list[ServiceUptime]) -> None:
        """Fill the table (once: the figures move too slowly to be worth a live refresh)."""
        self.services = {s.key: s for s in services}
        table = self.query_one(DataTable)
        for service in services:
            table.add_row(
                plain(sanitize(service.name, single_line=True, max_len=40)),
                *(budget_cell(b) for b in service.budgets),
                key=service.key,
            )
        if not services:
            self.query_one("#uptime-detail", Static).update("No services (checks) are configured.")
            return
        self._detail(services[0].key)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._detail(event.row_key.value)

    def _detail(self, key: str) -> None:
        service = self.services.get(key)
        if service is None:
            return
        text = status_text(service.status)
        text.append(" " + sanitize(service.name, single_line=True, max_len=60), style="bold")
        for budget in service.budgets:
            text.append("\n")
            text.append(f"{budget.status.symbol} ", STATUS_STYLE[budget.status])
            text.append(budget_line(budget))
        note = coverage_note(service)
        if note:
            text.append(f"\n{note}", style="dim")
        self.query_one("#uptime-detail", Static).update(text)
