"""The config tests' way to try a config: write it to a file, load it, read what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.config import ConfigError, load_config
from penguin_tui.errors import EXIT_USAGE


def write(tmp_path: Path, text: str) -> Path:
    """``text`` as the test's config.toml."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    """Every problem of a bad config as "LINE: key: message" (the file name cut off); a bad
    config is a usage error (exit code 2)."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.exit_code == EXIT_USAGE == 2
    prefix = f"{path}:"
    lines = str(info.value).splitlines()
    assert all(line.startswith(prefix) for line in lines), lines
    assert len(lines) == len(info.value.problems)  # one line each
    return [line[len(prefix) :] for line in lines]
