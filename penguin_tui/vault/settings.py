"""Where Vault is and how to talk to it: address, token, TLS and namespace, resolved once.

The vault CLI's conventions, mapped explicitly because hvac reads VAULT_CACERT/VAULT_CAPATH
only when it is imported and ignores VAULT_NAMESPACE and VAULT_SKIP_VERIFY altogether:

- address: ``[vault].addr``, else ``VAULT_ADDR``, else ``https://127.0.0.1:8200``;
- namespace: ``[vault].namespace``, else ``VAULT_NAMESPACE`` (sent as X-Vault-Namespace);
- CA: ``[vault].cacert``/``capath``, else ``VAULT_CACERT``/``VAULT_CAPATH``, else the system's;
- skip verify: ``[vault].skip_verify``, else ``VAULT_SKIP_VERIFY``, else false;
- token: ``VAULT_TOKEN``, else ``~/.vault-token``; never the config.

Precedence: a key set in the config wins over its environment variable (the issue: "overridable
in the config's [vault] section"), so the bastion's config decides which Vault the console
reads; a key left out falls back to the variable, then to the vault CLI's default. ``cacert``
and ``capath`` are one setting: either of them in the config replaces both variables; between
the two, a CA file wins over a CA directory, as in the vault CLI. ``skip_verify = false`` in
the config overrules ``VAULT_SKIP_VERIFY``. Skipping verification is never silent: it is a
permanent entry in ``warnings``. The client certificate (``VAULT_CLIENT_CERT`` and
``VAULT_CLIENT_KEY``) comes from the environment only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.config_model import VaultConfig
from penguin_tui.config_reader import url_problem
from penguin_tui.errors import EXIT_USAGE, PenguinError
from penguin_tui.text import sanitize

DEFAULT_ADDR = "https://127.0.0.1:8200"  # the vault CLI's default
TOKEN_FILE = ".vault-token"  # in $HOME, what `vault login` writes
_MAX_TOKEN_FILE = 64 * 1024  # a token is ~100 bytes; a bigger file is not a token file
# Go's strconv.ParseBool, which the vault CLI uses for VAULT_SKIP_VERIFY.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
SKIP_VERIFY_WARNING = "TLS verification is off (skip_verify): anyone on the path can read secrets"


class VaultSettingsError(PenguinError):
    """Settings that cannot be used: names the variable or config key and what is wrong."""

    exit_code = EXIT_USAGE


class Token:
    """A Vault token whose repr and str never show it (settings get logged and printed)."""

    __slots__ = ("_value",)

    def __init__(self, value: str = "") -> None:
        self._value = value

    def value(self) -> str:
        """The token itself, for the X-Vault-Token header only."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Token(<set>)" if self._value else "Token(<none>)"

    __str__ = __repr__

    def __reduce__(self) -> object:
        # Settings must never be pickled to disk with the token in them.
        raise TypeError("a Vault token is not picklable")


@dataclass(frozen=True, slots=True)
class VaultSettings:
    """Everything needed to build the client; ``origins`` says where each setting came from."""

    addr: str
    token: Token
    namespace: str = ""
    cacert: Path | None = None
    capath: Path | None = None
    skip_verify: bool = False
    client_cert: Path | None = None
    client_key: Path | None = None
    token_source: str = ""  # "VAULT_TOKEN", the token file's path, or "" (none found)
    origins: Mapping[str, str] | None = None  # setting -> "[vault].addr" / "VAULT_ADDR" / ...
    warnings: tuple[str, ...] = ()  # permanent warnings for the status line

    @property
    def verify(self) -> bool | str:
        """What requests wants as ``verify``: False, a CA file or directory, or True."""
        if self.skip_verify:
            return False
        if self.cacert is not None:
            return str(self.cacert)
        if self.capath is not None:
            return str(self.capath)
        return True

    def origin(self, setting: str) -> str:
        """Where ``setting`` ("addr", "namespace", "ca", "skip_verify") came from."""
        return (self.origins or {}).get(setting, "default")

    def hvac_kwargs(self, timeout: float) -> dict[str, object]:
        """Keyword arguments for ``hvac.Client``: every setting passed explicitly, so nothing
        hvac read from the environment at import time (or ignores) decides anything."""
        cert = None
        if self.client_cert is not None:
            key = self.client_key
            cert = (str(self.client_cert), str(key)) if key else str(self.client_cert)
        return {
            "url": self.addr,
            "token": self.token.value() or None,
            "verify": self.verify,
            "namespace": self.namespace or None,
            "cert": cert,
            "timeout": timeout,
        }


def resolve_settings(
    config: VaultConfig | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> VaultSettings:
    """Resolve the settings from the config's ``[vault]``, the environment and ``~``.

    ``env`` defaults to ``os.environ`` and ``home`` to the user's home directory (tests pass
    their own). Raises VaultSettingsError (exit 2) naming the variable or key at fault; the
    token itself never appears in a message.
    """
    config = config or VaultConfig()
    env = os.environ if env is None else env
    origins: dict[str, str] = {}
    warnings: list[str] = []

    addr = _pick(config.addr, "[vault].addr", env, "VAULT_ADDR", origins, "addr")
    if not addr:
        addr, origins["addr"] = DEFAULT_ADDR, "default"
    problem = url_problem(addr, ("http", "https"))
    if problem:
        raise VaultSettingsError(f"{origins['addr']}: {problem}")
    addr = addr.rstrip("/")

    namespace = _pick(
        config.namespace, "[vault].namespace", env, "VAULT_NAMESPACE", origins, "namespace"
    )
    if namespace and sanitize(namespace, single_line=True) != namespace:
        raise VaultSettingsError(
            f"{origins['namespace']}: contains control characters or escape sequences"
        )
    namespace = namespace.strip("/")

    cacert, capath = _ca(config, env, origins)
    skip_verify = _skip_verify(config, env, origins)
    if skip_verify:
        warnings.append(SKIP_VERIFY_WARNING)
    client_cert = _existing(env.get("VAULT_CLIENT_CERT", ""), "VAULT_CLIENT_CERT", dir_ok=False)
    client_key = _existing(env.get("VAULT_CLIENT_KEY", ""), "VAULT_CLIENT_KEY", dir_ok=False)

    token, source, token_warning = _token(env, home)
    if token_warning:
        warnings.append(token_warning)
    return VaultSettings(
        addr=addr,
        token=Token(token),
        namespace=namespace,
        cacert=cacert,
        capath=capath,
        skip_verify=skip_verify,
        client_cert=client_cert,
        client_key=client_key,
        token_source=source,
        origins=origins,
        warnings=tuple(warnings),
    )


def _pick(
    configured: str,
    key: str,
    env: Mapping[str, str],
    variable: str,
    origins: dict[str, str],
    setting: str,
) -> str:
    if configured:
        origins[setting] = key
        return configured
    value = env.get(variable, "").strip()
    if value:
        origins[setting] = variable
    return value


def _ca(
    config: VaultConfig, env: Mapping[str, str], origins: dict[str, str]
) -> tuple[Path | None, Path | None]:
    if config.cacert is not None or config.capath is not None:
        # Paths from the config were made absolute (relative to the file) by the loader.
        origins["ca"] = "[vault].cacert" if config.cacert is not None else "[vault].capath"
        cacert = _existing(str(config.cacert or ""), "[vault].cacert", dir_ok=False)
        capath = _existing(str(config.capath or ""), "[vault].capath", dir_ok=True)
    else:
        cacert = _existing(env.get("VAULT_CACERT", ""), "VAULT_CACERT", dir_ok=False)
        capath = _existing(env.get("VAULT_CAPATH", ""), "VAULT_CAPATH", dir_ok=True)
        if cacert or capath:
            origins["ca"] = "VAULT_CACERT" if cacert else "VAULT_CAPATH"
    # "VAULT_CACERT takes precedence over VAULT_CAPATH" (vault CLI docs).
    return cacert, None if cacert is not None else capath


def _existing(text: str, where: str, *, dir_ok: bool) -> Path | None:
    text = text.strip()
    if not text:
        return None
    shown = sanitize(text, single_line=True, max_len=200)
    path = Path(text).expanduser()
    if dir_ok:
        if not path.is_dir():
            raise VaultSettingsError(f"{where}: {shown} is not a directory of CA certificates")
        return path
    if not path.is_file():
        why = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise VaultSettingsError(f"{where}: {shown} {why}")
    if not os.access(path, os.R_OK):
        raise VaultSettingsError(f"{where}: {shown} is not readable")
    return path


def _skip_verify(config: VaultConfig, env: Mapping[str, str], origins: dict[str, str]) -> bool:
    if config.skip_verify is not None:
        origins["skip_verify"] = "[vault].skip_verify"
        return config.skip_verify
    raw = env.get("VAULT_SKIP_VERIFY", "")
    if not raw:
        return False
    if raw in _TRUE or raw in _FALSE:
        origins["skip_verify"] = "VAULT_SKIP_VERIFY"
        return raw in _TRUE
    shown = sanitize(raw, single_line=True, max_len=40)
    raise VaultSettingsError(
        f'VAULT_SKIP_VERIFY: "{shown}" is not true or false (1, t, true, 0, f, false)'
    )


def _token(env: Mapping[str, str], home: Path | None) -> tuple[str, str, str]:
    """(token, where it came from, a warning) — VAULT_TOKEN, else ~/.vault-token, else none."""
    token = env.get("VAULT_TOKEN", "").strip()
    if token:
        _check_token(token, "VAULT_TOKEN")
        return token, "VAULT_TOKEN", ""
    path = (home if home is not None else Path.home()) / TOKEN_FILE
    try:
        info = path.stat()
    except FileNotFoundError:
        return "", "", ""
    except OSError as exc:
        raise VaultSettingsError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise VaultSettingsError(f"{path}: is not a regular file")
    if info.st_size > _MAX_TOKEN_FILE:
        raise VaultSettingsError(f"{path}: is {info.st_size} bytes, too big to be a token file")
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise VaultSettingsError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VaultSettingsError(f"{path}: is not UTF-8 text, so not a Vault token") from None
    if not token:
        return "", "", ""
    _check_token(token, str(path))
    warning = ""
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o044:
        # `vault login` writes it 0600; a readable one is worth saying, not worth refusing.
        warning = f"{path} is readable by group or others (mode {mode:04o}): chmod 600 it"
    return token, str(path), warning


def _check_token(token: str, where: str) -> None:
    # A token goes into an HTTP header: whitespace or controls inside would break or inject
    # headers. The message never shows the token.
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in token) or not token.isascii():
        raise VaultSettingsError(
            f"{where}: holds spaces, control characters or non-ASCII text, so it is not a "
            "Vault token (it is not shown here)"
        )
