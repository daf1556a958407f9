"""The live alert table: worst first, keyed by fingerprint, diffed in place.

A refresh touches only the rows whose ``AlertRow`` object changed (the view builder hands back
the same object for an unchanged alert): their cells are replaced in place, new rows are added,
gone rows removed, and a new order is applied by re-pointing DataTable's row index (what
``DataTable.sort`` does internally) rather than rebuilding. 10,000 rows therefore cost one bulk
insert the first time and a few milliseconds per refresh after that; the cursor stays on the
alert it was on whatever moved.

Every text cell is sanitised, single-line and capped, and is a rich ``Text``: DataTable parses
plain strings as markup, which an alert's labels must never be.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey

from penguin_tui.alerts.model import AlertState, Severity
from penguin_tui.alerts.view import AlertRow, GroupRow
from penguin_tui.alerts.view import Row as ViewRow
from penguin_tui.gc_pause import gc_paused
from penguin_tui.text import sanitize

COLUMNS = ("new", "severity", "state", "age", "alertname", "subject", "summary")
PER_CELL_REFRESH_MAX = 24  # more changed cells than this: one repaint of the table
NEW_MARK = "●"
STALE_MARK = "◌"  # the last known copy: its source did not answer the last poll
WIDE_AT = 100  # table width from which severities are spelled out and names get more room

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "bold yellow",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "",
}
SEVERITY_SHORT = {
    Severity.CRITICAL: "crit",
    Severity.HIGH: "high",
    Severity.MEDIUM: "med",
    Severity.LOW: "low",
}
STATE_STYLE = {
    AlertState.FIRING: "bold",
    AlertState.ACKED: "green",
    AlertState.SILENCED: "dim",
    AlertState.INHIBITED: "dim italic",
    AlertState.RESOLVED: "green dim",
}
STALE_STYLE = "dim"


def severity_text(severity: Severity, *, wide: bool = True) -> Text:
    """``✖ Critical`` (``✖ crit`` when narrow): symbol and word, so NO_COLOR loses nothing."""
    word = severity.title if wide else SEVERITY_SHORT[severity]
    return Text(f"{severity.symbol} {word}", style=SEVERITY_STYLE[severity], no_wrap=True)


def cell(text: str, style: str = "", max_len: int = 200) -> Text:
    """Untrusted text as one capped line of Text (never parsed as markup)."""
    clean = sanitize(text, single_line=True, max_len=max_len)
    return Text(clean, style=style, no_wrap=True, overflow="ellipsis", end="")


class LazyText:
    """A text cell made into ``cell(...)`` the first time its row is drawn.

    A 10,000-row table draws the 30 or so rows on screen; sanitising and wrapping 30,000
    strings up front was most of the first render (~300 of ~400 ms). Rich asks for the Text
    through ``__rich__``, so nothing unsanitised can reach the terminal.
    """

    __slots__ = ("_max", "_raw", "_style", "_text")

    def __init__(self, raw: str, style: str = "", max_len: int = 200) -> None:
        self._raw, self._style, self._max = raw, style, max_len
        self._text: Text | None = None

    def __rich__(self) -> Text:
        if self._text is None:
            self._text = cell(self._raw, self._style, self._max)
        return self._text

    @property
    def plain(self) -> str:
        """The sanitised text shown."""
        return self.__rich__().plain

    def __str__(self) -> str:
        return self.plain


Cell = Text | LazyText


class _LazyCells(dict):
    """One row's cells, made the first time DataTable reads one of them (to draw the row, or
    ``get_cell``). A first show of 10,000 rows draws ~40: making every row's cells up front
    was most of its ~95 ms. Until then the dict is empty; ``table._data[key][column]``
    makes it whole. (DataTable reads a row's cells by key only, never by iterating them.)"""

    __slots__ = ("_row", "_table")

    def __init__(self, table: AlertTable, row: ViewRow) -> None:
        super().__init__()
        self._table: AlertTable | None = table
        self._row = row

    def __missing__(self, column: ColumnKey) -> Cell:
        table = self._table
        if table is None:
            raise KeyError(column)
        self._table = None  # made once; a later miss is a real one
        self.update(table._cells(self._row))
        return self[column]


class _Widths:
    """Column widths for a table ``width`` cells wide (the summary takes what is left)."""

    def __init__(self, width: int) -> None:
        self.wide = width >= WIDE_AT
        self.values = {
            "new": 1,
            "severity": 10 if self.wide else 6,
            "state": 9,
            "age": 4,
            "alertname": 24 if self.wide else 16,
            "subject": 20 if self.wide else 12,
        }
        used = sum(self.values.values()) + 2 * len(COLUMNS) + 2  # cell padding + scrollbar
        self.values["summary"] = max(10, width - used)

    def key(self) -> tuple[int, ...]:
        return tuple(self.values[c] for c in COLUMNS)


class AlertTable(DataTable):
    """Alerts under group headers. Posts ``AlertTable.Selected`` when the cursor moves."""

    BINDINGS = [
        Binding("enter", "open", "detail", show=False),
        # DataTable's home/end scroll sideways; in a list of alerts they mean first and last.
        Binding("home", "scroll_top", "first", show=False),
        Binding("end", "scroll_bottom", "last", show=False),
    ]

    class Selected(Message):
        """The cursor moved to a row (``opened``: enter was pressed on it)."""

        def __init__(self, key: str, opened: bool = False) -> None:
            super().__init__()
            self.key = key
            self.opened = opened

    def __init__(self, **kwargs: object) -> None:
        # Before DataTable's own set-up, which reads ordered_rows (below).
        self._keys: list[str] = []
        self._row_meta: dict[str, Row] = {}  # DataTable's Row of each key (all one line high)
        self._ordered: tuple[list[Row], list[tuple[RowKey, int]]] | None = None
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._index: dict[str, int] = {}
        self._rows: dict[str, ViewRow] = {}
        self._row_keys: dict[str, RowKey] = {}
        self._widths = _Widths(120)
        self._column_keys = tuple(ColumnKey(c) for c in COLUMNS)
        self._const: dict[tuple[object, ...], Text] = {}
        self._selected: str | None = None

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        labels = ("", "Severity", "State", "Age", "Alert", "Service", "Summary")
        for key, label in zip(COLUMNS, labels, strict=True):
            self.add_column(label, key=key, width=self._widths.values[key])
        self._label_severity()

    def _label_severity(self) -> None:
        label = "Severity" if self._widths.wide else "Sev"
        self.columns[ColumnKey("severity")].label = Text(label)

    # --- what the rest of the screen asks -----------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor (an alert's fingerprint or ``group:<value>``)."""
        row = self.cursor_row
        if 0 <= row < len(self._keys):
            return self._keys[row]
        return None

    @property
    def keys(self) -> list[str]:
        """Row keys in display order."""
        return list(self._keys)

    def row(self, key: str) -> ViewRow | None:
        return self._rows.get(key)

    def select_key(self, key: str) -> bool:
        """Put the cursor on ``key``'s row, if it is shown."""
        index = self._index.get(key)
        if index is None:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    def fit_width(self, width: int) -> None:
        """Give the summary what the fixed columns leave (re-rendering cells only on change)."""
        widths = _Widths(width)
        if widths.key() == self._widths.key():
            return
        wide_changed = widths.wide != self._widths.wide
        self._widths = widths
        for key in COLUMNS:
            self.columns[ColumnKey(key)].width = widths.values[key]
        self._label_severity()
        if wide_changed:  # severity words change with the width: remake every row's cells
            for key, row in self._rows.items():
                self._data[self._row_keys[key]] = _LazyCells(self, row)
        self._update_count += 1
        self._clear_caches()
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh(layout=True)

    # --- the diff -----------------------------------------------------------------------------

    def show(self, keys: Sequence[str], rows: Sequence[ViewRow]) -> int:
        """Bring the table up to date with ``rows`` (in display order); returns rows touched."""
        keep = self.selected_key  # the row under the cursor as the operator sees it now
        keys = list(keys)
        if keys == self._keys:
            return self._update_in_place(rows)
        with gc_paused():  # thousands of rows' keys and entries at once, acyclic (gc_pause)
            touched = self._apply_order(keys, rows)
        index = self._index.get(keep) if keep is not None else None
        if index is None:  # the alert left the list: stay at the same height
            index = min(max(self.cursor_row, 0), len(keys) - 1)
        if index >= 0:
            # Follow the alert to its new place (scrolling only if it left the screen).
            self.move_cursor(row=index, animate=False, scroll=True)
        self._announce(self.selected_key)
        return touched

    def _update_in_place(self, rows: Sequence[ViewRow]) -> int:
        """Same rows in the same order: replace the cells of the rows that changed."""
        old_rows = self._rows
        changes: list[tuple[str, int]] = []
        for row in rows:
            key = row.key
            old = old_rows.get(key)
            if old is row:
                continue
            before = self._data[self._row_keys[key]]
            after = self._cells(row, old)
            for index, column in enumerate(self._column_keys):
                if before[column] is not after[column]:
                    changes.append((key, index))
            self._data[self._row_keys[key]] = after
            old_rows[key] = row
        if not changes:
            return 0
        # Same rows in the same order, one line each: DataTable's row order and line offsets
        # (cached by _update_count; rebuilt by walking all 10,000 rows) stay valid, so only
        # the rendered cells are dropped. Only changed cells on screen are repainted: most
        # changes in a long list are below the fold and cost no frame (bench_alerts.py).
        for cache in (
            self._cell_render_cache,
            self._row_renderable_cache,
            self._row_render_cache,
            self._line_cache,
        ):
            cache.clear()
        top, height = int(self.scroll_y), self.size.height
        shown = []
        for key, column in changes:
            index = self._index[key]
            if top <= index < top + height:  # on screen (generous by the header's line)
                shown.append((index, column))
        # DataTable.update_cell repaints the whole table per call; a few changed cells are
        # repainted one by one, many in a single repaint (see widgets/checklist.py).
        if len(shown) > PER_CELL_REFRESH_MAX:
            self.refresh()
        else:
            for index, column in shown:
                self.refresh_coordinate(Coordinate(index, column))
        return len({key for key, _ in changes})

    def _apply_order(self, keys: list[str], rows: Sequence[ViewRow]) -> int:
        """New set or order of rows: add, remove and re-point without rebuilding the table.

        DataTable.add_row/remove_row cost O(rows) each (remove_row re-indexes every row, and
        add_row's cells are measured on idle); 100 of them on a 10,000-row table took seconds.
        Columns have fixed widths here, so nothing needs measuring: the rows go straight into
        the table's row maps and the index is rebuilt once (``_data``, ``rows``,
        ``_row_locations`` and ``_update_count`` are DataTable internals; textual is pinned
        below 9 and the UI tests check the result on screen).
        """
        new_rows = {row.key: row for row in rows}
        touched = 0
        for key in [k for k in self._rows if k not in new_rows]:
            row_key = self._row_keys.pop(key)
            del self._data[row_key]
            del self.rows[row_key]
            del self._rows[key]
            del self._row_meta[key]
            touched += 1
        for key, row in new_rows.items():
            old = self._rows.get(key)
            if old is row:
                continue
            row_key = self._row_keys.get(key)
            if row_key is None:
                row_key = self._row_keys[key] = RowKey(key)
                self.rows[row_key] = self._row_meta[key] = Row(row_key, 1)
                self._data[row_key] = _LazyCells(self, row)
            else:
                self._data[row_key] = self._cells(row, old)
            self._rows[key] = row
            touched += 1
        row_keys = self._row_keys
        self._row_locations = TwoWayDict({row_keys[key]: i for i, key in enumerate(keys)})
        self._keys = keys
        self._index = {key: i for i, key in enumerate(keys)}
        self._ordered = None  # ordered_rows and _y_offsets: made again when next asked
        self._update_count += 1
        self._require_update_dimensions = True  # virtual height; no new rows to measure
        self._new_rows.clear()
        self.check_idle()
        self.refresh(layout=True)
        return touched

    # --- DataTable's row order, kept until the order changes ----------------------------------

    # DataTable rebuilds both lists below from its row index, RowKey by RowKey, whenever its
    # _update_count moves, and a resize moves it too: 10-15 ms for 10,000 rows, in the first
    # frame of a storm and after every resize. Here the order changes in _apply_order only.

    @property
    def ordered_rows(self) -> list[Row]:
        """The rows as they appear on screen (DataTable's)."""
        return self._order()[0]

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        """Each line's row key and line within the row (DataTable's; every row is one line)."""
        return self._order()[1]

    def _order(self) -> tuple[list[Row], list[tuple[RowKey, int]]]:
        ordered = self._ordered
        if ordered is None or len(ordered[0]) != len(self.rows):
            meta = self._row_meta
            if len(self._keys) != len(self.rows):  # rows added by DataTable's own methods
                rows = DataTable.ordered_rows.fget(self)  # type: ignore[attr-defined]
                offsets = DataTable._y_offsets.fget(self)  # type: ignore[attr-defined]
                return rows, offsets
            rows = [meta[key] for key in self._keys]
            ordered = self._ordered = (rows, [(row.key, 0) for row in rows])
        return ordered

    # --- cells --------------------------------------------------------------------------------

    def _cells(self, row: ViewRow, old: ViewRow | None = None) -> dict[ColumnKey, Cell]:
        """The cells of one row; those whose inputs did not change are the very same objects."""
        if isinstance(row, GroupRow):
            values = self._group_cells(row)
        else:
            before = old if isinstance(old, AlertRow) else None
            values = self._alert_cells(row, before)
        return dict(zip(self._column_keys, values, strict=True))

    def _constant(self, *key: object) -> Text:
        """Shared Text for cells that take few values (severity, state, age, marker)."""
        found = self._const.get(key)
        if found is None:
            kind = key[0]
            if kind == "severity":
                found = severity_text(key[1], wide=key[2])  # type: ignore[arg-type]
                if key[3]:
                    found.stylize(STALE_STYLE)
            elif kind == "state":
                # A stale row keeps its state word (the last known one, dimmed; the mark
                # column says stale): firing and silenced must stay apart in an outage.
                state, stale, overlay = key[1], key[2], key[3]
                style = STALE_STYLE if stale else STATE_STYLE[state]
                if overlay:  # an action's expected state, not confirmed by a poll yet
                    found = Text(f"{state.value}…", style="italic " + style, no_wrap=True)
                else:
                    found = Text(state.value, style=style, no_wrap=True)
            else:
                found = Text(str(key[1]), style=str(key[2]), no_wrap=True)
            self._const[key] = found
        return found

    def _alert_cells(self, row: AlertRow, old: AlertRow | None) -> list[Cell]:
        alert = row.alert
        stale = alert.stale
        wide = self._widths.wide
        style = STALE_STYLE if stale else ""
        same_alert = old is not None and old.alert is alert
        prev = self._data.get(self._row_keys.get(row.key)) if same_alert else None  # type: ignore[arg-type]
        if prev:  # empty: the old row's cells were never made (nor drawn); make these
            # The labels did not change (only state, age or marker): keep the text cells.
            name, subject, summary = (prev[self._column_keys[i]] for i in (4, 5, 6))
        else:
            name = LazyText(alert.alertname or "(no alertname)", "bold " + style, 120)
            subject = LazyText(alert.subject, style, 120)
            summary = LazyText(alert.summary, style, 300)
        return [
            self._mark(row),
            self._constant("severity", alert.severity, wide, stale),
            self._constant("state", row.state, stale, bool(row.overlay)),
            self._constant("age", row.age, style),
            name,
            subject,
            summary,
        ]

    def _mark(self, row: AlertRow) -> Text:
        """``●`` for a new alert, ``◌`` for the last known copy of one, else blank.

        New wins: the header counts the ● marks, and a stale row says so by its dim text too
        (and the banner above the table says why).
        """
        if row.is_new:
            return self._constant("mark", NEW_MARK, "bold cyan")
        return self._constant("mark", STALE_MARK if row.alert.stale else "", STALE_STYLE)

    def _group_cells(self, row: GroupRow) -> list[Cell]:
        arrow = "▸" if row.collapsed else "▾"
        value = row.value or f"(no {row.label})"
        title = Text(f"{arrow} ", style="bold", no_wrap=True, overflow="ellipsis")
        title.append(sanitize(value, single_line=True, max_len=120), style="bold underline")
        # ``▾ HighBounceRate  3 firing`` under the worst severity of the group.
        firing = Text(f"{row.firing} firing", style="bold" if row.firing else "dim", no_wrap=True)
        note = f"{row.total} alerts" + (" · folded: enter opens" if row.collapsed else "")
        return [
            self._constant("mark", "", ""),
            self._constant("severity", row.worst, self._widths.wide, False),
            firing,
            self._constant("age", "", ""),
            title,
            self._constant("age", "", ""),
            Text(note, style="dim", no_wrap=True, overflow="ellipsis"),
        ]

    # --- keys ---------------------------------------------------------------------------------

    def _announce(self, key: str | None) -> None:
        """Tell the screen the cursor is on another row (once per row, not per refresh)."""
        if key is not None and key != self._selected:
            self._selected = key
            self.post_message(self.Selected(key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # The highlight is posted: by the time it arrives rows may have moved again, so
        # trust the row under the cursor now rather than the index in the event.
        self._announce(self.selected_key)

    def action_open(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.Selected(key, opened=True))
