"""Seeds: a realistic PenguinMails secret tree for the demo and tests, and a big one for
benchmarks.

``demo``: mount ``secret/`` (KV v2) with SMTP relay, DKIM, API, database, Redis and webhook
secrets of varied ages (days to over a year), several versions each, some deleted or destroyed,
``rotation_period`` custom metadata on some (one unreadable on purpose), a secret that is also a
folder (``redis`` and ``redis/``), one with hostile key names and values; mount ``legacy/``
(KV v1, mounted without options); namespace ``ops`` with its own ``secret/``. Policies and
tokens for the common cases are in ``double.seed_tokens``:

- ``oncall``: what the demo console uses. Reads and lists ``secret/``, ``legacy/`` and
  ``bulk/``; may not read ``sys/mounts`` (so the UI mounts fallback is used); may list
  ``pci/`` but not read inside it; may read ``restricted/break-glass`` without listing it.
- ``deliverability``: only ``smtp-relay/`` and ``dkim/``.
- ``stripe-reader``: may read ``api/stripe`` (data and metadata) but list nothing.

``big``: ``demo`` plus mount ``bulk/`` with 10,000 secrets in 1,000 folders. ``none``: empty
(the built-in mounts and the root token only).

Every value is made up. Values are deterministic (a fixed random seed) so tests can rely on
them; times are relative to the double's clock at seeding.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from penguin_tui.vaultdouble.server import VaultDouble

DAY = 86_400.0
SEEDS = ("demo", "big", "none")
BULK_FOLDERS = 1_000
BULK_PER_FOLDER = 10
BULK_NAMES = (
    "api-key",
    "db",
    "dkim",
    "jwt",
    "oauth-client",
    "redis",
    "s3",
    "sentry-dsn",
    "smtp",
    "webhook",
)
HOSTILE_PATH = "imported/vendor-bundle"
DEMO_TOKEN_TTL_S = 8 * 3600.0  # a shift


def seed(double: VaultDouble, name: str) -> None:
    """Fill ``double`` with the seed ``name`` (see the module docstring)."""
    if name == "none":
        return
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r} (choose from {', '.join(SEEDS)})")
    seed_demo(double)
    if name == "big":
        seed_bulk(double)


def _secret(rng: random.Random, n: int = 24) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


def _pem(rng: random.Random, kind: str = "PRIVATE KEY") -> str:
    body = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        for _ in range(192)
    )
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"]) + "\n"


class _Writer:
    """Writes version histories with creation times in the past."""

    def __init__(self, double: VaultDouble, mount: str, namespace: str = "") -> None:
        self.store = double.kv2(mount, namespace)
        self.now = double.clock()

    def history(
        self,
        path: str,
        versions: list[tuple[float, dict[str, Any]]],
        *,
        custom: dict[str, str] | None = None,
        deleted: tuple[int, ...] = (),
        destroyed: tuple[int, ...] = (),
        **meta: Any,
    ) -> None:
        """Write ``versions`` as (days ago, data), oldest first; then mark ``deleted`` and
        ``destroyed`` version numbers (deleted a day after the next version was written)."""
        if custom is not None or meta:
            self.store.update_metadata(path, custom_metadata=custom, **meta)
        for days_ago, data in versions:
            current = self.store.meta(path)
            # Always check-and-set, so keys with cas_required take their history too.
            cas = current.current if current is not None else 0
            self.store.write(path, data, self.now - days_ago * DAY, cas=cas)
        key = self.store.meta(path)
        assert key is not None
        for number in deleted:
            version = key.versions[number]
            after = key.versions.get(number + 1)
            version.deletion = min((after or version).created + DAY, self.now)
        self.store.destroy_versions(path, list(destroyed))


def seed_demo(double: VaultDouble) -> None:
    """The PenguinMails tree, policies and tokens (see the module docstring)."""
    rng = random.Random(2024)
    double.mount_kv("secret", 2)
    double.mount_kv("legacy", 1, description="pre-2023 secrets, being migrated to secret/")
    w = _Writer(double, "secret")
    pw: Callable[[], str] = lambda: _secret(rng)  # noqa: E731 - short and read often below

    w.history(
        "smtp-relay/prod/credentials",
        [(400, {"username": "relay-prod", "password": pw()}),
         (290, {"username": "relay-prod", "password": pw()}),
         (200, {"username": "relay-prod", "password": pw()}),
         (120, {"username": "relay-prod", "password": pw(), "auth": "PLAIN"})],
        custom={"owner": "deliverability", "rotation_period": "90d"},
    )  # fmt: skip
    w.history(
        "smtp-relay/prod/tls",
        [(300, {"certificate": _pem(rng, "CERTIFICATE"), "private_key": _pem(rng)})],
        custom={"owner": "deliverability", "rotation_period": "365d"},
    )
    w.history(
        "smtp-relay/staging/credentials",
        [(60, {"username": "relay-staging", "password": pw()}),
         (20, {"username": "relay-staging", "password": pw()})],
    )  # fmt: skip
    w.history(
        "dkim/penguinmails.example/pm2024",
        [(420, {"selector": "pm2024", "private_key": _pem(rng), "algorithm": "rsa-sha256"})],
        custom={"owner": "deliverability", "rotation_period": "180d", "dns": "pm2024._domainkey"},
    )
    w.history(
        "dkim/penguinmails.example/pm2025",
        [(45, {"selector": "pm2025", "private_key": _pem(rng), "algorithm": "rsa-sha256"})],
        custom={"owner": "deliverability", "rotation_period": "180d"},
    )
    w.history(
        "dkim/mail.penguinmails.example/pm2025",
        [(44, {"selector": "pm2025", "private_key": _pem(rng), "algorithm": "ed25519-sha256"})],
    )
    w.history(
        "api/stripe",
        [(150, {"secret_key": "sk_live_" + pw(), "webhook_secret": "whsec_" + pw()}),
         (95, {"secret_key": "sk_live_" + pw(), "webhook_secret": "whsec_" + pw()}),
         (60, {"secret_key": "sk_live_" + pw(), "webhook_secret": "whsec_" + pw(),
               "publishable_key": "pk_live_" + pw()})],
        custom={"owner": "billing", "rotation_period": "90d", "ticket": "SEC-1182"},
        deleted=(2,),
    )  # fmt: skip
    w.history(
        "api/sendgrid-fallback",
        [(380, {"api_key": "SG." + pw()}), (200, {"api_key": "SG." + pw()})],
        destroyed=(1,),
    )
    w.history(
        "api/jwt-signing",
        [(95, {"kid": "2024-q3", "private_key": _pem(rng)}),
         (35, {"kid": "2024-q4", "private_key": _pem(rng)})],
        custom={"rotation_period": "30d"},
    )  # fmt: skip
    w.history(
        "api/mailgun-legacy",
        [(700, {"api_key": "key-" + pw()}), (500, {"api_key": "key-" + pw()})],
        deleted=(2,),
    )  # the current version is deleted: the secret reads as gone, its metadata stays
    w.history(
        "api/old-partner",
        [(800, {"token": pw()}), (650, {"token": pw()})],
        destroyed=(1, 2),
    )
    pg = {"host": "pg-primary.internal", "port": "5432", "username": "penguin"}
    w.history(
        "postgres/primary",
        [(days, {**pg, "password": pw()}) for days in (500, 400, 300, 180)]
        + [(95, {**pg, "password": pw(), "sslmode": "verify-full"})],
        custom={"owner": "platform", "rotation_period": "90d"},
        deleted=(4,),
        destroyed=(3,),
        max_versions=5,
        cas_required=True,
    )
    w.history(
        "postgres/replica-1",
        [
            (
                15,
                {
                    "host": "pg-replica-1.internal",
                    "port": "5432",
                    "username": "penguin_ro",
                    "password": pw(),
                },
            )
        ],
    )
    w.history(
        "postgres/analytics-ro",
        [(510, {"dsn": f"postgres://analytics:{pw()}@pg-analytics.internal:5432/mail"})],
        custom={"owner": "data", "rotation_period": "yearly"},  # unreadable on purpose
    )
    w.history("redis", [(100, {"url": "redis://redis.internal:6379/0", "password": pw()})])
    w.history(
        "redis/sessions",
        [(30, {"url": "redis://redis-sessions.internal:6379/1", "password": pw()})],
    )
    w.history(
        "webhooks/signing-keys",
        [
            (d, {"current": "whk_" + pw(), "previous": "whk_" + pw()})
            for d in (160, 130, 100, 70, 40, 10)
        ],
        custom={"owner": "integrations", "rotation_period": "30d"},
    )
    w.history(
        "webhooks/endpoints/customer-acme",
        [(75, {"url": "https://hooks.acme.example/penguinmails", "secret": pw()})],
    )
    w.history(
        "bounce-processor/imap",
        [(250, {"host": "imap.internal", "username": "bounces", "password": pw()})],
        custom={"owner": "deliverability"},
    )
    w.history("support/zendesk", [(33, {"api_token": pw(), "subdomain": "penguinmails"})])
    w.history(
        "monitoring/alertmanager",
        [(12, {"webhook_url": "https://chat.example/hooks/" + pw(), "basic_auth_password": pw()})],
    )
    w.history(
        "tmp/one-time-migration-token",
        [(2, {"token": pw()})],
        delete_version_after=14 * DAY,
    )  # deletes itself 14 days after each write (deletion_time in the future)
    w.history(
        "pci/card-vault-hsm",
        [(40, {"pin": _secret(rng, 8), "slot": "3"})],
        custom={"owner": "security"},
    )
    w.history("restricted/break-glass", [(365, {"username": "breakglass", "password": pw()})])
    w.history(
        HOSTILE_PATH,
        [(90, {
            "note\x1b[31m": "imported from vendor \x1b]52;c;cHduZWQ=\x07bundle",
            "binary": "\x00\x01\x02\xff\xfe",
            "port": 2525,
            "enabled": True,
            "nested": {"a": [1, 2, {"b": None}]},
            "[bold]markup[/bold]": "[link=https://evil.example]click[/link]",
        })],
    )  # fmt: skip  # untrusted text, for the browser's sanitising

    legacy = double.kv1("legacy")
    legacy.write(
        "ldap/bind", {"dn": "cn=penguin,ou=svc,dc=penguinmails,dc=example", "password": pw()}
    )
    legacy.write(
        "ftp/partner-upload", {"host": "ftp.partner.example", "username": "pm", "password": pw()}
    )
    legacy.write("old-smtp", {"host": "smtp-old.internal", "password": pw(), "ttl": "1h"})

    double.add_namespace("ops")
    double.mount_kv("secret", 2, namespace="ops")
    ops = _Writer(double, "secret", namespace="ops")
    ops.history(
        "oncall/pagerduty", [(20, {"routing_key": _secret(rng, 32)})], custom={"owner": "sre"}
    )

    _policies_and_tokens(double)


def _policies_and_tokens(double: VaultDouble) -> None:
    double.add_policy(
        "penguin-oncall",
        {
            "secret/metadata/*": ["read", "list"],
            "secret/data/*": ["read"],
            "secret/data/pci/*": ["deny"],
            "secret/metadata/restricted/*": ["deny"],
            "secret/metadata/restricted/break-glass": ["read"],
            "legacy/*": ["read", "list"],
            "bulk/metadata/*": ["read", "list"],
            "bulk/data/*": ["read"],
            "ops/secret/metadata/*": ["read", "list"],
            "ops/secret/data/*": ["read"],
        },
    )
    double.add_policy(
        "deliverability",
        {
            "secret/metadata/smtp-relay/*": ["read", "list"],
            "secret/data/smtp-relay/*": ["read"],
            "secret/metadata/dkim/*": ["read", "list"],
            "secret/data/dkim/*": ["read"],
        },
    )
    double.add_policy(
        "stripe-reader",
        {"secret/data/api/stripe": ["read"], "secret/metadata/api/stripe": ["read"]},
    )
    double.seed_tokens = {
        "oncall": double.create_token(
            ["penguin-oncall"], ttl=DEMO_TOKEN_TTL_S, display_name="ldap-oncall",
            meta={"username": "oncall"},
        ),
        "deliverability": double.create_token(
            ["deliverability"], ttl=DEMO_TOKEN_TTL_S, display_name="ldap-deliverability"
        ),
        "stripe-reader": double.create_token(
            ["stripe-reader"], ttl=3600.0, display_name="token-stripe-reader"
        ),
    }  # fmt: skip


def seed_bulk(
    double: VaultDouble,
    mount: str = "bulk",
    folders: int = BULK_FOLDERS,
    per_folder: int = BULK_PER_FOLDER,
) -> None:
    """A KV v2 mount with ``folders`` x ``per_folder`` secrets (``svc-0000/api-key``, ...),
    one version each, ages spread over two years: the browser's benchmark tree."""
    if per_folder > len(BULK_NAMES):
        raise ValueError(f"at most {len(BULK_NAMES)} secrets per folder")
    double.mount_kv(mount, 2, description="benchmark tree")
    store = double.kv2(mount)
    now = double.clock()
    rng = random.Random(10_000)
    for i in range(folders):
        for name in BULK_NAMES[:per_folder]:
            data = {"username": f"svc{i:04d}", "password": _secret(rng, 16)}
            store.write(f"svc-{i:04d}/{name}", data, now - rng.uniform(0.5, 730) * DAY)
