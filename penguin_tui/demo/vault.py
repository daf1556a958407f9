"""The demo's Vault: the Vault API test double, seeded with PenguinMails secrets, served on
127.0.0.1 from the demo's own event loop (memory only: nothing to clean up on disk).

The console finds it through ``[vault] addr`` in the demo config; the token never goes into a
file: while the console runs, the demo process's own environment says ``VAULT_TOKEN`` (and
``VAULT_ADDR``, so an operator's real ``VAULT_ADDR`` cannot point the demo elsewhere), and the
operator's other ``VAULT_*`` settings are hidden so their real token, namespace or CA never meet
the double. ``--no-console`` prints the two ``export`` lines instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from penguin_tui.vaultdouble.runner import VaultServer, make_double

# Everything the vault CLI conventions (and so the console) read from the environment.
VAULT_VARIABLES = (
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "VAULT_NAMESPACE",
    "VAULT_CACERT",
    "VAULT_CAPATH",
    "VAULT_SKIP_VERIFY",
    "VAULT_CLIENT_CERT",
    "VAULT_CLIENT_KEY",
    "VAULT_TLS_SERVER_NAME",
)
DEMO_TOKEN = "oncall"  # the seed's on-call token: reads most things, 8 h to live, a few 403s


@dataclass
class DemoVault:
    """The running double: ``addr`` for the config, ``token`` for the environment."""

    server: VaultServer
    token: str = field(repr=False)

    @property
    def addr(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.server.addr

    def export_lines(self) -> list[str]:
        """What to paste into another shell to use this Vault."""
        return [f"export VAULT_ADDR={self.addr}", f"export VAULT_TOKEN={self.token}"]

    def environment(self) -> dict[str, str]:
        """The ``VAULT_*`` variables the console should see (and no others)."""
        return {"VAULT_ADDR": self.addr, "VAULT_TOKEN": self.token}

    async def stop(self) -> None:
        """Stop serving (its secrets go with the process's memory)."""
        await self.server.stop()


async def start_demo_vault() -> DemoVault:
    """Seed a double with the demo tree and serve it on a free loopback port."""
    double = make_double("demo")
    server = VaultServer(double)
    await server.start()
    return DemoVault(server, double.seed_tokens[DEMO_TOKEN])


@contextlib.contextmanager
def vault_environment(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` and hide every other ``VAULT_*`` variable for the
    duration of the block; the operator's own values come back afterwards."""
    saved = {name: os.environ.get(name) for name in (*VAULT_VARIABLES, *values)}
    try:
        for name in saved:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
