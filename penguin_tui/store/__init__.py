"""The SQLite metrics cache: the only part of penguin-tui that writes SQL.

``Store`` is the whole public surface; the modules behind it each have one job:
``connect`` (opening safely), ``schema`` (versions, migrations), ``lock`` (one recorder),
``ingest`` (the write path), ``maintain`` (rollups, retention), ``query`` (tiered reads),
``export`` (rows for ``penguin-tui export``), ``alerts`` (the alert stream: alerts and their
history, silences, alert sources, local acks, maintenance windows).
"""

from penguin_tui.store.core import Store
from penguin_tui.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store"]
