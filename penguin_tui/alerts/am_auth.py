"""Credentials and TLS settings for talking to Alertmanager, read once when a client is built.

Secrets come from files or environment variables named in ``[alertmanager]`` (never from the
config text itself). They live only inside ``Credentials``, whose repr hides them, and no
message here ever quotes a secret: a file that cannot be read is named, its content is not.
"""

from __future__ import annotations

import base64
import os
import ssl
from collections.abc import Mapping
from pathlib import Path

from penguin_tui.config_model import AlertmanagerConfig
from penguin_tui.errors import PenguinError

MAX_SECRET_BYTES = 64 * 1024  # a "token file" bigger than this is the wrong file


class CredentialError(PenguinError):
    """A configured credential or CA file cannot be used; the message names it."""


class Credentials:
    """The ``Authorization`` header value to send, or none. Never shown: see ``__repr__``."""

    __slots__ = ("_header",)

    def __init__(self, header: str = "") -> None:
        self._header = header

    @property
    def kind(self) -> str:
        """ "basic", "bearer" or "" (none): safe to log."""
        return self._header.split(" ", 1)[0].lower() if self._header else ""

    def headers(self) -> dict[str, str]:
        """Headers to add to each request."""
        return {"Authorization": self._header} if self._header else {}

    def __repr__(self) -> str:
        return f"Credentials(kind={self.kind or 'none'!r})"

    __str__ = __repr__


def load_credentials(
    config: AlertmanagerConfig, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Read the basic-auth password or bearer token the config points to.

    Raises CredentialError naming the file or variable when it is missing or unreadable, and
    when both basic auth and a bearer token are configured (Alertmanager takes one).
    """
    env = os.environ if environ is None else environ
    has_basic = bool(config.username or config.password_file or config.password_env)
    has_bearer = bool(config.bearer_token_file or config.bearer_token_env)
    if has_basic and has_bearer:
        raise CredentialError(
            "[alertmanager]: both basic auth (username/password) and a bearer token are "
            "configured; use one"
        )
    if has_bearer:
        token = _secret(config.bearer_token_file, "bearer_token_file", config.bearer_token_env,
                        "bearer_token_env", env)  # fmt: skip
        return Credentials(f"Bearer {token}")
    if has_basic:
        password = _secret(config.password_file, "password_file", config.password_env,
                           "password_env", env)  # fmt: skip
        pair = f"{config.username}:{password}".encode()
        return Credentials("Basic " + base64.b64encode(pair).decode("ascii"))
    return Credentials()


def _secret(
    path: Path | None, file_key: str, var: str, env_key: str, env: Mapping[str, str]
) -> str:
    if path is not None:
        return _read_secret_file(Path(path), file_key)
    if var:
        value = env.get(var)
        if value is None:
            raise CredentialError(
                f"[alertmanager] {env_key}: the environment variable {var} is not set"
            )
        return value.strip()
    return ""  # basic auth with a username and no password, as Prometheus allows


def _read_secret_file(path: Path, key: str) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_SECRET_BYTES + 1)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise CredentialError(f"[alertmanager] {key}: cannot read {path}: {why}") from None
    if len(data) > MAX_SECRET_BYTES:
        raise CredentialError(
            f"[alertmanager] {key}: {path} is larger than {MAX_SECRET_BYTES // 1024} KiB; "
            "is it the right file?"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialError(f"[alertmanager] {key}: {path} is not UTF-8 text") from None
    # Files written with `echo` end in a newline that is not part of the secret (Prometheus
    # trims the same way).
    secret = text.strip()
    if not secret:
        raise CredentialError(f"[alertmanager] {key}: {path} is empty")
    if any(c in secret for c in "\r\n"):
        raise CredentialError(f"[alertmanager] {key}: {path} holds more than one line")
    return secret


def tls_verify(config: AlertmanagerConfig) -> ssl.SSLContext | bool:
    """What httpx should verify against: the system store plus ``ca_file``, or nothing.

    Raises CredentialError naming ``ca_file`` when it cannot be read or is not a certificate.
    """
    if not config.verify_tls:
        return False
    ctx = ssl.create_default_context()
    if config.ca_file is not None:
        try:
            ctx.load_verify_locations(cafile=str(config.ca_file))
        except FileNotFoundError:
            raise CredentialError(
                f"[alertmanager] ca_file: {config.ca_file} does not exist"
            ) from None
        except ssl.SSLError:  # before OSError, of which it is a subclass
            raise CredentialError(
                f"[alertmanager] ca_file: {config.ca_file} holds no PEM certificate"
            ) from None
        except OSError as exc:
            raise CredentialError(
                f"[alertmanager] ca_file: cannot read {config.ca_file}: "
                f"{exc.strerror or type(exc).__name__}"
            ) from None
    elif not ctx.cert_store_stats().get("x509_ca"):
        import certifi  # the system has no CA store: the same fallback as sources/client.py

        ctx.load_verify_locations(certifi.where())
    return ctx
