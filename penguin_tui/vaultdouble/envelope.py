"""Vault's response shapes: the envelope around every logical answer, and the error body.

Real Vault answers a logical request with ``request_id``, ``lease_id`` (``""`` when there is no
lease), ``renewable``, ``lease_duration``, ``data``, ``wrap_info`` (``null``), ``warnings``
(``null`` unless there are some), ``auth`` (``null``) and, since 1.13, ``mount_type``. Errors are
``{"errors": [...]}`` (an empty list for a plain 404) with Content-Type exactly
``application/json``: hvac only parses a body whose Content-Type is that string.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from penguin_tui.demo.httpserver import Response

JSON = "application/json"
# Vault marks every API answer uncacheable; clients and proxies must not keep secrets.
_HEADERS = {"Cache-Control": "no-store"}


class VaultError(Exception):
    """A request that ends in Vault's error body: ``status`` and the ``errors`` strings."""

    def __init__(self, status: int, *errors: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {'; '.join(errors)}")
        self.status = status
        self.errors = list(errors)
        self.headers = headers or {}

    def response(self) -> Response:
        """The HTTP answer Vault gives for this error."""
        return error_response(self.status, *self.errors, headers=self.headers)


def _encode(obj: object) -> bytes:
    # Go's encoder ends with a newline; compact separators like Vault's.
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def json_response(
    obj: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``obj`` as a JSON body with Vault's headers."""
    return Response(status, _encode(obj), JSON, {**_HEADERS, **(headers or {})})


def error_response(status: int, *errors: str, headers: dict[str, str] | None = None) -> Response:
    """Vault's error body: ``{"errors": [...]}``."""
    return json_response({"errors": list(errors)}, status, headers)


def no_content() -> Response:
    """204 with Vault's Content-Type and no body (writes, deletes)."""
    return Response(204, b"", JSON, dict(_HEADERS))


def envelope(
    data: Any,
    *,
    mount_type: str = "",
    lease_duration: int = 0,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The envelope of a logical response around ``data``."""
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "lease_id": "",
        "renewable": False,
        "lease_duration": lease_duration,
        "data": data,
        "wrap_info": None,
        "warnings": warnings or None,
        "auth": None,
    }
    if mount_type:
        body["mount_type"] = mount_type
    return body


def logical(
    data: Any,
    status: int = 200,
    *,
    mount_type: str = "",
    lease_duration: int = 0,
    top_level: bool = False,
) -> Response:
    """An enveloped answer. ``top_level`` also copies ``data``'s keys to the top of the body,
    as Vault still does for old ``sys/`` endpoints (``sys/mounts``, ``sys/capabilities-self``)
    whose clients predate the envelope."""
    body = envelope(data, mount_type=mount_type, lease_duration=lease_duration)
    if top_level and isinstance(data, dict):
        body = {**data, **body}
    return json_response(body, status)
