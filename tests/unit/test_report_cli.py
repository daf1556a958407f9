"""``penguin-tui report``: the shift summary as a subprocess, on a real cache file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from penguin_tui.model import Batch, Event, EventKind, Reading, Sample, SignOff, Status
from penguin_tui.store import Store

H = 3600
CONFIG = """\
[general]
uptime_target = 99.5

[host]
enabled = false

[[check]]
name = "api"
url = "http://127.0.0.1:9/health"

[[metric]]
name = "bounce_rate"
title = "Bounce rate"
section = "Email deliverability"
unit = "%"
json = "http://127.0.0.1:9/stats"
field = "email.bounce_rate"
warn = 3
crit = 5
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    cache = tmp_path / "cache.db"
    # The command reads the wall clock: fill the cache relative to it.
    now = time.time()
    with Store.open(cache) as store:
        samples = []
        for i in range(20 * 60):  # one a minute over 20 h
            ts = now - 60 - i * 60
            samples.append(Sample("check:api:up", ts, 0.0 if i in (100, 101) else 1.0))
            samples.append(Sample("check:api", ts, 700.0 if i == 200 else 40.0))
            samples.append(Sample("metric:bounce_rate", ts, 6.0 if i == 900 else 1.5))
        store.write(Batch(samples=samples))
        store.write(
            Batch(
                readings=[
                    Reading("check:api", now - 60, Status.OK, 40.0),
                    Reading("metric:bounce_rate", now - 60, Status.OK, 1.5),
                ],
                events=[
                    Event(
                        now - 100 * 60,
                        "check:api",
                        EventKind.STATE,
                        Status.OK,
                        Status.CRIT,
                        reason="HTTP 502",
                    ),
                    Event(
                        now - 15 * H,
                        "metric:bounce_rate",
                        EventKind.BREACH,
                        Status.OK,
                        Status.CRIT,
                        value=6.0,
                    ),
                ],
            )
        )
        store.add_signoff(SignOff(now - 2 * H, "ann", "bastion", Status.OK, note="quiet"))
    return config, cache


def _report(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "penguin_tui", "report", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_json_report_of_the_default_12h_shift(setup: tuple[Path, Path]) -> None:
    config, cache = setup
    done = _report("--config", str(config), "--cache", str(cache), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["uptime_target_pct"] == 99.5
    (api,) = data["services"]
    assert api["name"] == "api" and api["status"] == "OK"
    assert api["uptime"] == pytest.approx(1 - 2 / 720, abs=1e-3)  # 2 failed probes in 12 h
    assert api["worst_latency_ms"]["value"] == 700.0
    (bounce,) = data["deliverability"]
    # The 6 % spike was 15 h ago: outside a 12 h shift.
    assert bounce["worst"]["value"] == 1.5 and bounce["current"] == 1.5
    assert [(e["key"], e["kind"]) for e in data["events"]] == [("check:api", "state")]
    assert [(s["user"], s["note"]) for s in data["signoffs"]] == [("ann", "quiet")]


def test_since_widens_the_window_and_markdown_is_the_default(setup: tuple[Path, Path]) -> None:
    config, cache = setup
    done = _report("--config", str(config), "--cache", str(cache), "--since", "18h")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# PenguinMails shift report: ✔ OK")
    assert "(18h)" in done.stdout
    assert "| Bounce rate | ✔ OK | 1.50% | 6% ✖ |" in done.stdout
    assert "## State changes and alerts (2)" in done.stdout


def test_output_file_is_written_once_and_never_overwritten(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    config, cache = setup
    out = tmp_path / "shift.md"
    args = ("--config", str(config), "--cache", str(cache), "-o", str(out))
    first = _report(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "" and str(out) in first.stderr
    written = out.read_text()
    assert written.startswith("# PenguinMails shift report")
    second = _report(*args)
    assert second.returncode == 1
    assert second.stderr == f"penguin-tui: {out}: already exists; not overwriting it\n"
    assert out.read_text() == written


def test_operator_errors_are_one_line_with_usable_exit_codes(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    config, cache = setup
    missing = tmp_path / "nothing.db"
    done = _report("--config", str(config), "--cache", str(missing))
    assert done.returncode == 1
    assert str(missing) in done.stderr and "no cache here yet" in done.stderr
    assert not missing.exists()  # looking must not create an empty cache

    for since in ("yesterday", "0s"):
        done = _report("--config", str(config), "--cache", str(cache), "--since", since)
        assert done.returncode == 2, done.stderr
        assert "--since" in done.stderr and "Traceback" not in done.stderr

    done = _report("--config", str(config), "--cache", str(cache), "--format", "pdf")
    assert done.returncode == 2 and "pdf" in done.stderr

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database, just bytes" * 100)
    done = _report("--config", str(config), "--cache", str(garbage))
    assert done.returncode == 4, done.stderr
    assert str(garbage) in done.stderr and "Traceback" not in done.stderr


def test_report_help_loads_no_heavy_modules() -> None:
    code = (
        "import json, sys\n"
        "from penguin_tui.cli import main\n"
        "try:\n"
        "    main(['report', '--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('textual', 'httpx', 'hvac', 'plotext', 'psutil', 'sqlite_utils')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--since DURATION" in done.stdout and "markdown|json" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
