"""``penguin-tui incident ...`` as subprocesses on a real cache, and two writers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _cli(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TZ="UTC", PENGUIN_TUI_CONFIG=str(cache.parent / "none.toml"))
    return subprocess.run(
        [sys.executable, "-m", "penguin_tui", "incident", *args, "--cache", str(cache)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    (tmp_path / "none.toml").write_text("[host]\nenabled = false\n")
    return tmp_path / "cache.db"


def test_declare_note_status_show_list_export(cache: Path, tmp_path: Path) -> None:
    done = _cli(cache, "declare", "SMTP relay queue stuck", "-s", "critical",
                "--service", "smtp-relay", "--commander", "bob")  # fmt: skip
    assert done.returncode == 0, done.stderr
    inc_id = done.stdout.strip()
    assert inc_id.startswith("INC-") and inc_id.endswith("-1")
    assert _cli(cache, "note", inc_id, "relay-2 disk full").returncode == 0
    refused = _cli(cache, "status", inc_id, "closed")
    assert refused.returncode == 2
    assert "only a Resolved incident can be closed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _cli(cache, "status", inc_id, "resolved", "--reason", "disk grown").returncode == 0

    shown = json.loads(_cli(cache, "show", inc_id, "--format", "json").stdout)
    assert shown["status"] == "Resolved" and shown["roles"] == {"commander": "bob"}
    assert [e["type"] for e in shown["timeline"]] == ["declared", "note", "status"]
    assert shown["time_to_resolve_s"] is not None and shown["update_overdue"] is False
    listed = json.loads(_cli(cache, "list", "--format", "json").stdout)
    assert [i["id"] for i in listed] == [inc_id]
    assert inc_id in _cli(cache, "list").stdout

    out = tmp_path / "pm.md"
    assert _cli(cache, "export", inc_id, "-o", str(out)).returncode == 0
    assert "## Root cause" in out.read_text()
    again = _cli(cache, "export", inc_id, "-o", str(out))
    assert again.returncode != 0 and "not overwriting" in again.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [(("declare", "  "), "title is empty"),
     (("declare", "x", "-s", "huge"), "unknown severity"),
     (("show", "INC-nope"), "no incident"),
     (("note", "INC-nope", "x"), "no incident")],
)  # fmt: skip
def test_refusals_exit_2_with_one_line(cache: Path, args: tuple[str, ...], words: str) -> None:
    done = _cli(cache, *args)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_long_note_is_refused_naming_the_limit(cache: Path) -> None:
    inc_id = _cli(cache, "declare", "x").stdout.strip()
    done = _cli(cache, "note", inc_id, "y" * 10_001)
    assert done.returncode == 2 and "the limit is 10,000" in done.stderr


WRITER = textwrap.dedent(
    """
    import sys, time
    from penguin_tui.incidents import entries as E
    from penguin_tui.store import Store
    cache, inc_id, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = Store.open(cache)
    for i in range(count):
        store.append_incident_entry(
            inc_id, lambda inc: E.note(inc, f"{name} {i}", ts=time.time(), author=name))
    store.close()
    """
)


def test_two_processes_writing_at_once_lose_and_duplicate_nothing(cache: Path) -> None:
    inc_id = _cli(cache, "declare", "busy incident").stdout.strip()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(cache), inc_id, name, "150"])
        for name in ("ann", "bob")
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    from penguin_tui.incidents.model import fold
    from penguin_tui.store import Store

    with Store.open(cache) as store:
        entries = store.incident_entries(inc_id)
        snapshot = store.incident(inc_id)
    texts = [e.text for e in entries[1:]]
    assert sorted(texts) == sorted(f"{n} {i}" for n in ("ann", "bob") for i in range(150))
    assert len({e.id for e in entries}) == len(entries) == 301
    assert snapshot == fold(entries) and snapshot.entries == 301
