"""The command line: the console, ``daemon``, ``check``, ``export``, ``demo``, ``config``,
``incident`` and ``secrets``.

Every command imports what it needs inside its body, so ``penguin-tui check`` and
``penguin-tui daemon`` never load Textual, and ``--help`` stays instant (tests pin this).
Operator-facing errors (PenguinError) print one line to stderr and exit with their code;
tracebacks are for bugs only.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from penguin_tui import __version__
from penguin_tui.errors import EXIT_INTERRUPTED, EXIT_USAGE, PenguinError

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _operator_errors(func: F) -> F:
    """Turn PenguinError into one clear line on stderr and its exit code (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PenguinError as exc:
            message = exc.message
            # A multi-line message (every problem of a config) is one problem per line, each
            # already naming its file and line: print it as it is.
            click.echo(message if "\n" in message else f"penguin-tui: {message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `penguin-tui export | head`: the reader has what it wanted. Point stdout at
            # /dev/null so the interpreter's final flush does not complain again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)

    return wrapper  # type: ignore[return-value]


def _config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (default: $PENGUIN_TUI_CONFIG, else "
        "$XDG_CONFIG_HOME/penguin-tui/config.toml).",
    )(func)


def _cache_option(func: F) -> F:
    return click.option(
        "--cache",
        "cache_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Cache file (default: [general].cache, else $XDG_DATA_HOME/penguin-tui/cache.db).",
    )(func)


def _output_option(func: F) -> F:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (refuses to overwrite an existing one). Default: stdout.",
    )(func)


def _duration(value: str | None, option: str) -> float | None:
    if value is None:
        return None
    from penguin_tui.durations import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise PenguinError(f"{option} {value!r}: {exc}", exit_code=EXIT_USAGE) from None


@click.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="penguin-tui")
@_config_option
@_cache_option
@click.pass_context
@_operator_errors
def main(ctx: click.Context, config_path: Path | None, cache_path: Path | None) -> None:
    """penguin-tui: the PenguinMails operations console.

    With no command, opens the console on the configured platform. `penguin-tui demo` opens it
    on a simulated platform; `penguin-tui check` is the morning check for cron and monitoring.
    """
    if ctx.invoked_subcommand is not None:
        return
    from penguin_tui.launch import run_console

    sys.exit(run_console(config_path, cache_path))


@main.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
# For a console's own recorder (penguin_tui/recorder_process.py), not for operators.
@click.option("--role", default="daemon", hidden=True)
@click.option("--exit-with-stdin", is_flag=True, hidden=True)
@_operator_errors
def daemon(
    config_path: Path | None, cache_path: Path | None, role: str, exit_with_stdin: bool
) -> None:
    """Record 24/7: poll every configured target and write the cache.

    Runs until SIGTERM or SIGINT, then flushes and exits 0. Logs to stderr (and to
    [general].log_file when set). Holds the cache's writer lock: consoles attach to it.
    """
    from penguin_tui.daemon import run_daemon

    sys.exit(run_daemon(config_path, cache_path, role=role, exit_with_stdin=exit_with_stdin))


@main.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--since",
    metavar="DURATION",
    help="Overnight window, e.g. 12h (default: since the last sign-off, else 12h).",
)
@_operator_errors
def check(config_path: Path | None, cache_path: Path | None, fmt: str, since: str | None) -> None:
    """The morning check without a screen.

    Exit codes as Nagios plugins: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (also STALE).
    """
    from penguin_tui.check import run_check_command

    sys.exit(run_check_command(config_path, cache_path, fmt, _duration(since, "--since")))


@main.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.option("--since", metavar="DURATION", default="24h", show_default=True)
@click.option(
    "--what",
    type=click.Choice(["samples", "checks", "events"]),
    default="samples",
    show_default=True,
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@_output_option
@_operator_errors
def export(
    config_path: Path | None,
    cache_path: Path | None,
    since: str,
    what: str,
    fmt: str,
    output: Path | None,
) -> None:
    """What the cache holds, for reports and data teams (CSV, or a JSON array)."""
    from penguin_tui.export import run_export

    seconds = _duration(since, "--since")
    assert seconds is not None
    sys.exit(run_export(config_path, cache_path, seconds, what, fmt, output))


@main.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.option(
    "--since",
    metavar="DURATION",
    default="12h",
    show_default=True,
    help="Length of the shift, ending now.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@_output_option
@_operator_errors
def report(
    config_path: Path | None,
    cache_path: Path | None,
    since: str,
    fmt: str,
    output: Path | None,
) -> None:
    """The end-of-shift summary: uptime, latencies, deliverability, events and sign-offs."""
    from penguin_tui.report_files import run_report_command

    seconds = _duration(since, "--since")
    assert seconds is not None
    sys.exit(run_report_command(config_path, cache_path, seconds, fmt, output))


@main.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--no-console",
    is_flag=True,
    help="Serve the simulated platform only; print the path of a config that points at it.",
)
@_operator_errors
def demo(no_console: bool) -> None:
    """A simulated PenguinMails platform on 127.0.0.1, and the console pointed at it."""
    from penguin_tui.launch import run_demo_command

    sys.exit(run_demo_command(console=not no_console))


@main.group(context_settings=CONTEXT_SETTINGS)
def config() -> None:
    """Show, check or locate the configuration."""


@config.command("example", context_settings=CONTEXT_SETTINGS)
def config_example() -> None:
    """Print a complete, commented example config."""
    from penguin_tui.config_example import EXAMPLE_CONFIG

    click.echo(EXAMPLE_CONFIG, nl=False)


@config.command("validate", context_settings=CONTEXT_SETTINGS)
@_config_option
@_operator_errors
def config_validate(config_path: Path | None) -> None:
    """Check the config and report every problem at once (exit 2 if any)."""
    from penguin_tui.config import load_config
    from penguin_tui.paths import resolve_config_path

    path, explicit = resolve_config_path(config_path)
    if not explicit and not path.exists():
        click.echo(f"{path}: no config file; the built-in default (this host only) is in use.")
        return
    cfg = load_config(path, explicit=True)
    click.echo(
        f"{path}: OK ({len(cfg.checks)} checks, {len(cfg.metrics)} metrics, "
        f"host {'on' if cfg.host.enabled else 'off'})"
    )


@config.command("path", context_settings=CONTEXT_SETTINGS)
@_config_option
def config_path_cmd(config_path: Path | None) -> None:
    """Print the config file in use and whether it exists."""
    from penguin_tui.paths import resolve_config_path

    path, _explicit = resolve_config_path(config_path)
    state = "exists" if path.exists() else "missing: the built-in default is used"
    click.echo(f"{path} ({state})")


@main.group(context_settings=CONTEXT_SETTINGS)
def incident() -> None:
    """Declare and run incidents from scripts and chat bots (the console's screen 3)."""


def _format_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
    )(func)


@incident.command("list", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@_format_option
@click.option("--all", "show_all", is_flag=True, help="Also incidents closed over a week ago.")
@_operator_errors
def incident_list(
    config_path: Path | None, cache_path: Path | None, fmt: str, show_all: bool
) -> None:
    """Open incidents first, by severity, with status, age, commander and next update."""
    from penguin_tui.incidents.commands import run_list

    sys.exit(run_list(config_path, cache_path, fmt, show_all))


@incident.command("show", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@_format_option
@click.argument("incident_id", metavar="ID")
@_operator_errors
def incident_show(
    config_path: Path | None, cache_path: Path | None, fmt: str, incident_id: str
) -> None:
    """One incident and its whole timeline."""
    from penguin_tui.incidents.commands import run_show

    sys.exit(run_show(config_path, cache_path, incident_id, fmt))


@incident.command("declare", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.argument("title")
@click.option(
    "--severity", "-s", default="high", show_default=True, help="critical, high, medium or low."
)
@click.option("--service", "services", multiple=True, help="An affected service (repeatable).")
@click.option("--summary", default="", help="What is happening, in a sentence or two.")
@click.option("--impact", default="", help="What customers notice.")
@click.option("--commander", default="", help="Who leads the response.")
@_operator_errors
def incident_declare(
    config_path: Path | None,
    cache_path: Path | None,
    title: str,
    severity: str,
    services: tuple[str, ...],
    summary: str,
    impact: str,
    commander: str,
) -> None:
    """Declare an incident; prints its id (INC-2026-11-21-1)."""
    from penguin_tui.incidents.commands import run_declare

    sys.exit(
        run_declare(config_path, cache_path, title, severity, services, summary, impact, commander)
    )


@incident.command("note", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.argument("incident_id", metavar="ID")
@click.argument("text")
@_operator_errors
def incident_note(
    config_path: Path | None, cache_path: Path | None, incident_id: str, text: str
) -> None:
    """Add a note to an incident's timeline."""
    from penguin_tui.incidents.commands import run_note

    sys.exit(run_note(config_path, cache_path, incident_id, text))


@incident.command("status", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.argument("incident_id", metavar="ID")
@click.argument("status")
@click.option("--reason", default="", help="Why, in a few words (goes on the timeline).")
@_operator_errors
def incident_status(
    config_path: Path | None, cache_path: Path | None, incident_id: str, status: str, reason: str
) -> None:
    """Move an incident on: investigating, identified, monitoring, resolved, closed."""
    from penguin_tui.incidents.commands import run_status

    sys.exit(run_status(config_path, cache_path, incident_id, status, reason))


@incident.command("export", context_settings=CONTEXT_SETTINGS)
@_config_option
@_cache_option
@click.argument("incident_id", metavar="ID")
@_output_option
@_operator_errors
def incident_export(
    config_path: Path | None, cache_path: Path | None, incident_id: str, output: Path | None
) -> None:
    """The postmortem draft in Markdown: summary, roles, durations, timeline, findings."""
    from penguin_tui.incidents.commands import run_export

    sys.exit(run_export(config_path, cache_path, incident_id, output))


@main.group(context_settings=CONTEXT_SETTINGS)
def secrets() -> None:
    """HashiCorp Vault KV secrets, read-only (the console's secrets screen)."""


@secrets.command("audit", context_settings=CONTEXT_SETTINGS)
@_config_option
@click.option("--mount", metavar="M", help="One KV v2 mount (default: every one the token sees).")
@click.option("--path", metavar="P", help="A folder or secret (inside --mount, else a full path).")
@_format_option
@_operator_errors
def secrets_audit(config_path: Path | None, mount: str | None, path: str | None, fmt: str) -> None:
    """List the secrets overdue for rotation, with ages and versions, never their values.

    Vault from [vault] and VAULT_ADDR/VAULT_TOKEN. Exit codes: 0 none overdue, 1 some overdue,
    2 usage or config, 3 Vault unreachable, sealed or forbidden (or part of the tree was).
    """
    from penguin_tui.vault.audit_cli import run_secrets_audit

    sys.exit(run_secrets_audit(config_path, mount, path, fmt))


if __name__ == "__main__":  # pragma: no cover
    main()
