"""The wheel is complete: built, installed in a fresh virtualenv outside the checkout, it runs.

This is the test that catches a module or stylesheet missing from the package (the layout maps
screens/ and widgets/ into penguin_tui.*, which a typo in pyproject.toml would silently break).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def test_wheel_installs_and_runs_outside_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("penguin_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every module of the checkout, wherever it lives, must be in the wheel: a new
    # subpackage not listed in pyproject.toml would otherwise only fail once installed.
    modules = [p.relative_to(ROOT / "penguin_tui") for p in (ROOT / "penguin_tui").rglob("*.py")]
    modules += [Path("screens", p.name) for p in (ROOT / "screens").glob("*.py")]
    modules += [Path("widgets", p.name) for p in (ROOT / "widgets").glob("*.py")]
    for required in ["assets/styles.tcss", *(str(m) for m in modules)]:
        assert f"penguin_tui/{required}" in names, f"{required} missing from {wheel.name}"
    assert not any(n.startswith(("tests/", "bench/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    installed = _run([str(pip), "install", "-q", "--disable-pip-version-check", str(wheel)])
    assert installed.returncode == 0, installed.stderr

    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LANG": "C.UTF-8",
    }
    exe = str(env_dir / "bin" / "penguin-tui")
    version = _run([exe, "--version"], cwd=tmp_path, env=env)
    assert version.returncode == 0, version.stderr
    assert "penguin-tui, version 0.1.0" in version.stdout

    # No config anywhere: the built-in default watches this host and says how to configure more.
    check = _run([exe, "check"], cwd=tmp_path, env=env)
    assert check.returncode in (0, 1, 2), check.stdout + check.stderr
    assert "Host" in check.stdout and "host" in check.stdout.lower()
    assert "penguin-tui config example" in check.stdout
    assert "Traceback" not in check.stdout + check.stderr
    cache = home / ".local" / "share" / "penguin-tui" / "cache.db"
    assert cache.exists()
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    assert oct(cache.parent.stat().st_mode & 0o777) == "0o700"
    # The installed code, not the checkout, was used.
    where = _run(
        [str(env_dir / "bin" / "python"), "-c", "import penguin_tui; print(penguin_tui.__file__)"],
        cwd=tmp_path,
        env=env,
    )
    assert str(env_dir) in where.stdout and str(ROOT) not in where.stdout
    assert os.path.exists(cache)
