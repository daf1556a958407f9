"""``penguin-tui daemon``: the recorder as a long-running service.

Polls 24/7 so "what happened overnight" is answerable in the morning. Stops cleanly on SIGTERM
(systemd) or SIGINT (Ctrl-C): the poller finishes, the last batch is written, the writer lock is
released, exit code 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from penguin_tui.context import NO_CONFIG_HINT, resolve
from penguin_tui.errors import EXIT_OK, EXIT_USAGE, PenguinError

log = logging.getLogger("penguin_tui.daemon")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_file: Path | None) -> None:
    """Log to stderr (journald picks it up) and, when configured, to a file."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise PenguinError(
                f"{log_file}: cannot write the log file ([general].log_file): {exc.strerror}",
                exit_code=EXIT_USAGE,
            ) from None
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    # httpx logs every request at INFO: far too chatty for a recorder polling hundreds of targets.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_daemon(
    config_path: Path | None,
    cache_path: Path | None,
    *,
    role: str = "daemon",
    exit_with_stdin: bool = False,
) -> int:
    """Run the recorder until SIGTERM/SIGINT (or, for a console's child, stdin closing)."""
    ctx = resolve(config_path, cache_path)
    setup_logging(ctx.config.log_file)
    if ctx.config_path is None:
        log.warning(NO_CONFIG_HINT)
    log.info(
        "recording %d checks, %d metrics%s into %s (config: %s)",
        len(ctx.config.checks),
        len(ctx.config.metrics),
        " and this host" if ctx.config.host.enabled else "",
        ctx.cache_path,
        ctx.config_path or "built-in default",
    )
    asyncio.run(_serve(ctx.config, ctx.cache_path, role, exit_with_stdin))
    log.info("stopped cleanly")
    return EXIT_OK


async def _serve(config, cache_path: Path, role: str, exit_with_stdin: bool) -> None:  # type: ignore[no-untyped-def]
    from penguin_tui.recorder import Recorder

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _request_stop, stop, sig)
    if exit_with_stdin:
        # The console that started us holds the other end: when it quits, crashes or loses
        # its terminal, the pipe closes and we stop cleanly, never outliving it.
        def stdin_ready() -> None:
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                log.info("the console that started this recorder has gone, stopping")
                stop.set()

        loop.add_reader(sys.stdin.fileno(), stdin_ready)
    recorder = Recorder(config, cache_path, role=role)
    await recorder.run(stop)
    log.info("wrote %d batches, %d samples", recorder.batches_written, recorder.samples_written)


def _request_stop(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("received %s, stopping", sig.name)
    stop.set()
