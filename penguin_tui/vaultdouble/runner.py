"""Running the double: on the caller's event loop (the demo), or in a background thread with
its own loop (tests, benchmarks, code that is not async).

    with running_vault(seed="demo") as vault:
        addr, token = vault            # or vault.addr, vault.token, vault.double
        hvac.Client(addr, token).secrets.kv.v2.read_secret_version(...)

The thread is stopped and joined when the block ends, however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from penguin_tui.vaultdouble.httpio import VaultHTTPServer
from penguin_tui.vaultdouble.seed import SEEDS, seed
from penguin_tui.vaultdouble.server import Clock, VaultDouble

START_TIMEOUT_S = 10.0


@dataclass
class RunningVault:
    """A started double: its address, root token and state. Unpacks as ``(addr, token)``."""

    addr: str
    token: str = field(repr=False)
    double: VaultDouble

    def __iter__(self) -> Iterator[str]:
        return iter((self.addr, self.token))


class VaultServer:
    """The double behind an HTTP server on 127.0.0.1 (``port`` 0 picks a free one)."""

    def __init__(self, double: VaultDouble, *, port: int = 0) -> None:
        self.double = double
        self.http = VaultHTTPServer(double, port=port)

    @property
    def addr(self) -> str:
        """``http://127.0.0.1:PORT`` once started (what VAULT_ADDR should say)."""
        return self.http.url

    async def start(self) -> None:
        """Bind and serve on the running loop."""
        await self.http.start()

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        await self.http.stop()

    async def __aenter__(self) -> VaultServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def make_double(
    seed_name: str = "demo", *, token: str | None = None, clock: Clock | None = None
) -> VaultDouble:
    """A double with the root token ``token`` (random if None), seeded with ``seed_name``
    (one of ``SEEDS``: "demo", "big", "none")."""
    if seed_name not in SEEDS:
        raise ValueError(f"unknown seed {seed_name!r} (choose from {', '.join(SEEDS)})")
    double = (
        VaultDouble(root_token=token)
        if clock is None
        else VaultDouble(clock=clock, root_token=token)
    )
    seed(double, seed_name)
    return double


@contextlib.contextmanager
def running_vault(
    seed: str = "demo",
    token: str | None = None,
    *,
    double: VaultDouble | None = None,
    clock: Clock | None = None,
    port: int = 0,
) -> Iterator[RunningVault]:
    """Serve a double from a background thread for the duration of the ``with`` block.

    Pass ``double`` to serve one you built (``seed``, ``token`` and ``clock`` are then unused).
    """
    vault = double if double is not None else make_double(seed, token=token, clock=clock)
    server = VaultServer(vault, port=port)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []
    stop: asyncio.Event | None = None

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        try:
            await server.start()
        except BaseException as exc:  # e.g. the port is taken: tell the caller, not the thread
            failure.append(exc)
            ready.set()
            return
        ready.set()
        try:
            await stop.wait()
        finally:
            await server.stop()

    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(),), daemon=True, name="vault-double"
    )
    thread.start()
    try:
        if not ready.wait(START_TIMEOUT_S):
            raise RuntimeError("the Vault double did not start in time")
        if failure:
            raise failure[0]
        yield RunningVault(server.addr, vault.root_token, vault)
    finally:
        if stop is not None and thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
        thread.join(START_TIMEOUT_S)
        if not thread.is_alive():
            loop.close()
