"""Resolve what a command runs on: the config (with its search order) and the cache path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from penguin_tui.config_model import Config
from penguin_tui.paths import default_cache_path, resolve_config_path


@dataclass(frozen=True, slots=True)
class RunContext:
    """The config a command uses and the cache file it reads or records."""

    config: Config
    cache_path: Path
    config_path: Path | None  # None: the built-in default (no config file found)


def resolve(config_path: Path | None, cache_path: Path | None) -> RunContext:
    """Load the config (--config, else PENGUIN_TUI_CONFIG, else the XDG default) and pick the cache.

    The cache is --cache, else [general].cache, else $XDG_DATA_HOME/penguin-tui/cache.db.
    Raises ConfigError (exit 2) for a bad or missing explicitly named config.
    """
    from penguin_tui.config import load_config

    path, explicit = resolve_config_path(config_path)
    use_file = explicit or path.exists()
    config = load_config(path if use_file else None, explicit=explicit)
    cache = cache_path or config.cache_path or default_cache_path()
    return RunContext(config, Path(cache).expanduser(), path if use_file else None)


NO_CONFIG_HINT = (
    "No config file found: watching this host only. Run `penguin-tui config example > "
    "~/.config/penguin-tui/config.toml` and edit it to watch the platform (docs/CONFIG.md)."
)
