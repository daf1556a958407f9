"""The bastion's own figures (CPU, load, memory, swap, disk, network) in one compact block."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from penguin_tui.check import ReportItem
from penguin_tui.fmt import format_value
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE, set_text


class HostPanel(Static):
    """``✔ cpu 12%  ✔ load 0.40  ▲ memory 74%  ✔ disk / 41%  rx 2.0 KiB/s``."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]

    def show(self, rows: list[ReportItem], *, enabled: bool = True) -> None:
        text = Text()
        for row in sorted(rows, key=lambda r: r.key):
            name = sanitize(row.name, single_line=True, max_len=24)
            text.append(f"{row.status.symbol} ", style=STATUS_STYLE[row.status])
            text.append(f"{name} ", style="bold")
            text.append(f"{format_value(row.value, row.unit)}   ")
        if not enabled:
            text.append("Host figures are off ([host] enabled = false).", style="dim")
        elif not rows:
            text.append("Host figures appear after the first sample.", style="dim")
        set_text(self, text)
