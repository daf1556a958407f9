"""``python -m penguin_tui.vaultdouble [--port N] [--seed demo|big|none] [--token T]``

Serves the Vault API test double on 127.0.0.1 until interrupted and prints the lines to paste
into another shell (``eval "$(python -m penguin_tui.vaultdouble | head -2)"`` also works).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from penguin_tui.vaultdouble.runner import VaultServer, make_double
from penguin_tui.vaultdouble.seed import SEEDS


def export_lines(addr: str, token: str) -> list[str]:
    """The shell lines that point the vault CLI, hvac and penguin-tui at the double."""
    return [f"export VAULT_ADDR={addr}", f"export VAULT_TOKEN={token}"]


async def serve(port: int, seed_name: str, token: str | None, out: TextIO) -> int:
    """Serve until SIGINT/SIGTERM; returns the exit code."""
    double = make_double(seed_name, token=token)
    server = VaultServer(double, port=port)
    try:
        await server.start()
    except OSError as exc:
        print(f"vaultdouble: cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    try:
        for line in export_lines(server.addr, double.root_token):
            print(line, file=out)
        for name, other in sorted(double.seed_tokens.items()):
            print(f"# a {name} token instead of root: export VAULT_TOKEN={other}", file=out)
        print(
            f"# Vault API test double (not a Vault: memory only, no encryption), seed {seed_name};"
            " Ctrl+C stops it.",
            file=out,
        )
        out.flush()
        await stop.wait()
    finally:
        await server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m penguin_tui.vaultdouble",
        description="Serve the Vault API test double on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", choices=SEEDS, default="demo", help="what it holds")
    parser.add_argument("--token", default=None, help="the root token (default: random)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: must be 0-65535")
    if args.token is not None and not args.token.strip():
        parser.error("--token: must not be empty")
    try:
        return asyncio.run(serve(args.port, args.seed, args.token, sys.stdout))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
