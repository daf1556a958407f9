"""hvac's errors carry whole response bodies: none of it may reach a message or a traceback.

hvac talks over real HTTP to a small server on 127.0.0.1 that answers with bodies holding a
canary; every error the client raises is then searched for the canary everywhere a body could
hide: the message, ``args``, attributes, ``__cause__``/``__context__`` and the formatted
traceback.
"""

from __future__ import annotations

import asyncio
import json
import threading
import traceback
from collections.abc import Iterator

import pytest

from penguin_tui.demo.httpserver import HTTPServer, Response
from penguin_tui.vault.client import (
    VaultBadAnswer,
    VaultClient,
    VaultError,
    VaultForbidden,
    VaultNotFound,
    VaultRateLimited,
    VaultSealed,
    VaultUnreachable,
    scrub,
)
from penguin_tui.vault.settings import Token, VaultSettings

CANARY = "CANARY-7f3a9c"


def _body(errors: list[str], status: int) -> Response:
    # Vault's error body, plus data a misbehaving server (or a 404 envelope) might carry.
    body = {"errors": errors, "data": {"data": {"password": CANARY}}, "warnings": [CANARY]}
    return Response(status, json.dumps(body).encode(), "application/json")


ROUTES = {
    "/v1/forbidden": lambda: _body(["permission denied"], 403),
    "/v1/missing": lambda: _body([], 404),
    "/v1/sealed": lambda: _body(["Vault is sealed"], 503),
    "/v1/limited": lambda: _body(['request path "x": rate limit quota exceeded'], 429),
    "/v1/bad": lambda: _body(["invalid request \x1b]52;c;aGk=\x07 here"], 400),
    # Not JSON: hvac makes the whole text the exception's message.
    "/v1/plain": lambda: Response.text(f"upstream broke: {CANARY}", 500),
    "/v1/html200": lambda: Response(200, f"<html>{CANARY}</html>".encode(), "text/html"),
    "/v1/many": lambda: _body([f"e{i}" for i in range(6)], 500),
}


@pytest.fixture(scope="module")
def addr() -> Iterator[str]:
    async def handler(method, path, query, headers, body):
        return ROUTES.get(path, lambda: _body([], 404))()

    server = HTTPServer(handler, name="hostile-vault")
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        await server.start()
        ready.set()
        await stop.wait()
        await server.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield server.url
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    loop.close()


def _client(addr: str, token: str = "hvs.t") -> VaultClient:
    return VaultClient(VaultSettings(addr, Token(token)), retries=0, timeout=5)


def _assert_clean(exc: BaseException) -> None:
    assert exc.__cause__ is None and exc.__context__ is None
    assert exc.__suppress_context__ is False  # nothing to suppress: there is no context
    texts = [
        str(exc),
        repr(exc),
        repr(exc.args),
        repr(vars(exc)),
        "".join(traceback.format_exception(exc)),
    ]
    for text in texts:
        assert CANARY not in text, text
        assert "\x1b" not in text and "\x07" not in text


def _raised(addr: str, path: str, **kw: object) -> VaultError:
    with _client(addr, **kw) as client, pytest.raises(VaultError) as info:  # type: ignore[arg-type]
        client.call(f"read {path}", lambda hv: hv.adapter.get(f"/v1/{path}"))
    _assert_clean(info.value)
    return info.value


@pytest.mark.parametrize(
    ("path", "cls", "message"),
    [
        ("forbidden", VaultForbidden, "read forbidden: permission denied (403)"),
        ("missing", VaultNotFound, "read missing: not found"),
        ("sealed", VaultSealed, "read sealed: Vault is sealed: Vault is sealed"),
        ("limited", VaultRateLimited, 'read limited: Vault is rate limiting requests (429): '
                                      'request path "x": rate limit quota exceeded'),
        ("bad", VaultError, "read bad: Vault refused the request (400): invalid request  here"),
        ("plain", VaultBadAnswer, "read plain: Vault failed (500)"),
        ("many", VaultBadAnswer, "read many: Vault failed (500): e0; e1; e2; and 3 more"),
    ],
)  # fmt: skip
def test_errors_are_plain_words_without_bodies(
    addr: str, path: str, cls: type[VaultError], message: str
) -> None:
    error = _raised(addr, path)
    assert type(error) is cls
    assert str(error) == message
    assert error.exit_code == 3


def test_a_non_json_success_is_a_bad_answer_without_its_body(addr: str) -> None:
    from penguin_tui.vault.mounts import _data

    with _client(addr) as client:
        answer = client.call("read html200", lambda hv: hv.adapter.get("/v1/html200"))
    # hvac hands back the Response object for a 200 that is not JSON: refused, unprinted.
    with pytest.raises(VaultBadAnswer) as info:
        _data(answer, "sys/mounts")
    assert str(info.value) == "read sys/mounts: Vault's answer is not a JSON object"


def test_no_token_says_how_to_get_one(addr: str) -> None:
    error = _raised(addr, "forbidden", token="")
    assert "no Vault token: set VAULT_TOKEN or log in with `vault login`" in str(error)


def test_unreachable_vault_is_named_without_the_socket_noise() -> None:
    settings = VaultSettings("http://127.0.0.1:9", Token("t"))
    with VaultClient(settings, timeout=3) as client, pytest.raises(VaultUnreachable) as info:
        client.call("read sys/health", lambda hv: hv.sys.read_health_status(method="GET"))
    assert str(info.value).startswith("read sys/health: cannot reach Vault at http://127.0.0.1:9:")
    assert "refused" in str(info.value).lower()
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_scrub_of_an_hvac_exception_uses_status_and_errors_only() -> None:
    from hvac import exceptions

    raw = exceptions.Forbidden(
        CANARY, errors=["permission denied", CANARY * 0 + "x"], method="GET",
        url=f"http://v/v1/{CANARY}", text=CANARY, json={"data": CANARY},
    )  # fmt: skip
    error = scrub(raw, "read secret/app", "http://v")
    assert isinstance(error, VaultForbidden)
    assert str(error) == "read secret/app: permission denied (403): permission denied; x"
    assert CANARY not in repr(vars(error))


def test_bugs_are_not_disguised_as_vault_errors(addr: str) -> None:
    with _client(addr) as client, pytest.raises(ZeroDivisionError):
        client.call("compute", lambda hv: 1 / 0)
