"""The incident list: open incidents first, by severity; keyed by incident id, diffed in place.

The view model hands back the very same ``IncidentRow`` for a row whose texts did not change,
so a refresh touches only the rows that did (a countdown that moved on, a new status): their
cells are replaced and repainted one by one. A new incident or a new order re-points the
table's row index in one go instead of rebuilding it (as ``widgets/alert_table.py`` does), so
2,000 incidents of history cost one bulk insert, and the cursor stays on its incident.

Titles, names and services are other people's words: sanitised, capped, shown as ``Text``.
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

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import IncidentStatus
from penguin_tui.incidents.view import IncidentRow, clean

COLUMNS = ("id", "severity", "status", "age", "commander", "due", "title")
PER_CELL_REFRESH_MAX = 24  # more changed cells than this: one repaint of the table
WIDE_AT = 100  # table width from which severities and statuses are spelled out in full

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
STATUS_STYLE = {
    IncidentStatus.INVESTIGATING: "bold",
    IncidentStatus.IDENTIFIED: "bold cyan",
    IncidentStatus.MONITORING: "cyan",
    IncidentStatus.RESOLVED: "green",
    IncidentStatus.CLOSED: "dim",
}
STATUS_SHORT = {
    IncidentStatus.INVESTIGATING: "Investig.",
    IncidentStatus.IDENTIFIED: "Identif.",
    IncidentStatus.MONITORING: "Monitor.",
}
OVERDUE_STYLE = "reverse bold red"  # seen from across the room
CLOSED_STYLE = "dim"


def severity_text(severity: Severity, *, wide: bool = True) -> Text:
    """``✖ Critical`` (``✖ crit`` when narrow): the symbol and the word, never colour alone."""
    word = severity.title if wide else SEVERITY_SHORT[severity]
    return Text(f"{severity.symbol} {word}", style=SEVERITY_STYLE[severity], no_wrap=True)


def status_text(status: IncidentStatus, *, wide: bool = True) -> Text:
    word = status.value if wide else STATUS_SHORT.get(status, status.value)
    return Text(word, style=STATUS_STYLE[status], no_wrap=True)


class Cell:
    """A table cell made into ``Text`` the first time its row is drawn.

    2,000 incidents of history are 14,000 cells, of which a screenful is drawn: building
    them all as Text up front was most of the list's first render. Cells compare by what they
    show, so an in-place refresh can tell which changed. Untrusted text is sanitised when the
    Text is made (``__rich__``): nothing unsanitised reaches the terminal.
    """

    __slots__ = ("_rich", "_shown", "raw", "style")

    def __init__(self, raw: str, style: str = "", *, trusted: bool = False) -> None:
        self.raw, self.style = raw, style
        self._shown = raw if trusted else None
        self._rich: Text | None = None

    @property
    def plain(self) -> str:
        """The text shown."""
        if self._shown is None:
            self._shown = clean(self.raw)
        return self._shown

    def __rich__(self) -> Text:
        if self._rich is None:
            self._rich = Text(self.plain, style=self.style, no_wrap=True, overflow="ellipsis")
        return self._rich

    def __str__(self) -> str:
        return self.plain

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        return self.raw == other.raw and self.style == other.style

    def __hash__(self) -> int:
        return hash((self.raw, self.style))


class _Widths:
    """Column widths for a table ``width`` cells wide (the title takes what is left)."""

    def __init__(self, width: int) -> None:
        self.wide = width >= WIDE_AT
        self.values = {
            "id": 17,
            "severity": 10 if self.wide else 6,
            "status": 13 if self.wide else 9,
            "age": 6 if self.wide else 4,
            "commander": 14 if self.wide else 8,
            "due": 13 if self.wide else 11,
        }
        used = sum(self.values.values()) + 2 * len(COLUMNS) + 2  # cell padding + scrollbar
        self.values["title"] = max(8, width - used)

    def key(self) -> tuple[int, ...]:
        return tuple(self.values[c] for c in COLUMNS)


class IncidentList(DataTable):
    """Incidents, one row each. Posts ``IncidentList.Selected`` when the cursor moves."""

    BINDINGS = [Binding("enter", "open", "open", tooltip="Open the incident's timeline")]

    class Selected(Message):
        """The cursor moved to an incident (``opened``: enter was pressed on it)."""

        def __init__(self, key: str, opened: bool = False) -> None:
            super().__init__()
            self.key = key
            self.opened = opened

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._rows: dict[str, IncidentRow] = {}
        self._row_keys: dict[str, RowKey] = {}
        self._widths = _Widths(120)
        self._column_keys = tuple(ColumnKey(c) for c in COLUMNS)
        self._selected: str | None = None
        self._const: dict[tuple[object, ...], Text] = {}

    def on_mount(self) -> None:
        labels = ("Incident", "Severity", "Status", "Age", "Commander", "Next update", "Title")
        for key, label in zip(COLUMNS, labels, strict=True):
            self.add_column(label, key=key, width=self._widths.values[key])
        self._label_columns()

    def _label_columns(self) -> None:
        wide = self._widths.wide
        self.columns[ColumnKey("severity")].label = Text("Severity" if wide else "Sev")
        self.columns[ColumnKey("commander")].label = Text("Commander" if wide else "IC")
        self.columns[ColumnKey("due")].label = Text("Next update" if wide else "Update")

    # --- what the screen asks -----------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        row = self.cursor_row
        return self._keys[row] if 0 <= row < len(self._keys) else None

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    def row(self, key: str) -> IncidentRow | None:
        return self._rows.get(key)

    def select_key(self, key: str) -> bool:
        index = self._index.get(key)
        if index is None:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    def fit_width(self, width: int) -> None:
        """Give the title what the fixed columns leave (re-rendering cells only on change)."""
        widths = _Widths(width)
        if widths.key() == self._widths.key():
            return
        wide_changed = widths.wide != self._widths.wide
        self._widths = widths
        for key in COLUMNS:
            self.columns[ColumnKey(key)].width = widths.values[key]
        self._label_columns()
        if wide_changed:
            for key, row in self._rows.items():
                self._data[self._row_keys[key]] = self._cells(row)
        self._update_count += 1
        self._clear_caches()
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh(layout=True)

    # --- the diff -----------------------------------------------------------------------------

    def show(self, rows: Sequence[IncidentRow]) -> int:
        """Bring the table up to date with ``rows`` (display order); returns rows touched."""
        keep = self.selected_key
        keys = [r.key for r in rows]
        if keys == self._keys:
            return self._update_in_place(rows)
        touched = self._apply_order(keys, rows)
        index = self._index.get(keep) if keep is not None else None
        if index is None:
            index = min(max(self.cursor_row, 0), len(keys) - 1)
        if index >= 0:
            self.move_cursor(row=index, animate=False, scroll=True)
        self._announce(self.selected_key)
        return touched

    def _update_in_place(self, rows: Sequence[IncidentRow]) -> int:
        changes: list[tuple[str, int]] = []
        for row in rows:
            old = self._rows.get(row.key)
            if old is row:
                continue
            before = self._data[self._row_keys[row.key]]
            after = self._cells(row)
            for index, column in enumerate(self._column_keys):
                if before[column] != after[column]:
                    changes.append((row.key, index))
            self._data[self._row_keys[row.key]] = after
            self._rows[row.key] = row
        if not changes:
            return 0
        self._update_count += 1
        if len(changes) > PER_CELL_REFRESH_MAX:
            self.refresh()
        else:
            for key, column in changes:
                self.refresh_coordinate(Coordinate(self._index[key], column))
        return len({key for key, _ in changes})

    def _apply_order(self, keys: list[str], rows: Sequence[IncidentRow]) -> int:
        """Add, remove and re-point rows without rebuilding the table.

        ``_data``, ``rows``, ``_row_locations`` and ``_update_count`` are DataTable internals
        (as in widgets/alert_table.py; textual is pinned below 9 and the UI tests check the
        result on screen). Columns have fixed widths, so nothing needs measuring.
        """
        new_rows = {row.key: row for row in rows}
        touched = 0
        for key in [k for k in self._rows if k not in new_rows]:
            row_key = self._row_keys.pop(key)
            del self._data[row_key]
            del self.rows[row_key]
            del self._rows[key]
            touched += 1
        for key, row in new_rows.items():
            if self._rows.get(key) is row:
                continue
            row_key = self._row_keys.get(key)
            if row_key is None:
                row_key = self._row_keys[key] = RowKey(key)
                self.rows[row_key] = Row(row_key, 1)
            self._data[row_key] = self._cells(row)
            self._rows[key] = row
            touched += 1
        row_keys = self._row_keys
        self._row_locations = TwoWayDict({row_keys[key]: i for i, key in enumerate(keys)})
        self._keys = keys
        self._index = {key: i for i, key in enumerate(keys)}
        self._update_count += 1
        self._require_update_dimensions = True
        self._new_rows.clear()
        self.check_idle()
        self.refresh(layout=True)
        return touched

    # --- cells --------------------------------------------------------------------------------

    def _cells(self, row: IncidentRow) -> dict[ColumnKey, Cell | Text]:
        inc = row.incident
        wide = self._widths.wide
        muted = "" if inc.is_open else CLOSED_STYLE
        commander = inc.roles.get("commander", "")
        due_words = row.due if wide else row.due_short or row.due
        age_words = row.age if wide else row.age_short or row.age
        values = (
            Cell(inc.id, "bold" if inc.is_open else CLOSED_STYLE, trusted=True),
            self._constant("severity", inc.severity, wide),
            self._constant("status", inc.status, wide),
            Cell(age_words, muted, trusted=True),
            Cell(commander, muted) if commander else Cell("—", "dim", trusted=True),
            Cell(due_words, OVERDUE_STYLE if row.overdue else muted, trusted=True),
            Cell(inc.title, muted),
        )
        return dict(zip(self._column_keys, values, strict=True))

    def _constant(self, kind: str, value: object, wide: bool) -> Text:
        """Shared Text for the cells that take a few values (severity, status)."""
        key = (kind, value, wide)
        found = self._const.get(key)
        if found is None:
            if kind == "severity":
                found = severity_text(value, wide=wide)  # type: ignore[arg-type]
            else:
                found = status_text(value, wide=wide)  # type: ignore[arg-type]
            self._const[key] = found
        return found

    # --- keys ---------------------------------------------------------------------------------

    def _announce(self, key: str | None) -> None:
        if key is not None and key != self._selected:
            self._selected = key
            self.post_message(self.Selected(key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._announce(self.selected_key)

    def action_open(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.Selected(key, opened=True))
