"""The demo HTTP server over real loopback sockets: keep-alive, limits, and bad clients."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from penguin_tui.demo.httpserver import HTTPServer, Response

Seen = list[tuple[str, str, dict[str, str], dict[str, str], bytes]]


def _recording_handler(seen: Seen):
    async def handler(method, path, query, headers, body):
        seen.append((method, path, query, headers, body))
        if path == "/boom":
            raise RuntimeError("route bug")
        if path == "/json":
            return Response.json({"status": "ok", "n": len(seen)})
        return Response.text(f"{method} {path}\n")

    return handler


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


@pytest.fixture
async def server():
    seen: Seen = []
    srv = HTTPServer(_recording_handler(seen), idle_timeout=0.5)
    await srv.start()
    srv.seen = seen  # type: ignore[attr-defined]
    yield srv
    await srv.stop()


async def test_binds_a_free_loopback_port_and_answers(server: HTTPServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{server.url}/json?a=1&b=two&a=3")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"status": "ok", "n": 1}
    method, path, query, headers, body = server.seen[0]  # type: ignore[attr-defined]
    assert (method, path, query, body) == ("GET", "/json", {"a": "3", "b": "two"}, b"")
    assert headers["host"] == f"127.0.0.1:{server.port}"


async def test_keep_alive_serves_many_requests_on_one_connection(server: HTTPServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for i in range(5):
            writer.write(f"GET /r{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            status, headers, body = await _read_response(reader)
            assert status == 200
            assert headers["connection"] == "keep-alive"
            assert body == f"GET /r{i}\n".encode()
        # Pipelined: two requests in one write, two answers in order.
        writer.write(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await _read_response(reader))[2] == b"GET /a\n"
        assert (await _read_response(reader))[2] == b"GET /b\n"
    finally:
        writer.close()
    assert server.requests == 7


async def test_connection_close_and_http10_end_the_connection(server: HTTPServer) -> None:
    for request in (
        b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /x HTTP/1.0\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request)
        status, headers, _ = await _read_response(reader)
        assert (status, headers["connection"]) == (200, "close")
        assert await reader.read() == b""  # the server hung up
        writer.close()


async def test_request_body_by_content_length(server: HTTPServer) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{server.url}/in", content=b"x" * 3000)
    assert r.status_code == 200
    assert server.seen[-1][4] == b"x" * 3000  # type: ignore[attr-defined]


async def test_head_has_length_but_no_body(server: HTTPServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"HEAD /json HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    assert b"Content-Length: " in head
    # The next bytes are the second response, not a body for the HEAD.
    status, _, body = await _read_response(reader)
    assert (status, body) == (200, b"GET /after\n")
    writer.close()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"GET / SPDY/3\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n", 431),
    ],
    ids=["line", "version", "header", "length", "chunked", "too-long", "head-too-big"],
)
async def test_bad_requests_get_a_4xx_and_a_closed_connection(
    server: HTTPServer, raw: bytes, status: int
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(raw)
    got, headers, _ = await _read_response(reader)
    assert (got, headers["connection"]) == (status, "close")
    assert await reader.read() == b""
    writer.close()
    # ... and the server is none the worse for it.
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{server.url}/ok")).status_code == 200


async def test_a_failing_route_answers_500_and_the_connection_lives_on(server: HTTPServer) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{server.url}/boom")
        assert r.status_code == 500
        assert (await client.get(f"{server.url}/ok")).status_code == 200
    assert server.errors == 1


async def test_silent_and_half_sent_clients_are_dropped_after_the_idle_timeout(
    server: HTTPServer,
) -> None:
    quiet_reader, quiet = await asyncio.open_connection("127.0.0.1", server.port)
    slow_reader, slow = await asyncio.open_connection("127.0.0.1", server.port)
    slow.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finishes its head
    async with asyncio.timeout(5):  # idle_timeout is 0.5 s
        assert await quiet_reader.read() == b""
        assert await slow_reader.read() == b""
    quiet.close()
    slow.close()


async def test_hundreds_of_concurrent_keep_alive_connections() -> None:
    async def slow_ok(method, path, query, headers, body):
        await asyncio.sleep(0.05)  # so every connection is open at the same time
        return Response.json({"status": "ok"})

    async def client(port: int) -> list[int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        statuses = []
        for _ in range(3):  # several requests on the one kept-alive connection
            writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, _ = await _read_response(reader)
            statuses.append(status)
            assert headers["connection"] == "keep-alive"
        writer.close()
        return statuses

    # Raw sockets rather than httpx: httpx's pool takes seconds for 500 connections and
    # would time the client, not the server.
    async with HTTPServer(slow_ok) as srv:
        async with asyncio.timeout(20):
            results = await asyncio.gather(*(client(srv.port) for _ in range(600)))
        assert all(statuses == [200, 200, 200] for statuses in results)
        assert srv.requests == 1800


async def test_works_with_httpx_connection_reuse() -> None:
    async def ok(method, path, query, headers, body):
        return Response.json({"status": "ok"})

    async with HTTPServer(ok) as srv, httpx.AsyncClient() as client:
        for _ in range(3):
            rs = await asyncio.gather(*(client.get(f"{srv.url}/h") for _ in range(50)))
            assert all(r.json() == {"status": "ok"} for r in rs)
        assert srv.requests == 150
        assert len(srv._connections) <= 50  # reused, not one connection per request


async def test_stop_closes_open_connections_and_in_flight_requests() -> None:
    started = asyncio.Event()

    async def hang(method, path, query, headers, body):
        started.set()
        await asyncio.sleep(3600)
        return Response()

    srv = HTTPServer(hang)
    await srv.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await started.wait()
    async with asyncio.timeout(5):
        await srv.stop()
        assert await reader.read() == b""
    writer.close()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", srv.port)


async def test_a_client_that_hangs_up_mid_request_does_not_disturb_the_server() -> None:
    answered = asyncio.Event()

    async def slow(method, path, query, headers, body):
        await asyncio.sleep(0.05)
        answered.set()
        return Response.json({"status": "ok"})

    async with HTTPServer(slow) as srv:
        _, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        writer.close()  # gone before the answer is ready
        async with asyncio.timeout(5):
            await answered.wait()
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{srv.url}/health")).status_code == 200
        assert srv.errors == 0
