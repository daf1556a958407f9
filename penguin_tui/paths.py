"""Where penguin-tui keeps its files (XDG base directories, via platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "penguin-tui"


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/penguin-tui`` (``~/.config/penguin-tui``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP


def data_dir() -> Path:
    """``$XDG_DATA_HOME/penguin-tui`` (``~/.local/share/penguin-tui``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def default_config_path() -> Path:
    """The config file used when neither --config nor PENGUIN_TUI_CONFIG says otherwise."""
    return config_dir() / "config.toml"


def default_cache_path() -> Path:
    """The cache used when neither --cache nor the config says otherwise."""
    return data_dir() / "cache.db"


def resolve_config_path(cli_value: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The config path to use and whether the operator named it explicitly.

    An explicitly named file must exist; the default location may be absent (built-in default).
    """
    if cli_value:
        return Path(cli_value).expanduser(), True
    env = os.environ.get("PENGUIN_TUI_CONFIG")
    if env:
        return Path(env).expanduser(), True
    return default_config_path(), False


def stylesheet_path() -> Path:
    """The app's stylesheet: inside the installed wheel, or at the root of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets" / "styles.tcss", here.parent / "styles.tcss"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("styles.tcss is missing from the installation")
