"""The morning checklist: one row per item, grouped by section, worst first, updated in place.

Rows are keyed by item key. A refresh updates only the cells whose text changed; the table is
rebuilt only when the set or order of rows changed (an item flipped status and moved), and then
the cursor stays on the item it was on. Times are coarse (minutes) so an idle screen does not
repaint every second.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from penguin_tui.check import ReportItem
from penguin_tui.fmt import format_value
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import plain, status_text

SECTION_PREFIX = "§"
PER_CELL_REFRESH_MAX = 24  # more changed cells than this: one repaint of the table
_COLUMNS = ("status", "name", "value", "since", "checked", "spark")  # keys, in table order


def coarse_age(seconds: float | None) -> str:
    """``now``, ``4m``, ``3h``, ``2d``: minute resolution is news enough for a checklist."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}"
    return f"{int(seconds // 86400)}d"


@dataclass(frozen=True, slots=True)
class _Cells:
    status: Text
    name: Text
    value: Text
    since: str
    checked: str
    spark: Text


class Checklist(DataTable):
    """The checklist table. Posts ``Checklist.Selected`` when the cursor moves to an item."""

    BINDINGS = [
        Binding("enter", "open", "Detail", show=False),
    ]

    class Selected(Message):
        """The operator moved to (or opened) an item."""

        def __init__(self, key: str, opened: bool = False) -> None:
            super().__init__()
            self.key = key
            self.opened = opened

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._order: list[str] = []
        self._cells: dict[str, _Cells] = {}
        self._filter = ""
        self._rows: list[ReportItem] = []
        self._sparks: dict[str, str] = {}
        self._now = 0.0
        self._spark_width = 12
        self._keep: str | None = None
        self._row_index: dict[str, int] = {}
        self._cell_cache: dict[str, tuple[tuple[object, ...], _Cells]] = {}
        self._name_width = 22

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.add_column("Status", key="status", width=8)
        self.add_column("Item", key="name", width=self._name_width)
        self.add_column("Value", key="value", width=11)
        self.add_column("For", key="since", width=5)
        self.add_column("Seen", key="checked", width=4)
        self.add_column("24 h", key="spark", width=self._spark_width)

    def fit_width(self, width: int) -> None:
        """Share ``width`` cells between the item name and the sparkline (rebuilt on change)."""
        # Fixed columns: status 8, value 11, for 5, seen 4, plus 2 cells of padding per column.
        free = max(24, width - (8 + 11 + 5 + 4) - 6 * 2 - 2)
        spark = 24 if free >= 56 else 12
        name = max(12, min(40, free - spark))
        if (spark, name) != (self._spark_width, self._name_width):
            self._spark_width, self._name_width = spark, name
            self._keep = self.selected_key  # the cursor stays on its item through a resize
            self.clear(columns=True)
            self._order = []
            self._cells = {}
            self._add_columns()
            self._render_rows()

    @property
    def selected_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        key = self._order[self.cursor_row]
        return None if key.startswith(SECTION_PREFIX) else key

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._render_rows()

    def show(self, rows: list[ReportItem], sparks: dict[str, str], now: float) -> None:
        """Bring the table up to date with the newest rows."""
        self._rows, self._sparks, self._now = rows, sparks, now
        self._render_rows()

    def select_key(self, key: str) -> bool:
        """Move the cursor to an item (clearing a filter that hides it)."""
        if key not in self._order and self._filter:
            self.set_filter("")
        if key in self._order:
            self.move_cursor(row=self._order.index(key))
            return True
        return False

    def _visible(self) -> list[ReportItem]:
        if not self._filter:
            return self._rows
        needle = self._filter
        return [
            r
            for r in self._rows
            if needle in f"{r.name} {r.section} {r.status.value} {r.reason} {r.key}".lower()
        ]

    def _cells_for(self, row: ReportItem) -> _Cells:
        spark = self._sparks.get(row.key, "")[-self._spark_width :]
        since = coarse_age(None if row.since is None else self._now - row.since)
        checked = coarse_age(None if row.checked_at is None else self._now - row.checked_at)
        # Most rows are unchanged between refreshes: reuse their cells rather than building
        # six Text objects per row on the UI thread (500 rows took tens of ms per refresh).
        basis = (row.status, row.name, row.value, row.unit, since, checked, spark)
        cached = self._cell_cache.get(row.key)
        if cached is not None and cached[0] == basis:
            return cached[1]
        before = cached[0] if cached is not None else None
        kept = cached[1] if cached is not None else None
        # Rebuild only the Text objects whose inputs changed (usually just the value): the
        # unchanged ones are the very same objects, which the diff below skips by identity.
        cells = _Cells(
            status=kept.status
            if kept and before and before[0] == row.status
            else status_text(row.status),
            name=kept.name
            if kept and before and before[1] == row.name
            else plain(sanitize(row.name, single_line=True, max_len=60)),
            value=kept.value
            if kept and before and before[2:4] == (row.value, row.unit)
            else Text(format_value(row.value, row.unit), justify="right"),
            since=since,
            checked=checked,
            spark=kept.spark
            if kept and before and before[6] == spark
            else Text(spark, style="cyan"),
        )
        self._cell_cache[row.key] = (basis, cells)
        return cells

    def _render_rows(self) -> None:
        rows = self._visible()
        order: list[str] = []
        section = None
        for row in rows:
            if row.section != section:
                section = row.section
                order.append(SECTION_PREFIX + section)
            order.append(row.key)
        cells = {row.key: self._cells_for(row) for row in rows}
        if order == self._order:
            self._update_changed(cells)
        elif set(order) == set(self._order):
            self._update_changed(cells)
            self._reorder(order)
        else:
            self._rebuild(order, cells)
        self._cells = cells

    def _rebuild(self, order: list[str], cells: dict[str, _Cells]) -> None:
        keep = self.selected_key or self._keep
        self._keep = None
        scroll_y = self.scroll_y  # clear() scrolls home; an operator reading row 30 stays there
        with self.app.batch_update():
            self.clear()
            for key in order:
                if key.startswith(SECTION_PREFIX):
                    title = Text(key[len(SECTION_PREFIX) :], style="bold underline")
                    self.add_row("", title, "", "", "", "", key=key)
                else:
                    c = cells[key]
                    self.add_row(c.status, c.name, c.value, c.since, c.checked, c.spark, key=key)
            self._order = order
            self._row_index = {key: index for index, key in enumerate(order)}
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            if keep in order:
                self.move_cursor(row=order.index(keep), animate=False, scroll=False)
            elif len(order) > 1:
                self.move_cursor(row=1, animate=False, scroll=False)

    def _reorder(self, order: list[str]) -> None:
        """Same rows, new order (an item changed status): move them without a rebuild.

        Rebuilding 500 rows on the UI thread stalled keypresses by ~100 ms whenever a status
        flipped; this does what ``DataTable.sort`` does internally, with our own order.
        """
        keep = self.selected_key
        self._row_locations = TwoWayDict({RowKey(key): i for i, key in enumerate(order)})
        self._update_count += 1
        self._order = order
        self._row_index = {key: index for index, key in enumerate(order)}
        self.refresh()
        if keep in self._row_index:
            self.move_cursor(row=self._row_index[keep], animate=False, scroll=False)

    def _update_changed(self, cells: dict[str, _Cells]) -> None:
        changes: list[tuple[str, str, Text | str]] = []
        for key, new in cells.items():
            old = self._cells.get(key)
            if old is new:
                continue
            for column in _COLUMNS:
                value = getattr(new, column)
                if old is None:
                    changes.append((key, column, value))
                    continue
                previous = getattr(old, column)
                if previous is not value and previous != value:
                    changes.append((key, column, value))
        if not changes:
            return
        # DataTable.update_cell repaints the whole table per call: over SSH that turned every
        # new response time into a full repaint (most of the console's bytes). A few changed
        # cells are repainted one by one; many (a refresh of hundreds of rows) in one repaint,
        # since hundreds of per-cell region computations cost more than one full paint.
        # ``_data`` and ``_update_count`` are DataTable internals (textual is pinned below 9;
        # the UI tests cover the result on screen).
        for key, column, value in changes:
            self._data[RowKey(key)][ColumnKey(column)] = value
        self._update_count += 1
        if len(changes) > PER_CELL_REFRESH_MAX:
            self.refresh()
            return
        for key, column, _value in changes:
            self.refresh_coordinate(Coordinate(self._row_index[key], _COLUMNS.index(column)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key and not key.startswith(SECTION_PREFIX):
            self.post_message(self.Selected(key))

    def action_open(self) -> None:
        key = self.selected_key
        if key:
            self.post_message(self.Selected(key, opened=True))
