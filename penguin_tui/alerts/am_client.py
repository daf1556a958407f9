"""Alertmanager's API v2 over httpx: one URL (``AlertmanagerClient``) or an HA cluster
(``AlertmanagerPool``).

Every way a request can fail becomes an ``AlertmanagerError`` whose text an operator can read
("http://am:9093: connection refused", "...: HTTP 503: not ready", "...: response larger than
64 MiB, cut off"). Bodies are read as a stream and abandoned past
``[alertmanager].max_response_bytes``; what they hold is judged by ``am_parse``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from penguin_tui import __version__, jsonfast
from penguin_tui.alerts.am_auth import (
    CredentialError,
    Credentials,
    load_credentials,
    tls_verify,
)
from penguin_tui.alerts.am_merge import merge_alerts, merge_silences
from penguin_tui.alerts.am_parse import (
    AmSchemaError,
    alerts_to_api,
    draft_to_api,
    error_text,
    parse_alerts,
    parse_silence_id,
    parse_silences,
    parse_status,
)
from penguin_tui.alerts.model import Alert, Silence, SilenceDraft, SourceStatus
from penguin_tui.config_model import AlertmanagerConfig
from penguin_tui.errors import PenguinError
from penguin_tui.gc_pause import gc_paused
from penguin_tui.sources.common import describe_exception, read_capped
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    import httpx

ALERTS_PARAMS = {"active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"}
# Alertmanager's status holds its whole config and barely changes: one poll in ten asks.
STATUS_EVERY = 10
# Answers bigger than this are decoded in a worker thread, so a console's own recorder does
# not stall its event loop while 10,000 alerts are parsed.
THREAD_PARSE_BYTES = 256 * 1024
# Statuses that mean "your request is wrong" (a bad matcher, a malformed id): another
# instance of the cluster would say the same, so they are reported at once.
USER_ERRORS = frozenset({400, 422})

T = TypeVar("T")


class AlertmanagerError(PenguinError):
    """A request to Alertmanager failed. ``str()`` is ``"<url>: <plain words>"``.

    ``reason`` is the plain words alone (for a per-URL status line), ``status`` the HTTP
    status when Alertmanager answered one.
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = sanitize(url, single_line=True, max_len=300)
        self.reason = sanitize(reason, single_line=True, max_len=600)
        self.status = status
        super().__init__(f"{self.url}: {self.reason}" if self.url else self.reason)


def display_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages, origins and statuses."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url.rstrip("/")
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host)).rstrip("/")


def make_http_client(config: AlertmanagerConfig) -> httpx.AsyncClient:
    """An httpx client for Alertmanager: ``ca_file``/``verify_tls`` applied, HTTP/1.1 only,
    no redirects followed (a redirect to a login page is an error to see, not to follow)."""
    import httpx

    try:
        verify = tls_verify(config)
    except CredentialError as exc:
        raise AlertmanagerError("", str(exc)) from None
    return httpx.AsyncClient(
        verify=verify,
        http2=False,
        follow_redirects=False,
        headers={"User-Agent": f"penguin-tui/{__version__}"},
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
    )


class AlertmanagerClient:
    """One Alertmanager URL (a path prefix like ``http://host/alertmanager`` is kept).

    Credentials are read here, once: a missing file or variable raises AlertmanagerError
    naming it. ``client`` shares an httpx client (its TLS settings are the caller's); without
    it the client makes, and ``aclose`` closes, its own.
    """

    def __init__(
        self,
        url: str,
        config: AlertmanagerConfig,
        *,
        client: httpx.AsyncClient | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.url = display_url(url)  # what every message, origin and status names
        self._base = url.rstrip("/")
        self._timeout = config.timeout_s
        self._max_bytes = config.max_response_bytes
        try:
            self._credentials = credentials or load_credentials(config)
        except CredentialError as exc:
            raise AlertmanagerError(self.url, str(exc)) from None
        self._owns_client = client is None
        self._http = client if client is not None else make_http_client(config)

    def __repr__(self) -> str:
        return f"AlertmanagerClient({self.url!r}, auth={self._credentials.kind or 'none'})"

    # ---------------------------------------------------------------- the API

    async def alerts(self) -> tuple[list[Alert], list[str]]:
        """Every alert Alertmanager holds (active, silenced, inhibited, unprocessed) and the
        problems met reading them (skipped items, capped values)."""
        body = await self._request("GET", "/api/v2/alerts", params=ALERTS_PARAMS)
        return await self._parse(body, lambda data: parse_alerts(data, self.url))

    async def silences(self) -> tuple[list[Silence], list[str]]:
        """Every silence Alertmanager knows (active, pending and recently expired)."""
        body = await self._request("GET", "/api/v2/silences")
        return await self._parse(body, lambda data: parse_silences(data, self.url))

    async def status(self) -> dict[str, str]:
        """``{"version": ..., "cluster": ...}`` (and ``peers``/``name`` when known)."""
        body = await self._request("GET", "/api/v2/status")
        return await self._parse(body, parse_status)

    async def create_silence(self, draft: SilenceDraft) -> str:
        """Post a new silence; returns its id."""
        body = await self._request("POST", "/api/v2/silences", json_body=draft_to_api(draft))
        return await self._parse(body, parse_silence_id)

    async def expire_silence(self, silence_id: str) -> None:
        """Expire (delete) a silence. One that already expired counts as done."""
        path = "/api/v2/silence/" + quote(silence_id, safe="")
        try:
            await self._request("DELETE", path)
        except AlertmanagerError as exc:
            # Alertmanager 0.25 answers 500 "silence ... already expired": the wish is met.
            if "already expired" not in exc.reason:
                raise

    async def post_alerts(self, alerts: Sequence[Alert]) -> None:
        """Post alerts (labels, annotations, startsAt, endsAt, generatorURL), as Prometheus
        does. An ``ends_at`` in the past resolves them."""
        await self._request("POST", "/api/v2/alerts", json_body=alerts_to_api(alerts))

    async def aclose(self) -> None:
        """Close the httpx client if this object made it."""
        if self._owns_client:
            await self._http.aclose()

    async def __aenter__(self) -> AlertmanagerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---------------------------------------------------------------- plumbing

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: object = None,
    ) -> bytes:
        """Send one request; the body of a 2xx answer, else AlertmanagerError.

        The timeout covers the whole exchange, so a server that trickles bytes cannot hold a
        poll past ``timeout_s``; the body is read at most up to ``max_response_bytes``.
        """
        url = self._base + path
        headers = {"Accept": "application/json", **self._credentials.headers()}
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with asyncio.timeout(self._timeout):
                async with self._http.stream(
                    method, url, params=params, content=content, headers=headers,
                    timeout=self._timeout,
                ) as resp:  # fmt: skip
                    status = resp.status_code
                    body, cut = await read_capped(resp, self._max_bytes)
        except Exception as exc:
            raise AlertmanagerError(self.url, describe_exception(exc, url, self._timeout)) from None
        if not 200 <= status < 300:
            said = error_text(body)
            reason = f"HTTP {status}: {said}" if said else f"HTTP {status}"
            raise AlertmanagerError(self.url, reason, status=status)
        if cut:
            size = f"{self._max_bytes / (1024 * 1024):g} MiB"
            raise AlertmanagerError(self.url, f"response larger than {size}, cut off")
        return body

    async def _parse(self, body: bytes, read: Callable[[object], T]) -> T:
        """Decode JSON and hand it to ``read``; big answers are decoded off the event loop,
        with the cyclic collector paused (gc_pause: ~50 ms of a 10,000-alert poll)."""
        if len(body) > THREAD_PARSE_BYTES:
            return await asyncio.to_thread(self._decode_big, body, read)
        return self._decode(body, read)

    def _decode_big(self, body: bytes, read: Callable[[object], T]) -> T:
        with gc_paused():
            return self._decode(body, read)

    def _decode(self, body: bytes, read: Callable[[object], T]) -> T:
        try:
            data = jsonfast.loads(body)
        except RecursionError:
            raise AlertmanagerError(self.url, "the answer is JSON nested too deeply") from None
        except ValueError as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            start = sanitize(body[:60].decode("utf-8", "replace"), single_line=True).strip()
            raise AlertmanagerError(
                self.url, f"the answer is not JSON{where}: {start!r}" if start else
                "the answer is empty, not JSON",
            ) from None  # fmt: skip
        try:
            return read(data)
        except AmSchemaError as exc:
            raise AlertmanagerError(self.url, f"not an Alertmanager API v2 answer: {exc}") from None


@dataclass
class PollResult:
    """One poll of every URL of the cluster."""

    alerts: list[Alert] = field(default_factory=list)  # merged by fingerprint
    silences: list[Silence] = field(default_factory=list)  # merged by id
    statuses: list[SourceStatus] = field(default_factory=list)  # one per URL
    problems: list[str] = field(default_factory=list)  # "<url>: 3 alerts skipped: ..."

    @property
    def complete(self) -> bool:
        """True when at least one URL answered both alerts and silences: the alert set is
        whole and may resolve what it no longer lists."""
        return any(s.ok for s in self.statuses)


@dataclass
class _UrlPoll:
    alerts: list[Alert] | None = None
    silences: list[Silence] | None = None
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class AlertmanagerPool:
    """The Alertmanagers of ``config.urls`` as one source (an HA cluster).

    Polls read every URL at once and merge; actions go to the first URL that accepts them
    (gossip carries a silence to the peers), alerts are posted to every URL (as Prometheus
    does). Raises AlertmanagerError at once when a credential or CA file cannot be read.
    """

    def __init__(
        self,
        config: AlertmanagerConfig,
        *,
        clock: Callable[[], float] = time.time,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._clock = clock
        try:
            credentials = load_credentials(config)  # before any socket is opened
        except CredentialError as exc:
            raise AlertmanagerError("", str(exc)) from None
        self._owns_client = client is None
        self._http = client if client is not None else make_http_client(config)
        self.clients = [
            AlertmanagerClient(url, config, client=self._http, credentials=credentials)
            for url in config.urls
        ]
        self._polls = 0
        self._status: dict[str, dict[str, str]] = {}  # last known /status per URL

    @property
    def urls(self) -> list[str]:
        """The URLs as every status and origin names them (credentials removed)."""
        return [c.url for c in self.clients]

    async def poll(self) -> PollResult:
        """Alerts, silences (and every STATUS_EVERY polls the status) of every URL, merged."""
        want_status = self._polls % STATUS_EVERY == 0
        self._polls += 1
        polled = await asyncio.gather(*(self._poll_one(c, want_status) for c in self.clients))
        now = self._clock()
        result = PollResult()
        alerts: list[Alert] = []
        silences: list[Silence] = []
        for client, one in zip(self.clients, polled, strict=True):
            alerts += one.alerts or []
            silences += one.silences or []
            result.problems += [f"{client.url}: {p}" for p in one.problems]
            known = self._status.get(client.url, {})
            result.statuses.append(
                SourceStatus(
                    name=client.url,
                    ok=one.alerts is not None and one.silences is not None,
                    checked_at=now,
                    error="; ".join(one.errors),
                    version=known.get("version", ""),
                    cluster=known.get("cluster", ""),
                )
            )
        result.alerts = merge_alerts(alerts)
        result.silences = merge_silences(silences)
        return result

    async def _poll_one(self, client: AlertmanagerClient, want_status: bool) -> _UrlPoll:
        # A URL whose status is unknown (first poll, or down until now) is asked at once.
        ask_status = want_status or client.url not in self._status
        calls = [client.alerts(), client.silences()]
        if ask_status:
            calls.append(client.status())
        answers = await asyncio.gather(*calls, return_exceptions=True)
        one = _UrlPoll()
        for what, answer in zip(("alerts", "silences", "status"), answers, strict=False):
            if isinstance(answer, AlertmanagerError):
                if what == "alerts":
                    one.errors.append(answer.reason)
                elif what == "silences":
                    one.errors.append(f"silences: {answer.reason}")
                else:
                    self._status.pop(client.url, None)  # ask again next poll
                continue
            if isinstance(answer, BaseException):
                raise answer  # a bug, not something Alertmanager did: do not hide it
            if what == "alerts":
                one.alerts, problems = answer  # type: ignore[misc]
                one.problems += problems
            elif what == "silences":
                one.silences, problems = answer  # type: ignore[misc]
                one.problems += problems
            else:
                self._status[client.url] = answer  # type: ignore[assignment]
        if one.errors and one.alerts is None and one.silences is None:
            # Down altogether: the same reason twice says nothing more.
            one.errors = one.errors[:1]
        return one

    async def create_silence(self, draft: SilenceDraft) -> str:
        """Create the silence on the first URL that accepts it; returns its id.

        A 400 means the silence itself is wrong (Alertmanager's message says why): raised at
        once. Other failures try the next URL; when all fail, one error lists each.
        """
        return await self._first("create the silence", lambda c: c.create_silence(draft))

    async def expire_silence(self, silence_id: str) -> None:
        """Expire the silence on the first URL that accepts it (gossip tells the others)."""
        await self._first("expire the silence", lambda c: c.expire_silence(silence_id))

    async def post_alerts(self, alerts: Sequence[Alert]) -> None:
        """Post to every URL; raises (listing each failure) only when none took them."""
        if not self.clients:
            raise AlertmanagerError("", "no Alertmanager is configured ([alertmanager] urls)")
        answers = await asyncio.gather(
            *(c.post_alerts(alerts) for c in self.clients), return_exceptions=True
        )
        errors = []
        for answer in answers:
            if isinstance(answer, AlertmanagerError):
                errors.append(answer)
            elif isinstance(answer, BaseException):
                raise answer
        if len(errors) == len(self.clients):
            raise _all_failed("post the alerts", errors)

    async def _first(self, what: str, call: Callable[[AlertmanagerClient], Awaitable[T]]) -> T:
        if not self.clients:
            raise AlertmanagerError("", "no Alertmanager is configured ([alertmanager] urls)")
        errors = []
        for client in self.clients:
            try:
                return await call(client)
            except AlertmanagerError as exc:
                if exc.status in USER_ERRORS:
                    raise
                errors.append(exc)
        raise _all_failed(what, errors)

    async def aclose(self) -> None:
        """Close the shared httpx client (when the pool made it)."""
        if self._owns_client:
            await self._http.aclose()

    async def __aenter__(self) -> AlertmanagerPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _all_failed(what: str, errors: Sequence[AlertmanagerError]) -> AlertmanagerError:
    if len(errors) == 1:
        return errors[0]
    listed = "; ".join(str(e) for e in errors)
    return AlertmanagerError("", f"no Alertmanager could {what}: {listed}")
