"""Loading and validating the TOML config into ``penguin_tui.config_model.Config``.

Validation reports every problem at once, each as ``file:line: key: what is wrong``, so an
operator fixes a config in one pass. The layout and every key are documented in docs/CONFIG.md;
``penguin_tui.config_example.EXAMPLE_CONFIG`` is a complete example that validates.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path

from penguin_tui.config_alerts import read_alertmanager, read_alerts, read_rules
from penguin_tui.config_incidents import read_incidents
from penguin_tui.config_items import read_checks, read_metrics
from penguin_tui.config_model import (
    Config,
    HostConfig,
    RetentionConfig,
    Threshold,
    VaultConfig,
)
from penguin_tui.config_reader import (
    ConfigProblem,
    Report,
    Table,
    show,
    type_name,
    url_problem,
)
from penguin_tui.durations import format_duration
from penguin_tui.errors import EXIT_USAGE, PenguinError
from penguin_tui.text import sanitize

__all__ = ["ConfigError", "ConfigProblem", "load_config", "parse_config"]

_TOP = (
    "general",
    "retention",
    "prometheus",
    "host",
    "check",
    "metric",
    "vault",
    "alertmanager",
    "alerts",
    "rule",
    "incidents",
)
_DAY = 86400.0


class ConfigError(PenguinError):
    """A config that cannot be used; ``problems`` lists everything wrong, in file order.

    ``str()`` gives one problem per line: ``config.toml:12: check[2].url: scheme "ftp" is not
    supported (use http://, https:// or tcp://)``. Exit code 2, as for usage errors.
    """

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[ConfigProblem]) -> None:
        # Stable sort: problems on one line keep the order they were found in.
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


def load_config(path: Path | None, *, explicit: bool = True) -> Config:
    """Read and validate the config at ``path``.

    ``path`` None, or a default location (``explicit=False``) where no file exists, gives the
    built-in default: no checks or metrics, the local host watched. A file named explicitly
    (--config, PENGUIN_TUI_CONFIG) must exist. Raises ConfigError listing every problem.
    """
    if path is None:
        return Config()
    path = Path(path).expanduser()
    if not path.exists():
        if not explicit:
            return Config()
        raise ConfigError([ConfigProblem(path, None, "", "no such config file")])
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(path, None, "", "is a directory, not a file")]) from None
    except OSError as exc:
        reason = sanitize(exc.strerror or exc, single_line=True)
        raise ConfigError([ConfigProblem(path, None, "", f"cannot read: {reason}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = ConfigProblem(path, line, "", "is not UTF-8 text (TOML files must be UTF-8)")
        raise ConfigError([problem]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Config:
    """Validate TOML ``text`` (from ``path``, used in messages and for relative paths)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_problem(path, exc)]) from None
    report = Report(path, text)
    root = Table(report, data, (), "")
    root.check_keys(
        _TOP,
        {
            "checks": 'write each check as a [[check]] table (singular "check")',
            "rules": 'write each rule as a [[rule]] table (singular "rule")',
        },
    )
    base = path.parent if path is not None else Path.cwd()

    general = _section(root, "general")
    cache_path, log_file, max_concurrency, uptime_target = _read_general(general, base)
    retention = _read_retention(_section(root, "retention"))
    prometheus = _section(root, "prometheus")
    prometheus_url = ""
    if prometheus is not None:
        prometheus.check_keys(["url"])
        prometheus_url = _url(prometheus, "url", ("http", "https"))
    host = _read_host(_section(root, "host"))
    vault = _read_vault(_section(root, "vault"), base)
    checks = read_checks(root)
    metrics = read_metrics(root, prometheus_url)
    alertmanager = read_alertmanager(_section(root, "alertmanager"), base)
    alerts = read_alerts(_section(root, "alerts"))
    rules = read_rules(root)
    incidents = read_incidents(_section(root, "incidents"))

    if report.problems:
        raise ConfigError(report.problems)
    return Config(
        checks=checks,
        metrics=metrics,
        host=host,
        retention=retention,
        cache_path=cache_path,
        log_file=log_file,
        max_concurrency=max_concurrency,
        uptime_target=uptime_target,
        prometheus_url=prometheus_url,
        vault=vault,
        alertmanager=alertmanager,
        alerts=alerts,
        rules=rules,
        incidents=incidents,
        source=path,
    )


def _syntax_problem(path: Path | None, exc: tomllib.TOMLDecodeError) -> ConfigProblem:
    # Python 3.11's TOMLDecodeError has no lineno attribute; its message ends "(at line L,
    # column C)", which is stable across 3.11-3.13.
    message = str(exc)
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    line = None
    if m:
        line = int(m.group(1))
        message = f"{message[: m.start()]} (column {m.group(2)})"
    elif message.endswith("(at end of document)"):
        message = message.removesuffix(" (at end of document)") + " (at the end of the file)"
    return ConfigProblem(path, line, "", f"TOML syntax error: {sanitize(message)}")


def _section(root: Table, name: str) -> Table | None:
    if name not in root:
        return None
    value = root.data[name]
    if not isinstance(value, dict):
        root.problem(name, f"expected a [{name}] table, got {type_name(value)}")
        return None
    return Table(root.report, value, (name,), name)


def _url(table: Table, name: str, schemes: tuple[str, ...]) -> str:
    url = table.text(name)
    if name in table and url:
        problem = url_problem(url, schemes)
        if problem:
            table.problem(name, problem)
            return ""
    return url


def _path(table: Table, name: str, base: Path) -> Path | None:
    # Relative paths are relative to the config file, not to wherever the daemon was started.
    text = table.text(name)
    if not text:
        if name in table:
            table.problem(name, "must not be empty (leave the key out for the default)")
        return None
    path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def _read_general(general: Table | None, base: Path) -> tuple[Path | None, Path | None, int, float]:
    defaults = Config()
    if general is None:
        return None, None, defaults.max_concurrency, defaults.uptime_target
    general.check_keys(["cache", "log_file", "max_concurrency", "uptime_target"])
    cache_path = _path(general, "cache", base)
    log_file = _path(general, "log_file", base)
    concurrency = general.whole("max_concurrency", defaults.max_concurrency, 1, 1000)
    target = general.number("uptime_target", defaults.uptime_target, 1, 100)
    assert target is not None
    return cache_path, log_file, concurrency, target


def _read_retention(table: Table | None) -> RetentionConfig:
    default = RetentionConfig()
    if table is None:
        return default
    table.check_keys(["raw", "minute", "hour"])
    raw = table.duration("raw", default.raw_s, 3600, 366 * _DAY)
    minute = table.duration("minute", default.minute_s, 3600, 3660 * _DAY)
    hour = table.duration("hour", default.hour_s, 3600, 3660 * _DAY)
    # Each tier summarises the one before; keeping a summary for less time than its source
    # is always a slip of the pen.
    if minute < raw:
        table.problem(
            "minute",
            f"minute rollups ({format_duration(minute)}) must be kept at least as long as "
            f"raw samples ({format_duration(raw)})",
        )
    if hour < minute:
        table.problem(
            "hour",
            f"hour rollups ({format_duration(hour)}) must be kept at least as long as "
            f"minute rollups ({format_duration(minute)})",
        )
    return RetentionConfig(raw, minute, hour)


_HOST_THRESHOLDS = ("cpu", "memory", "swap", "disk", "load")


def _read_host(table: Table | None) -> HostConfig:
    default = HostConfig()
    if table is None:
        return default
    table.check_keys(["enabled", "interval", "mounts", "network", *_HOST_THRESHOLDS])
    levels = {name: _threshold(table, name, getattr(default, name)) for name in _HOST_THRESHOLDS}
    mounts = table.texts("mounts", default.mounts) or ()
    for i, mount in enumerate(mounts):
        if not mount.startswith("/"):
            table.problem("mounts", f'{show(mount)} is not an absolute path like "/var"', index=i)
    return HostConfig(
        enabled=table.flag("enabled", default.enabled),
        interval_s=table.duration("interval", default.interval_s, 1, 3600),
        mounts=mounts,
        network=table.flag("network", default.network),
        **levels,
    )


def _threshold(host: Table, name: str, default: Threshold) -> Threshold:
    table = host.table(name)
    if table is None:
        return default
    table.check_keys(["careful", "warning", "critical"])
    hi = None if name == "load" else 100.0  # load is a multiple of the core count
    values = [table.number(level, getattr(default, level), 0, hi) for level in _LEVELS]
    careful, warning, critical = (float(v if v is not None else 0) for v in values)
    if not careful <= warning <= critical:
        table.problem(
            None,
            f"levels must rise: careful ({careful:g}) <= warning ({warning:g}) <= "
            f"critical ({critical:g})",
        )
        return default
    return Threshold(careful, warning, critical)


_LEVELS = ("careful", "warning", "critical")


def _read_vault(table: Table | None, base: Path) -> VaultConfig:
    if table is None:
        return VaultConfig()
    default = VaultConfig()
    table.check_keys(
        [
            "addr",
            "namespace",
            "cacert",
            "capath",
            "skip_verify",
            "rotation_period",
            "reveal_timeout",
            "clipboard_clear",
        ],
        # Only a file that holds a token is stat()ed.
        refused={"token": _vault_token_refusal(table.report.file)} if "token" in table else None,
    )
    return VaultConfig(
        addr=_url(table, "addr", ("http", "https")),
        namespace=table.text("namespace"),
        cacert=_path(table, "cacert", base),
        capath=_path(table, "capath", base),
        # None when absent: an explicit false here must be able to overrule VAULT_SKIP_VERIFY.
        skip_verify=table.flag("skip_verify", False) if "skip_verify" in table else None,
        rotation_period_s=table.duration(
            "rotation_period", default.rotation_period_s, 3600, 3660 * _DAY
        ),
        reveal_timeout_s=table.duration("reveal_timeout", default.reveal_timeout_s, 1, 3600),
        clipboard_clear_s=table.duration("clipboard_clear", default.clipboard_clear_s, 1, 3600),
    )


def _vault_token_refusal(path: Path | None) -> str:
    """Why a ``token`` key is refused; like ssh with a private key, the file's mode is named
    when group or others may read it, because then the token must be taken as exposed."""
    mode = None
    if path is not None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = None
    where = "penguin-tui reads it from VAULT_TOKEN or ~/.vault-token, as the vault CLI does"
    if mode is None or not mode & 0o044:
        return f"a Vault token never belongs in the config file; {where}"
    readers = " and ".join(who for who, bit in (("group", 0o040), ("others", 0o004)) if mode & bit)
    return (
        f"a Vault token never belongs in the config file, and this file is readable by "
        f"{readers} (mode {mode:04o}): treat the token as exposed (revoke it), remove the key "
        f"and chmod 600 the file; {where}"
    )
