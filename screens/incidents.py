"""The incident list (mode ``incidents``, key 3): open incidents first, worst first; declare one.

The screen never touches SQLite. Every second it asks its ``IncidentsLoader`` on the cache
reader's thread whether any timeline entry was written (one ``MAX(id)``, from this console or
any other on the same cache) and reads the list again only then; the countdowns to the next
stakeholder update are re-derived once a minute, or the moment one turns overdue. The table
repaints only the rows whose texts changed. While another mode (or the timeline view) is on
screen, the timer sleeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from penguin_tui.incidents.model import Incident, IncidentError
from penguin_tui.incidents.view import IncidentsLoader, ListView, cadence_of, clean
from penguin_tui.screens.live_screen import LiveScreen
from penguin_tui.text import sanitize
from penguin_tui.widgets.incident_list import IncidentList, severity_text, status_text
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from penguin_tui.screens.incident_forms import Declaration

POLL_S = 1.0  # others' entries show within 2 s: a poll a second, one cheap query each


def header_line(view: ListView) -> Text:
    """``2 open · 1 update OVERDUE · 40 resolved or closed``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    opened = view.open_count
    text.append(f"{opened} open", style="bold")
    if view.overdue_count:
        text.append("  ")
        overdue = view.overdue_count
        text.append(f"{overdue} update{'s' if overdue > 1 else ''} OVERDUE", style="reverse red")
    closed = len(view.rows) - opened
    if closed:
        text.append(f" · {closed} resolved or closed", style="dim")
    if not view.rows:
        text.append(" · no incidents yet: d declares one", style="dim")
    return text


def preview_text(inc: Incident | None) -> Text:
    """Two lines under the table: the selected incident's whole title, services and impact."""
    if inc is None:
        return Text("")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{inc.id} ", style="bold")
    text.append_text(severity_text(inc.severity))
    text.append(" · ")
    text.append_text(status_text(inc.status))
    text.append(f" · {clean(inc.title)}")
    text.append("\n")
    services = ", ".join(clean(s, 40) for s in inc.services) or "no services named"
    text.append(services, style="dim")
    if inc.impact:
        text.append(f" · impact: {clean(inc.impact, 300)}", style="dim")
    text.append("  enter: timeline", style="dim italic")
    return text


class IncidentsScreen(LiveScreen):
    """The list of incidents, with the selected one's title and impact below it."""

    BINDINGS = [
        # Short words: the compact footer must hold them at 80 columns; `?` says more.
        Binding("d", "declare", "declare", tooltip="Declare an incident (a form)"),
        Binding("escape", "back", "back", show=False),
    ]
    ERROR_GROUPS = ("incidents-load",)

    def __init__(self) -> None:
        super().__init__()
        self.view: ListView | None = None
        self._loader: IncidentsLoader | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        yield StatusBar("incidents", id="status-bar")
        yield Static("Reading the incidents…", id="incidents-header", markup=False)
        yield IncidentList(id="incident-list")
        yield Static("", id="incidents-preview", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._loader = IncidentsLoader(cadence_of(self.papp.config))
        self.poll_every(POLL_S, self.refresh_data, name="incidents-poll")
        self.query_one(IncidentList).focus()
        self.refresh_data()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_table)

    def _fit_table(self) -> None:
        table = self.query_one(IncidentList)
        table.fit_width(table.size.width)

    # --- data ---------------------------------------------------------------------------------

    def refresh_data(self, *, force: bool = False) -> None:
        """Poll the cache (one read at a time; a tick while one runs is skipped)."""
        if self._loading:
            return
        self._loading = True
        self._load(force)

    @work(group="incidents-load", exit_on_error=False, description="read the incident list")
    async def _load(self, force: bool) -> None:
        app = self.papp
        loader = self._loader
        assert loader is not None
        try:
            now = app.clock()
            view = await self.read_with_freshness(
                lambda store: loader.load_list(store, now, force=force), now
            )
            if view is not None:
                self._apply(view)
        finally:
            self._loading = False

    def _apply(self, view: ListView) -> None:
        self.view = view
        set_text(self.query_one("#incidents-header", Static), header_line(view))
        table = self.query_one(IncidentList)
        table.show(view.rows)
        self._show_preview(table.selected_key)

    def _show_preview(self, key: str | None) -> None:
        row = self.query_one(IncidentList).row(key) if key else None
        set_text(
            self.query_one("#incidents-preview", Static),
            preview_text(row.incident if row else None),
        )

    @on(IncidentList.Selected)
    def _selected(self, message: IncidentList.Selected) -> None:
        self._show_preview(message.key)
        if message.opened:
            self.open_incident(message.key)

    # --- keys ---------------------------------------------------------------------------------

    def open_incident(self, incident_id: str) -> None:
        """Push the incident's timeline view."""
        from penguin_tui.screens.incident_view import IncidentViewScreen

        self.app.push_screen(IncidentViewScreen(incident_id))

    def action_open(self) -> None:
        key = self.query_one(IncidentList).selected_key
        if key is not None:
            self.open_incident(key)

    def action_back(self) -> None:
        self.query_one(IncidentList).focus()

    def action_declare(self) -> None:
        """The declare form; once declared, the new incident's timeline opens."""
        from penguin_tui.screens.incident_forms import DeclareForm
        from penguin_tui.signoff import current_user

        names = [item.name for item in self.papp.config.items()]
        self._declared: Incident | None = None

        def done(ok: bool | None) -> None:
            inc = self._declared
            if ok and inc is not None:
                self.notify(f"{inc.id} declared", title="Incident", timeout=6, markup=False)
                self.refresh_data(force=True)
                self.open_incident(inc.id)

        self.app.push_screen(DeclareForm(self._declare, names, commander=current_user()), done)

    async def _declare(self, declaration: Declaration) -> str | None:
        """Declare on the reader thread; the refusal's words go back to the form."""
        from penguin_tui.incidents import entries
        from penguin_tui.signoff import current_host, current_user

        app = self.papp
        user, host = current_user(), current_host()
        try:
            entry = entries.declare(
                declaration.title,
                declaration.severity,
                ts=app.clock(),
                author=user,
                host=host,
                summary=declaration.summary,
                impact=declaration.impact,
                services=declaration.services,
                commander=declaration.commander,
            )
            self._declared = await app.reader.call(lambda store: store.declare_incident(entry))
        except IncidentError as exc:
            return sanitize(str(exc), single_line=True, max_len=300)
        return None
