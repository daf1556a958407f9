"""The small HTTP/1.1 client for plain http:// checks, against raw loopback servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from penguin_tui.sources.lite_http import LiteClient, LiteProtocolError

Answer = Callable[[bytes], bytes]


class RawServer:
    """Answers each request with ``answer(request_bytes)``; counts connections and requests."""

    def __init__(self, answer: Answer, close_after: bool = False) -> None:
        self.answer = answer
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                writer.write(self.answer(head))
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def ok(_request: bytes) -> bytes:
    return b'HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"status":"ok"}'


@pytest.fixture
async def lite() -> AsyncIterator[LiteClient]:
    client = LiteClient()
    yield client
    await client.aclose()


async def test_keep_alive_reuses_one_connection(lite: LiteClient) -> None:
    async with RawServer(ok) as server:
        for _ in range(5):
            answer = await lite.request("GET", server.url(), max_body=1024)
            assert answer.status == 200 and answer.body == b'{"status":"ok"}'
        assert server.connections == 1 and len(server.requests) == 5
        assert server.requests[0].startswith(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:")


async def test_server_that_closes_after_each_answer_costs_a_retry_not_an_error(
    lite: LiteClient,
) -> None:
    async with RawServer(ok, close_after=True) as server:
        for _ in range(3):
            assert (await lite.request("GET", server.url(), max_body=1024)).status == 200
        assert server.connections == 3


async def test_chunked_body_and_cap(lite: LiteClient) -> None:
    def chunked(_request: bytes) -> bytes:
        return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")  # fmt: skip

    async with RawServer(chunked) as server:
        answer = await lite.request("GET", server.url(), max_body=1024)
        assert answer.body == b"hello world" and not answer.cut
        capped = await lite.request("GET", server.url(), max_body=7)
        assert capped.body == b"hello w" and capped.cut


async def test_read_to_close_body_and_no_reuse(lite: LiteClient) -> None:
    def until_close(_request: bytes) -> bytes:
        return b"HTTP/1.0 200 OK\r\n\r\nplain body"

    async with RawServer(until_close, close_after=True) as server:
        answer = await lite.request("GET", server.url(), max_body=1024)
        assert answer.body == b"plain body"


async def test_header_values_cannot_inject_lines(lite: LiteClient) -> None:
    async with RawServer(ok) as server:
        await lite.request(
            "GET", server.url(), headers={"X-Team": "ops\r\nX-Evil: 1"}, max_body=1024
        )
        assert b"\r\nX-Evil" not in server.requests[0]
        assert b"X-Team: ops  X-Evil: 1\r\n" in server.requests[0]


async def test_informational_and_garbage_answers_are_protocol_errors(lite: LiteClient) -> None:
    async with RawServer(lambda _r: b"HTTP/1.1 103 Early Hints\r\n\r\n") as server:
        with pytest.raises(LiteProtocolError, match="informational"):
            await lite.request("GET", server.url(), max_body=1024)
    async with RawServer(lambda _r: b"SSH-2.0-OpenSSH\r\n\r\n") as server:
        with pytest.raises(LiteProtocolError, match="illegal status line"):
            await lite.request("GET", server.url(), max_body=1024)
