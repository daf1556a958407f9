"""The audit view (``A`` on the secrets screen): every reveal and copy the cache recorded.

Who (OS user and host), when, which Vault (address, namespace), which secret, key and version,
and whether the value was shown or copied; never the value, which the cache has no column for.
The records come from every console on the same cache, read on the cache reader's thread. Path
and key were stored escaped; everything is drawn as plain ``Text`` all the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from penguin_tui.errors import PenguinError
from penguin_tui.fmt import local_time
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import set_text

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp
    from penguin_tui.vault.audit import VaultAccess

LIMIT = 1000  # newest first; older records stay in the cache (penguin-tui export reads them)
WIDE = 110  # from this width the Vault address gets its own column


def _clean(text: str, max_len: int) -> str:
    return sanitize(text, single_line=True, max_len=max_len)


def audit_row(access: VaultAccess, now: float, *, wide: bool) -> list[Text]:
    """One record as table cells (time, action, who, path, key, version[, Vault])."""
    action = str(access.action)
    who = f"{_clean(access.user, 24)}@{_clean(access.host, 40)}"
    cells = [
        Text(local_time(access.ts, now), style="dim"),
        Text(action, style="bold yellow" if action == "reveal" else "bold cyan"),
        Text(who),
        Text(_clean(access.path, 400)),
        Text(_clean(access.key, 200), style="bold"),
        Text("—" if access.version is None else f"v{access.version}"),
    ]
    if wide:
        vault = _clean(access.addr, 120)
        if access.namespace:
            vault += f" ns {_clean(access.namespace, 60)}"
        cells.append(Text(vault, style="dim"))
    return cells


class VaultAuditScreen(Screen[None]):
    """The list of reveals and copies, newest first."""

    BINDINGS = [
        Binding("escape", "back", "back", tooltip="Back to the secrets"),
        Binding("A", "back", "back", key_display="A", show=False),
        Binding("R", "reload", "reload", key_display="R", tooltip="Read the records again"),
    ]
    DEFAULT_CSS = """
    VaultAuditScreen #audit-header {
        height: auto;
        max-height: 2;
        padding: 0 1;
        text-style: bold;
    }
    VaultAuditScreen #audit-table {
        height: 1fr;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[VaultAccess] = []
        self._wide = False

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("Reading the audit trail…", id="audit-header", markup=False)
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        if self.records and wide != self._wide:
            self._show()

    def action_reload(self) -> None:
        self._load()

    @work(group="vault-audit", exclusive=True, exit_on_error=False, description="audit trail")
    async def _load(self) -> None:
        header = self.query_one("#audit-header", Static)
        try:
            records = await self.papp.reader.call(lambda store: store.vault_audit(limit=LIMIT))
        except Exception as exc:  # the cache cannot be read: say so, keep the screen
            message = exc.message if isinstance(exc, PenguinError) else str(exc) or repr(exc)
            set_text(header, Text(f"The audit trail cannot be read: {_clean(message, 200)}"))
            return
        self.records = records
        self._show()

    def _show(self) -> None:
        now = self.papp.clock()
        wide = self._wide = self.size.width >= WIDE
        table = self.query_one(DataTable)
        table.clear(columns=True)
        columns = ["time", "what", "who", "secret", "key", "ver"]
        if wide:
            columns.append("vault")
        for name in columns:
            table.add_column(name, key=name)
        table.add_rows(audit_row(r, now, wide=wide) for r in self.records)
        count = len(self.records)
        header = Text(no_wrap=False)
        if count:
            header.append(f"{count} record{'s' if count != 1 else ''} of reveals and copies")
            if count >= LIMIT:
                header.append(f" (the newest {LIMIT})")
            header.append(" · newest first · values are never recorded", style="dim")
        else:
            header.append("No reveal or copy recorded yet", style="dim")
            header.append(" · r reveals and c copies a value, and are recorded here", style="dim")
        set_text(self.query_one("#audit-header", Static), header)
