"""The Vault API test double: state, and the request pipeline every call goes through.

A request is handled in Vault's order: ``sys/health`` and ``sys/seal-status`` first (no token,
answered even when sealed); then the namespace (``X-Vault-Namespace`` and/or a path prefix);
the rate limit quota (429); the seal (503 ``Vault is sealed``); the token (403 ``permission
denied`` when missing, unknown or expired); the token's policies on the path (403); and last
the route (404 ``no handler for route`` when nothing is mounted there).

This is a test double of the HTTP API, not a Vault: memory only, no encryption, tokens are
plain strings, and it only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from penguin_tui.demo.httpserver import Response
from penguin_tui.vaultdouble import sys_api
from penguin_tui.vaultdouble.auth import Token, TokenStore, random_id
from penguin_tui.vaultdouble.envelope import VaultError, error_response
from penguin_tui.vaultdouble.kv import KV1Store, KV2Store
from penguin_tui.vaultdouble.kv_api import handle_kv, kv_exists
from penguin_tui.vaultdouble.mounts import Mount, Namespace
from penguin_tui.vaultdouble.sys_api import ServerState

Clock = Callable[[], float]

# Paths Vault's rate limit quotas never apply to (its default exempt list, the parts served here).
_QUOTA_EXEMPT = frozenset({"sys/health", "sys/seal-status", "sys/unseal"})
_METHOD_OPS = {
    "LIST": "list",
    "POST": "update",
    "PUT": "update",
    "DELETE": "delete",
    "PATCH": "patch",
}


class RateLimit:
    """A fixed-window quota: at most ``rate`` requests per ``interval`` seconds."""

    def __init__(self, rate: int, interval: float = 1.0) -> None:
        if rate < 1 or interval <= 0:
            raise ValueError("a rate limit needs rate >= 1 and interval > 0")
        self.rate = rate
        self.interval = interval
        self._window = float("-inf")
        self._count = 0

    def allow(self, now: float) -> bool:
        """Count one request at ``now``; False when the window's quota is used up."""
        if now >= self._window + self.interval:
            self._window = now
            self._count = 0
        self._count += 1
        return self._count <= self.rate

    def retry_after(self, now: float) -> int:
        """Whole seconds until the window resets (at least 1)."""
        return max(1, int(self._window + self.interval - now + 0.999))


class VaultDouble:
    """An in-memory Vault: namespaces with mounts, tokens with policies, seal and HA state.

    ``clock`` gives epoch seconds: token TTLs, created/updated times and the rate limit all
    use it, so tests can move time. The root token is ``root_token`` (random if not given).
    Every public method is safe to call from another thread while the server runs.
    """

    def __init__(self, *, clock: Clock = time.time, root_token: str | None = None) -> None:
        self.clock = clock
        self.state = ServerState()
        self.tokens = TokenStore()
        self.namespaces: dict[str, Namespace] = {"": Namespace("")}
        self.rate_limit: RateLimit | None = None
        self.hits: Counter[tuple[str, str]] = Counter()  # (operation, full path): for tests
        self.seed_tokens: dict[str, str] = {}  # name -> token ID, filled by the seed
        self._lock = threading.RLock()
        root = self.tokens.create(
            ["root"],
            clock(),
            token_id=root_token or random_id("hvs."),
            display_name="root",
            path="auth/token/root",
        )
        self.root_token = root.id

    def __repr__(self) -> str:  # no token, no secret
        mounts = sum(len(ns.mounts) for ns in self.namespaces.values())
        return f"VaultDouble({len(self.namespaces)} namespaces, {mounts} mounts)"

    # -- set-up, for seeds and tests ------------------------------------------------------

    def add_namespace(self, path: str) -> Namespace:
        """Create namespace ``path`` (e.g. ``"ops"``); it starts with Vault's built-in mounts."""
        key = path.strip("/") + "/"
        with self._lock:
            return self.namespaces.setdefault(key, Namespace(key))

    def mount_kv(
        self, path: str, version: int = 2, *, namespace: str = "", description: str = ""
    ) -> Mount:
        """Mount a KV engine (version 1 or 2) at ``path`` in ``namespace``."""
        with self._lock:
            return self._ns(namespace).add_kv(path, version, description)

    def mount(self, path: str, namespace: str = "") -> Mount:
        """The mount at ``path`` in ``namespace``; KeyError if none."""
        return self._ns(namespace).mounts[path.strip("/") + "/"]

    def kv2(self, path: str, namespace: str = "") -> KV2Store:
        """The KV v2 store mounted at ``path`` (for seeding without HTTP)."""
        engine = self.mount(path, namespace).engine
        if not isinstance(engine, KV2Store):
            raise TypeError(f"{path} is not a KV version 2 mount")
        return engine

    def kv1(self, path: str, namespace: str = "") -> KV1Store:
        """The KV v1 store mounted at ``path``."""
        engine = self.mount(path, namespace).engine
        if not isinstance(engine, KV1Store):
            raise TypeError(f"{path} is not a KV version 1 mount")
        return engine

    def put(
        self,
        mount: str,
        path: str,
        data: Mapping[str, Any],
        *,
        at: float | None = None,
        namespace: str = "",
    ) -> int:
        """Write a secret directly (KV v2: a new version created ``at`` that time; KV v1:
        the value). Returns the new version (0 for KV v1)."""
        with self._lock:
            engine = self.mount(mount, namespace).engine
            if isinstance(engine, KV2Store):
                return engine.write(path, dict(data), self.clock() if at is None else at)[1]
            if isinstance(engine, KV1Store):
                engine.write(path, dict(data))
                return 0
            raise TypeError(f"{mount} is not a KV mount")

    def add_policy(self, name: str, rules: Mapping[str, Iterable[str]]) -> None:
        """Define policy ``name`` from ``{path pattern: [capabilities]}``."""
        with self._lock:
            self.tokens.add_policy(name, rules)

    def create_token(
        self,
        policies: Iterable[str],
        *,
        ttl: float = 3600.0,
        display_name: str = "token",
        meta: dict[str, str] | None = None,
        token_id: str | None = None,
        created_at: float | None = None,
    ) -> str:
        """A new service token with ``policies`` (plus "default") and ``ttl`` seconds to live
        from ``created_at`` (now by default); returns its ID."""
        with self._lock:
            now = self.clock() if created_at is None else created_at
            token = self.tokens.create(
                policies, now, ttl=ttl, display_name=display_name, meta=meta, token_id=token_id
            )
            return token.id

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token: later requests with it are denied."""
        with self._lock:
            self.tokens.revoke(token_id)

    def seal(self) -> None:
        """Seal: every request but sys/health and sys/seal-status answers 503."""
        self.state.sealed = True

    def unseal(self) -> None:
        """Unseal."""
        self.state.sealed = False

    def set_rate_limit(self, rate: int | None, interval: float = 1.0) -> None:
        """Allow at most ``rate`` requests per ``interval`` seconds (None: no limit)."""
        with self._lock:
            self.rate_limit = RateLimit(rate, interval) if rate else None

    # -- the request pipeline -------------------------------------------------------------

    async def __call__(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        """The HTTP server's route callback."""
        return self.handle(method, path, query, headers, body)

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        """Answer one request (``headers`` lower-cased, ``path`` percent-decoded)."""
        with self._lock:
            try:
                return self._handle(method, path, query, headers, body)
            except VaultError as exc:
                return exc.response()

    def _handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        if not path.startswith("/v1/"):
            return Response(404, b"404 page not found\n")
        rel = path[4:]
        while "//" in rel:
            rel = rel.replace("//", "/")
        now = self.clock()
        bare = rel.strip("/")
        if bare == "sys/health" and method in ("GET", "HEAD"):
            return sys_api.health(self.state, method, query, now)
        if bare == "sys/seal-status" and method == "GET":
            return sys_api.seal_status(self.state)
        op = _operation(method, query)
        ns, ns_rel = self._resolve_namespace(headers.get("x-vault-namespace", ""), rel)
        if (
            self.rate_limit is not None
            and bare not in _QUOTA_EXEMPT
            and not self.rate_limit.allow(now)
        ):
            raise VaultError(
                429,
                f'request path "{ns_rel}": rate limit quota exceeded',
                headers={"Retry-After": str(self.rate_limit.retry_after(now))},
            )
        if self.state.sealed or not self.state.initialized:
            raise VaultError(503, "Vault is sealed")
        token = self._token(headers, now)
        if op == "patch":
            kind = headers.get("content-type", "").split(";")[0].strip()
            if kind != "application/merge-patch+json":
                raise VaultError(
                    415,
                    "PATCH requires Content-Type application/merge-patch+json, "
                    f"provided: {kind or 'none'}",
                )
        parsed = _parse_body(body) if op in ("update", "patch") else None
        self.hits[(op, ns.path + ns_rel)] += 1

        if ns_rel.startswith("sys/internal/ui/mounts"):
            # Unauthenticated in Vault: the answer just shrinks to what the token may see.
            if op != "read":
                raise VaultError(405, "unsupported operation")
            sub = ns_rel[len("sys/internal/ui/mounts") :].strip("/")
            if sub:
                return sys_api.ui_mount(ns, self.tokens, token, sub)
            return sys_api.ui_mounts(ns, self.tokens, token)
        if token is None:
            raise VaultError(403, "permission denied")

        route = ns.match(ns_rel.rstrip("/"))
        capability = _capability(op, route, ns_rel)
        acl_path = ns_rel + "/" if op == "list" and not ns_rel.endswith("/") else ns_rel
        if capability not in self.tokens.allowed(token, ns.path + acl_path, acl_path):
            raise VaultError(403, "permission denied")
        return self._route(ns, ns_rel, op, route, query, parsed, token, now)

    def _route(
        self,
        ns: Namespace,
        ns_rel: str,
        op: str,
        route: tuple[Mount, str] | None,
        query: dict[str, str],
        body: Any,
        token: Token,
        now: float,
    ) -> Response:
        bare = ns_rel.strip("/")
        if bare == "sys/mounts":
            if op != "read":
                raise VaultError(405, "unsupported operation")
            return sys_api.mounts(ns)
        if bare == "sys/capabilities-self":
            if op != "update":
                raise VaultError(405, "unsupported operation")
            return sys_api.capabilities_self(ns, self.tokens, token, body)
        if bare == "auth/token/lookup-self":
            if op not in ("read", "update"):
                raise VaultError(405, "unsupported operation")
            return sys_api.lookup_self(token, now)
        if route is not None:
            mount, sub = route
            if mount.type == "kv":
                return handle_kv(mount, op, sub, query, body, now)
            if mount.type == "cubbyhole" and op in ("read", "list"):
                return error_response(404)  # every token's cubbyhole is empty here
            raise VaultError(404, "unsupported path")
        raise VaultError(404, f'no handler for route "{ns.path}{bare}". route entry not found.')

    def _resolve_namespace(self, header: str, rel: str) -> tuple[Namespace, str]:
        # Vault joins the header's namespace and the path, then finds the deepest namespace
        # that prefixes the result: "X-Vault-Namespace: ops" + "secret/x" is "ops/secret/x".
        ns_header = header.strip("/")
        full = f"{ns_header}/{rel}" if ns_header else rel
        best = self.namespaces[""]
        for path, ns in self.namespaces.items():
            if path and full.startswith(path) and len(path) > len(best.path):
                best = ns
        return best, full[len(best.path) :]

    def _token(self, headers: dict[str, str], now: float) -> Token | None:
        value = headers.get("x-vault-token", "")
        if not value:
            auth = headers.get("authorization", "")
            if auth[:7].lower() == "bearer ":
                value = auth[7:].strip()
        if not value:
            return None
        token = self.tokens.get(value)
        if token is None or token.expired(now):
            return None
        return token

    def _ns(self, namespace: str) -> Namespace:
        key = namespace.strip("/") + "/" if namespace.strip("/") else ""
        try:
            return self.namespaces[key]
        except KeyError:
            raise KeyError(f"no namespace {namespace!r}") from None


def _operation(method: str, query: dict[str, str]) -> str:
    if method == "GET":
        flag = query.get("list")
        if flag is None or flag == "":
            return "read"
        if flag.lower() in ("1", "t", "true"):
            return "list"
        if flag.lower() in ("0", "f", "false"):
            return "read"
        raise VaultError(400, f'invalid value for "list": {flag!r}')
    op = _METHOD_OPS.get(method)
    if op is None:
        raise VaultError(405)
    return op


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VaultError(400, f"failed to parse JSON input: {exc}") from None


def _capability(op: str, route: tuple[Mount, str] | None, ns_rel: str) -> str:
    if op != "update":
        return op
    bare = ns_rel.strip("/")
    if bare in ("sys/capabilities-self", "auth/token/lookup-self"):
        return "update"
    if route is not None and route[0].type == "kv" and not kv_exists(route[0], route[1]):
        return "create"
    return "update"
