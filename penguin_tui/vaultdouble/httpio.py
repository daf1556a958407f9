"""The double's HTTP server: the project's small asyncio server, taught Vault's LIST verb.

hvac lists with the non-standard ``LIST`` method; the shared server only accepts the standard
verbs. Vault itself treats ``LIST /v1/p`` and ``GET /v1/p?list=true`` as the same request, so
the double rewrites the request line to the latter before the server parses it, and the routes
see one form. Everything else (bounded reads, keep-alive, timeouts) is the shared server's.
"""

from __future__ import annotations

import asyncio

from penguin_tui.demo.httpserver import Handler, HTTPServer


class _ListAsGet:
    """A StreamReader view: a ``LIST t`` request line becomes ``GET t?list=true``."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        head = await self._reader.readuntil(separator)
        if not head.startswith(b"LIST "):
            return head
        line, sep, rest = head.partition(b"\r\n")
        parts = line.split(b" ")
        if len(parts) != 3:
            return head  # malformed: let the server refuse it as usual
        target = parts[1] + (b"&" if b"?" in parts[1] else b"?") + b"list=true"
        return b"GET " + target + b" " + parts[2] + sep + rest

    async def readexactly(self, n: int) -> bytes:
        return await self._reader.readexactly(n)


class VaultHTTPServer(HTTPServer):
    """``HTTPServer`` on 127.0.0.1 that also accepts ``LIST`` requests."""

    def __init__(self, handler: Handler, *, port: int = 0) -> None:
        # Loopback only, always: this is a test double holding demo secrets, not a Vault.
        super().__init__(handler, host="127.0.0.1", port=port, name="vault-double")

    async def _read_request(self, reader: asyncio.StreamReader):  # type: ignore[override]
        return await super()._read_request(_ListAsGet(reader))  # type: ignore[arg-type]
