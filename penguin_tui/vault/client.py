"""The one way penguin-tui talks to Vault: hvac, imported on first use, errors scrubbed.

``VaultClient.call(what, fn)`` runs ``fn(hvac_client)`` in the calling thread and turns every
failure into a ``VaultError`` whose message is built from the HTTP status and Vault's own
``errors`` list only. hvac's exceptions carry the whole response body (``text``, ``json``),
and a body can hold secret values: none of it is kept, and the original exception is never
chained (the scrubbed error is raised outside the ``except`` block, so neither ``__cause__``
nor ``__context__`` refers to it and no traceback can print it).

Nothing here blocks an event loop by accident: the core's functions are plain blocking calls,
and ``await client.run(func, *args)`` runs one of them in this client's worker threads (each
thread has its own hvac client and HTTP session, since a requests Session is not meant to be
shared between threads). hvac and requests cost ~150 ms to import; a process that never opens
the secrets screen never pays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from penguin_tui.errors import PenguinError
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.vault.settings import VaultSettings

T = TypeVar("T")

EXIT_VAULT = 3  # `secrets audit`: Vault unreachable, sealed or forbidden
DEFAULT_TIMEOUT = 10.0
_MAX_ERRORS = 3  # of Vault's "errors" list, shown
_MAX_ERROR_LEN = 200


class VaultError(PenguinError):
    """Vault could not answer ``what`` was asked; the message is safe to show and log.

    ``status`` is the HTTP status when Vault answered (None when it could not be reached).
    """

    exit_code = EXIT_VAULT
    kind = "error"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class VaultUnreachable(VaultError):
    """No answer: connection refused, DNS, timeout, TLS, or a 5xx from something in between."""

    kind = "unreachable"


class VaultTLSError(VaultUnreachable):
    """The TLS handshake failed (usually: the CA that signed Vault's certificate is unknown)."""

    kind = "tls"


class VaultSealed(VaultError):
    """Vault is sealed: it answers nothing until an operator unseals it."""

    kind = "sealed"


class VaultForbidden(VaultError):
    """403 (or 401): the token may not do this, is invalid or expired, or there is none."""

    kind = "forbidden"


class VaultNotFound(VaultError):
    """404 with nothing in it: no such path (or, for a LIST, an empty folder)."""

    kind = "not_found"


class VaultRateLimited(VaultError):
    """429 from a request other than sys/health: Vault's rate limit quota was hit."""

    kind = "rate_limited"


class VaultBadAnswer(VaultError):
    """Vault (or a proxy) answered something that is not a usable Vault answer."""

    kind = "bad_answer"


# hvac's exception classes carry no status code; each stands for one (hvac.exceptions).
_HVAC_STATUS = {
    "InvalidRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "InvalidPath": 404,
    "PreconditionFailed": 412,
    "RateLimitExceeded": 429,
    "InternalServerError": 500,
    "VaultNotInitialized": 501,
    "BadGateway": 502,
    "VaultDown": 503,
}
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"\)\]]+)")


class VaultClient:
    """A connection to one Vault: settings, per-thread hvac clients and worker threads.

    Use ``call`` from blocking code (the CLI, worker threads) and ``run`` from async code.
    ``retries`` is how often a rate-limited (429) request is tried again, with backoff.
    """

    def __init__(
        self,
        settings: VaultSettings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        workers: int = 4,
        retries: int = 2,
        backoff: float = 0.25,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.workers = workers
        self.retries = retries
        self.backoff = backoff
        self._local = threading.local()
        self._lock = threading.Lock()
        self._hvac_clients: list[Any] = []
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"VaultClient({self.settings.addr!r})"

    # -------------------------------------------------------------------------- blocking

    def call(self, what: str, fn: Callable[[Any], T]) -> T:
        """``fn(hvac_client)``, with every failure turned into a scrubbed VaultError.

        ``what`` names the request for messages ("list secret/app/"). Exceptions that are
        not about talking to Vault (bugs) pass through unchanged.
        """
        attempt = 0
        while True:
            done, result, error = self._attempt(what, fn)
            if done:
                return result  # type: ignore[return-value]
            assert error is not None
            if isinstance(error, VaultRateLimited) and attempt < self.retries:
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            # Raised here, outside any except block: no __context__ leads back to hvac's
            # exception and the response body it carries.
            raise error

    def _attempt(
        self, what: str, fn: Callable[[Any], T]
    ) -> tuple[bool, T | None, VaultError | None]:
        scrubbed: VaultError | None = None
        try:
            return True, fn(self._client()), None
        except Exception as exc:
            scrubbed = scrub(exc, what, self.settings.addr, has_token=bool(self.settings.token))
            if scrubbed is None:
                raise
        return False, None, scrubbed

    def map(self, fn: Callable[[T], Any], items: list[T]) -> list[Any]:
        """``[fn(item) for item in items]`` on the worker threads, in order; blocking.

        For bulk reads (the audit walk). The first VaultError raised by ``fn`` is raised
        after every item has been tried.
        """
        return list(self._pool().map(fn, items))

    # ----------------------------------------------------------------------------- async

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking ``fn(*args)`` on a worker thread and await it (never on the loop)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), functools.partial(fn, *args))

    # --------------------------------------------------------------------------- plumbing

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            if self._closed:
                raise VaultError("the Vault connection was closed")
            import hvac  # here, not at the top: see the module docstring

            client = hvac.Client(**self.settings.hvac_kwargs(self.timeout))
            self._local.client = client
            with self._lock:
                self._hvac_clients.append(client)
        return client

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._closed:
                raise VaultError("the Vault connection was closed")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="vault")
            return self._executor

    def close(self) -> None:
        """Stop the worker threads and close every HTTP session (idempotent)."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
            clients, self._hvac_clients = self._hvac_clients, []
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        for client in clients:
            with contextlib.suppress(Exception):  # closing is best effort
                client.adapter.close()

    def __enter__(self) -> VaultClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scrub(exc: BaseException, what: str, addr: str, *, has_token: bool = True) -> VaultError | None:
    """The VaultError to raise instead of ``exc``; None when ``exc`` is not about Vault.

    Built from the status and Vault's ``errors`` list (sanitised, cut) only: never from the
    response text or JSON, never from ``str(exc)`` of hvac's exceptions.
    """
    status = _hvac_status(exc)
    if status is not None:
        return _from_status(status, getattr(exc, "errors", None), what, has_token=has_token)
    return _from_transport(exc, what, addr)


def _hvac_status(exc: BaseException) -> int | None:
    for cls in type(exc).__mro__:
        if cls.__module__ == "hvac.exceptions":
            if cls.__name__ in _HVAC_STATUS:
                return _HVAC_STATUS[cls.__name__]
            if cls.__name__ in ("UnexpectedError", "VaultError"):
                return 0  # an HTTP error with a status hvac has no class for
    return None


def vault_errors(errors: object) -> str:
    """Vault's ``errors`` list as one safe line: sanitised, at most three, each cut short."""
    if isinstance(errors, str):
        errors = [errors]
    if not isinstance(errors, list | tuple):
        return ""
    shown = [
        sanitize(str(e), single_line=True, max_len=_MAX_ERROR_LEN).strip()
        for e in errors[:_MAX_ERRORS]
    ]
    shown = [s for s in shown if s]
    if len(errors) > _MAX_ERRORS:
        shown.append(f"and {len(errors) - _MAX_ERRORS} more")
    return "; ".join(shown)


def _from_status(status: int, errors: object, what: str, *, has_token: bool) -> VaultError:
    said = vault_errors(errors)
    detail = f": {said}" if said else ""
    code = f" ({status})" if status else ""
    if status in (401, 403):
        if said.lower() == "permission denied":
            detail = ""  # Vault's usual words: "permission denied: permission denied" is noise
        if not has_token:
            return VaultForbidden(
                f"{what}: no Vault token: set VAULT_TOKEN or log in with `vault login` "
                "(it writes ~/.vault-token)",
                status=status,
            )
        return VaultForbidden(f"{what}: permission denied{code}{detail}", status=status)
    if status == 404:
        return VaultNotFound(f"{what}: not found{detail}", status=status)
    if status == 429:
        return VaultRateLimited(
            f"{what}: Vault is rate limiting requests (429){detail}", status=status
        )
    if status == 503:
        if "sealed" in said.lower():
            return VaultSealed(f"{what}: Vault is sealed{detail}", status=status)
        return VaultUnreachable(f"{what}: Vault is unavailable (503){detail}", status=status)
    if status in (501,):
        return VaultUnreachable(f"{what}: Vault is not initialized (501){detail}", status=status)
    if status == 502:
        return VaultUnreachable(
            f"{what}: bad gateway between here and Vault (502){detail}", status=status
        )
    if status == 400:
        return VaultError(f"{what}: Vault refused the request (400){detail}", status=status)
    return VaultBadAnswer(f"{what}: Vault failed{code}{detail}", status=status or None)


def _from_transport(exc: BaseException, what: str, addr: str) -> VaultError | None:
    """requests' exceptions (and a body that is not JSON) in plain words."""
    names = {cls.__name__ for cls in type(exc).__mro__ if cls.__module__.startswith("requests")}
    where = sanitize(_host(addr), single_line=True, max_len=200)
    text = str(exc)  # requests' messages hold URLs and socket errors, not bodies
    if "SSLError" in names:
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            reason = "its certificate is not trusted"
            if "hostname" in text.lower() or "IP address mismatch" in text:
                reason = "its certificate is for another host name"
            hint = "; set [vault].cacert or VAULT_CACERT to the CA that signed it"
        else:
            reason, hint = "the TLS handshake failed", ""
        return VaultTLSError(f"{what}: cannot talk TLS to Vault at {where}: {reason}{hint}")
    if "Timeout" in names or "ConnectTimeout" in names or "ReadTimeout" in names:
        return VaultUnreachable(f"{what}: Vault at {where} did not answer in time")
    if "ConnectionError" in names:
        found = _ERRNO.search(text)
        reason = sanitize(found.group(1), single_line=True, max_len=120) if found else ""
        if not reason:
            reason = "the connection failed" if "Connection aborted" not in text else "it hung up"
        return VaultUnreachable(f"{what}: cannot reach Vault at {where}: {reason.strip()}")
    if names:  # any other requests error: invalid URL, too many redirects, broken encoding
        return VaultBadAnswer(f"{what}: the request to {where} failed ({sorted(names)[0]})")
    if isinstance(exc, ValueError) and type(exc).__module__.startswith(("json", "simplejson")):
        return VaultBadAnswer(f"{what}: Vault's answer is not JSON")
    return None


def _host(addr: str) -> str:
    try:
        parts = urlsplit(addr)
    except ValueError:
        return addr
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else addr
