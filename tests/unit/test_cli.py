"""The command line: names scripts rely on, lean imports, clear errors with usable exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("textual", "httpx", "hvac", "plotext", "psutil", "sqlite_utils")


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", ["--help", "check --help", "daemon --help", "export --help"])
def test_help_loads_no_heavy_modules(command: str) -> None:
    """`--help`, and the headless commands' start, never pay for Textual or the network stack."""
    out = _python(
        f"""
import json, sys
from penguin_tui.cli import main
try:
    main({command.split()!r}, standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    )
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_check_and_daemon_modules_do_not_import_textual() -> None:
    out = _python(
        "import sys, json\n"
        "import penguin_tui.check, penguin_tui.daemon, penguin_tui.recorder, penguin_tui.report\n"
        "import penguin_tui.export, penguin_tui.poller, penguin_tui.store\n"
        "print(json.dumps('textual' in sys.modules))"
    )
    assert json.loads(out) is False


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "penguin_tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_version() -> None:
    done = _cli("--version")
    assert done.returncode == 0 and "0.1.0" in done.stdout


def test_bad_config_is_one_clear_message_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[[check]]\nname = "api"\nurl = "ftp://example"\n')
    for args in (["check"], ["daemon"], ["config", "validate"]):
        done = _cli(*args, "--config", str(bad))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert str(bad) in done.stderr and "url" in done.stderr
        assert "Traceback" not in done.stderr


def test_missing_explicit_config_exit_2(tmp_path: Path) -> None:
    done = _cli("check", "--config", str(tmp_path / "nope.toml"))
    assert done.returncode == 2
    assert "nope.toml" in done.stderr and "Traceback" not in done.stderr


def test_bad_duration_exit_2() -> None:
    done = _cli("check", "--since", "yesterday")
    assert done.returncode == 2 and "--since" in done.stderr


def test_config_example_validates(tmp_path: Path) -> None:
    example = _cli("config", "example")
    assert example.returncode == 0
    path = tmp_path / "example.toml"
    path.write_text(example.stdout)
    done = _cli("config", "validate", "--config", str(path))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_config_path_follows_search_order(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "x")}
    done = _cli("config", "path", env=env)
    assert str(tmp_path / "x" / "penguin-tui" / "config.toml") in done.stdout
    env["PENGUIN_TUI_CONFIG"] = str(tmp_path / "env.toml")
    assert str(tmp_path / "env.toml") in _cli("config", "path", env=env).stdout
    flag = _cli("config", "path", "--config", str(tmp_path / "flag.toml"), env=env)
    assert str(tmp_path / "flag.toml") in flag.stdout
