"""The silences view (S): active and pending silences and maintenance windows, and their end.

Read from the cache (the recorder polls Alertmanager's silences), each with the number of
alerts it matches among those the alerts screen holds. ``x`` expires the highlighted silence
or cancels the highlighted maintenance window, after a ``y`` confirmation. An expired one
leaves the list at once; the cache learns it at the recorder's next poll. A maintenance
window's own silence is not listed apart: the window's row stands for both (cancelling it
expires its silence), so nobody expires the silence and leaves the window half in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from penguin_tui.alerts.actions import MAINTENANCE_PREFIX, short_id
from penguin_tui.alerts.matchers import format_matchers
from penguin_tui.alerts.model import Alert, MaintenanceWindow, Silence, SilenceState
from penguin_tui.fmt import local_time
from penguin_tui.screens.confirm import ConfirmScreen, question
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import plain

if TYPE_CHECKING:
    from penguin_tui.alerts.actions import AlertActions
    from penguin_tui.store import Store


@dataclass
class Ended:
    """What the operator ended in the view (the alerts screen adjusts its overlays)."""

    silences: list[str] = field(default_factory=list)
    windows: list[int] = field(default_factory=list)


def _read(store: Store, now: float) -> tuple[list[Silence], list[MaintenanceWindow]]:
    silences = [
        s for s in store.silences() if s.state is not SilenceState.EXPIRED and s.ends_at > now
    ]
    windows = [
        w
        for w in store.maintenance_windows(now, include_ended_s=0)
        if w.cancelled_at is None and w.end > now
    ]
    silences.sort(key=lambda s: (s.state is SilenceState.PENDING, s.ends_at))
    windows.sort(key=lambda w: (w.start, w.end))
    return silences, windows


MAX_WIDTH = 120  # the dialog's max-width in DEFAULT_CSS
MATCHERS_MIN = 28
FIXED_COLUMNS = 9 + 6 + 11 + 10 + 5 * 2 + 2  # the other columns, cell padding, scrollbar


def _one_line(text: str, width: int = 200) -> str:
    return sanitize(text, single_line=True, max_len=width)


class SilencesScreen(ModalScreen[Ended]):
    """Lists silences and maintenance windows; dismisses with what was ended."""

    BINDINGS = [
        Binding("x", "end", "expire/cancel", tooltip="Expire the silence / end the window"),
        Binding("r", "reload", "reload", tooltip="Read the silences again"),
        Binding("escape", "back", "back"),
        Binding("q", "back", "back", show=False),
        Binding("S", "back", "back", show=False),
    ]

    DEFAULT_CSS = """
    SilencesScreen {
        align: center middle;
    }
    #silences-dialog {
        width: 100%;
        max-width: 120;
        height: 100%;
        max-height: 40;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #silences-table {
        height: 1fr;
        min-height: 5;
    }
    #silences-detail {
        height: auto;
        max-height: 8;
        margin: 1 0 0 0;
    }
    #silences-hint {
        color: $text-muted;
    }
    """

    def __init__(self, actions: AlertActions, alerts: Sequence[Alert] = ()) -> None:
        super().__init__()
        self.actions = actions
        self.alerts = [a for a in alerts if a.resolved_at is None]
        self.silences: dict[str, Silence] = {}
        self.windows: dict[int, MaintenanceWindow] = {}
        self.ended = Ended()
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="silences-dialog") as dialog:
            dialog.border_title = "Silences and maintenance"
            yield DataTable(id="silences-table", cursor_type="row", zebra_stripes=False)
            yield Static("Reading the cache…", id="silences-detail")
            yield Static(
                Text.assemble(
                    ("x", "bold"), " expire silence / cancel maintenance · ",
                    ("r", "bold"), " reload · ", ("escape", "bold"), " back",
                ),
                id="silences-hint",
            )  # fmt: skip

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # 9 + 28 + 6 + 11 + 10 columns, each padded by 2, fit an 80-column terminal; the
        # matchers (what an operator must read to tell silences apart) take any room beyond.
        dialog = min(self.app.size.width, MAX_WIDTH) - 4  # border and padding
        matchers = max(MATCHERS_MIN, dialog - FIXED_COLUMNS)
        table.add_column("State", key="state", width=9)
        table.add_column("Matchers", key="matchers", width=matchers)
        table.add_column("Alerts", key="alerts", width=6)
        table.add_column("Ends", key="ends", width=11)
        table.add_column("By", key="by", width=10)
        table.focus()
        self.load()

    @work(exclusive=True, group="silences-load", exit_on_error=False, description="read silences")
    async def load(self) -> None:
        """Read the silences and windows from the cache and show them."""
        now = self.actions.clock()
        try:
            silences, windows = await self.actions.reader.call(_read, now)
        except Exception as exc:  # shown in the view, never a crash
            self._detail(
                Text(f"Cannot read the cache: {sanitize(exc, single_line=True, max_len=200)}")
            )
            return
        self.show(silences, windows, now)

    def show(self, silences: list[Silence], windows: list[MaintenanceWindow], now: float) -> None:
        """Fill the table; ended ones stay out until the cache knows they ended."""
        self.windows = {w.id: w for w in windows if w.id is not None}
        for wid in self.ended.windows:
            self.windows.pop(wid, None)
        # Ended here (the cache learns it at the next poll), or a window's own silence.
        hidden = set(self.ended.silences) | {w.silence_id for w in windows if w.silence_id}
        self.silences = {s.id: s for s in silences if s.id not in hidden}
        table = self.query_one(DataTable)
        table.clear()
        for silence in self.silences.values():
            state = "ack" if silence.is_ack else silence.state.value
            table.add_row(
                plain(state),
                plain(_one_line(format_matchers(silence.matchers))),
                Text(str(self.count(silence)), justify="right"),
                plain(local_time(silence.ends_at, now)),
                plain(_one_line(silence.created_by, 40)),
                key=f"s:{silence.id}",
            )
        for window in self.windows.values():
            state = "maint" if window.active(now) else "planned"
            table.add_row(
                plain(state),
                plain(_one_line(self._window_scope(window))),
                Text(str(self.count(window)), justify="right"),
                plain(local_time(window.end, now)),
                plain(_one_line(window.author, 40)),
                key=f"m:{window.id}",
            )
        if not self.silences and not self.windows:
            self._detail(Text("No active or pending silences, no maintenance windows."))
        else:
            self._show_detail(table.cursor_row)

    def count(self, what: Silence | MaintenanceWindow) -> int:
        """How many of the screen's unresolved alerts it mutes."""
        if isinstance(what, Silence):
            return sum(1 for a in self.alerts if what.matches(a.labels))
        return sum(1 for a in self.alerts if what.covers_alert(a.labels))

    @staticmethod
    def _window_scope(window: MaintenanceWindow) -> str:
        if window.matchers:
            return format_matchers(window.matchers)
        return "services: " + ", ".join(window.services)

    # --- the highlighted row ------------------------------------------------------------------

    def _selected(self) -> Silence | MaintenanceWindow | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        kind, _, ident = key.partition(":")
        if kind == "s":
            return self.silences.get(ident)
        return self.windows.get(int(ident)) if ident.isdigit() else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, _row: int) -> None:
        selected = self._selected()
        if selected is None:
            return
        now = self.actions.clock()
        text = Text(no_wrap=False)
        if isinstance(selected, Silence):
            text.append(f"silence {_one_line(selected.id, 60)} ", style="bold")
            text.append(f"({selected.state.value})\n")
            text.append(_one_line(format_matchers(selected.matchers), 400) + "\n")
            text.append(f"{_one_line(selected.created_by, 60)}: ", style="bold")
            text.append(_one_line(selected.comment, 300) + "\n")
            text.append(
                f"from {local_time(selected.starts_at, now)} to {local_time(selected.ends_at, now)}"
            )
        else:
            text.append(f"maintenance #{selected.id} ", style="bold")
            text.append(("active" if selected.active(now) else "scheduled") + "\n")
            text.append(_one_line(self._window_scope(selected), 400) + "\n")
            text.append(f"{_one_line(selected.author, 60)}: ", style="bold")
            text.append(_one_line(selected.reason, 300) + "\n")
            text.append(
                f"from {local_time(selected.start, now)} to {local_time(selected.end, now)}"
            )
            text.append(
                f" · silence {short_id(selected.silence_id)}"
                if selected.silence_id
                else " · no Alertmanager silence"
            )
        self._detail(text)

    def _detail(self, text: Text) -> None:
        self.query_one("#silences-detail", Static).update(text)

    # --- actions ------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(self.ended)

    def action_end(self) -> None:
        """Ask, then expire the highlighted silence or cancel the highlighted window."""
        selected = self._selected()
        if selected is None or self._busy:
            return
        if isinstance(selected, Silence):
            comment = _one_line(selected.comment, 40)
            if comment.startswith(MAINTENANCE_PREFIX):
                comment = comment[len(MAINTENANCE_PREFIX) :]
            prompt = question(
                "Expire silence ", (short_id(selected.id), "bold"),
                f" ({_one_line(selected.created_by, 20)}: {comment}) now,"
                f" un-muting {self.count(selected)} alert(s)?",
            )  # fmt: skip
            title = "Expire silence"
        else:
            prompt = question(
                "Cancel maintenance ", (f"#{selected.id}", "bold"),
                f" ({_one_line(selected.reason, 40)}) now"
                + (" and expire its silence?" if selected.silence_id else "?"),
            )  # fmt: skip
            title = "Cancel maintenance"

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self._end(selected)

        self.app.push_screen(ConfirmScreen(prompt, title=title), answered)

    @work(group="silences-end", exit_on_error=False, description="expire a silence")
    async def _end(self, selected: Silence | MaintenanceWindow) -> None:
        try:
            if isinstance(selected, Silence):
                await self.actions.expire(selected.id)
                self.ended.silences.append(selected.id)
                done = f"silence {short_id(selected.id)} expired"
            else:
                await self.actions.cancel_maintenance(selected)
                if selected.id is not None:
                    self.ended.windows.append(selected.id)
                if selected.silence_id:
                    self.ended.silences.append(selected.silence_id)
                done = f"maintenance #{selected.id} cancelled"
        except Exception as exc:  # the operator must learn it did not happen
            self.notify(
                sanitize(exc, single_line=True, max_len=300),
                title="Not done",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        finally:
            self._busy = False
        self.notify(done, markup=False)
        self.load()
