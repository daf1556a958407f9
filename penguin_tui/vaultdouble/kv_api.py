"""The KV engines' HTTP API: Vault's paths, parameters, status codes and bodies.

KV v2 (``options.version == "2"``): ``data/`` (read ``?version=N``, write with
``options.cas``, delete latest, patch), ``metadata/`` (read, LIST, write, delete),
``delete/``, ``undelete/``, ``destroy/`` and ``config``. KV v1: read, LIST, write, delete on the
plain path. Reads of a deleted or destroyed version answer 404 *with* the envelope and
``data.data`` null, LIST of an empty or missing folder answers 404 ``{"errors": []}``.
"""

from __future__ import annotations

from typing import Any

from penguin_tui.demo.httpserver import Response
from penguin_tui.vaultdouble.envelope import (
    VaultError,
    envelope,
    error_response,
    json_response,
    logical,
    no_content,
)
from penguin_tui.vaultdouble.kv import KeyMeta, KV1Store, KV2Store, KVError, check_custom_metadata
from penguin_tui.vaultdouble.mounts import Mount
from penguin_tui.vaultdouble.timefmt import go_duration, parse_duration, rfc3339nano

KV1_LEASE_S = 2_764_800  # Vault's default lease (768 h) that KV v1 reads report
_V2_OPS = ("data/", "metadata/", "delete/", "undelete/", "destroy/")
_CLI_WORD = {"read": "get", "list": "list", "update": "put", "delete": "delete", "patch": "patch"}


def kv_exists(mount: Mount, sub: str) -> bool:
    """Whether the request's target already exists (Vault's create-vs-update check)."""
    engine = mount.engine
    if isinstance(engine, KV2Store):
        for prefix in _V2_OPS:
            if sub.startswith(prefix):
                return engine.exists(sub[len(prefix) :].strip("/"))
        return True  # config: always an update
    if isinstance(engine, KV1Store):
        return engine.exists(sub.strip("/"))
    return False


def handle_kv(
    mount: Mount, op: str, sub: str, query: dict[str, str], body: Any, now: float
) -> Response:
    """Answer one request to a KV mount. ``op`` is Vault's logical operation (read, list,
    update, delete, patch), ``sub`` the path inside the mount, ``body`` the parsed JSON."""
    try:
        if isinstance(mount.engine, KV2Store):
            return _kv2(mount.engine, op, sub, query, body, now)
        if isinstance(mount.engine, KV1Store):
            return _kv1(mount.engine, op, sub, body)
    except KVError as exc:
        return error_response(exc.status, exc.message)
    raise VaultError(404, f'no handler for route "{mount.path}{sub}". route entry not found.')


def _listing(keys: list[str]) -> Response:
    if not keys:
        return error_response(404)
    return logical({"keys": keys}, mount_type="kv")


def _folder(path: str) -> str:
    path = path.strip("/")
    return path + "/" if path else ""


def _unsupported() -> Response:
    return error_response(405, "unsupported operation")


# -- KV version 1 ---------------------------------------------------------------------------


def _kv1(store: KV1Store, op: str, sub: str, body: Any) -> Response:
    path = sub.strip("/")
    if op == "list":
        return _listing(store.tree.list(_folder(sub)))
    if not path:
        return _unsupported() if op != "read" else error_response(404)
    if op == "read":
        data = store.read(path)
        if data is None:
            return error_response(404)
        return logical(dict(data), mount_type="kv", lease_duration=_kv1_lease(data))
    if op == "update":
        if not isinstance(body, dict) or not body:
            raise KVError(400, "missing data fields")
        store.write(path, body)
        return no_content()
    if op == "delete":
        store.delete(path)
        return no_content()
    return _unsupported()


def _kv1_lease(data: dict[str, Any]) -> int:
    # A "ttl" key in a KV v1 secret sets the lease its readers are told (Vault's passthrough).
    ttl = data.get("ttl")
    if ttl is None:
        return KV1_LEASE_S
    try:
        return int(parse_duration(ttl))
    except ValueError:
        return KV1_LEASE_S


# -- KV version 2 ---------------------------------------------------------------------------


def _kv2(
    store: KV2Store, op: str, sub: str, query: dict[str, str], body: Any, now: float
) -> Response:
    if sub.strip("/") == "config":
        return _kv2_config(store, op, body)
    for prefix in _V2_OPS:
        bare = prefix.rstrip("/")
        if sub.startswith(prefix) or sub == bare:
            path = sub[len(prefix) :] if sub.startswith(prefix) else ""
            return _KV2_HANDLERS[bare](store, op, path, query, body, now)
    # A v1-style path on a v2 mount: Vault answers 404 with a warning, not an error.
    warning = (
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate "
        f"API endpoints to use. If using the Vault CLI, use 'vault kv {_CLI_WORD.get(op, 'get')}' "
        "for this operation."
    )
    return json_response(envelope(None, mount_type="kv", warnings=[warning]), 404)


def _body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise KVError(400, f"the body must be a JSON object, got {_json_type(body)}")
    return body


def _int_field(value: Any, name: str) -> int:
    # Vault's field parser is lenient (mapstructure WeakDecode): "3", 3.0 and true all work.
    try:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        return int(str(value).strip())
    except ValueError:
        raise KVError(400, f'error converting input {value!r} for field "{name}"') from None


def _versions(body: dict[str, Any]) -> list[int]:
    raw = body.get("versions")
    if isinstance(raw, str):
        raw = [p for p in raw.split(",") if p.strip()]
    if raw is None or raw == []:
        raise KVError(400, "no version number provided")
    if not isinstance(raw, list):
        raw = [raw]
    return [_int_field(v, "versions") for v in raw]


def version_metadata(meta: KeyMeta, number: int) -> dict[str, Any]:
    """``data.metadata`` of a read or write: one version and the key's custom metadata."""
    version = meta.versions[number]
    return {
        "created_time": rfc3339nano(version.created),
        "custom_metadata": dict(meta.custom_metadata) if meta.custom_metadata else None,
        "deletion_time": rfc3339nano(version.deletion) if version.deletion is not None else "",
        "destroyed": version.destroyed,
        "version": number,
    }


def _data(
    store: KV2Store, op: str, path: str, query: dict[str, str], body: Any, now: float
) -> Response:
    path = path.strip("/")
    if op == "read":
        return _read_version(store, path, query, now)
    if op == "update":
        return _write(store, path, _body(body), now)
    if op == "patch":
        return _patch(store, path, _body(body), now)
    if op == "delete":
        meta = store.meta(path)
        if meta is not None and meta.current:
            store.delete_versions(path, [meta.current], now)
        return no_content()
    return _unsupported()


def _read_version(store: KV2Store, path: str, query: dict[str, str], now: float) -> Response:
    meta = store.meta(path)
    if meta is None:
        return error_response(404)
    number = meta.current
    if query.get("version", "") not in ("", "0"):
        number = _int_field(query["version"], "version")
    version = meta.versions.get(number)
    if version is None:
        return error_response(404)
    gone = version.destroyed or version.deleted(now)
    data = {
        "data": None if gone else dict(version.data or {}),
        "metadata": version_metadata(meta, number),
    }
    return logical(data, 404 if gone else 200, mount_type="kv")


def _write(store: KV2Store, path: str, body: dict[str, Any], now: float) -> Response:
    if not path:
        raise KVError(400, "missing path")
    if "data" not in body:
        raise KVError(400, "no data provided")
    data = body["data"]
    # Vault echoes the bad input here; the double names only its type, because a client that
    # sends a secret in the wrong shape should not get it back in an error it may log.
    if not isinstance(data, dict):
        raise KVError(400, f'error converting input for field "data": got {_json_type(data)}')
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise KVError(400, f'error converting input for field "options": got {_json_type(options)}')
    cas = None
    if "cas" in options:
        try:
            cas = _int_field(options["cas"], "cas")
        except KVError:
            raise KVError(400, "error parsing check-and-set parameter") from None
    meta, number = store.write(path, data, now, cas=cas)
    return logical(version_metadata(meta, number), mount_type="kv")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else "a map"


def _patch(store: KV2Store, path: str, body: dict[str, Any], now: float) -> Response:
    if "data" not in body or not isinstance(body["data"], dict):
        raise KVError(400, "no data provided")
    meta = store.meta(path)
    if meta is None or not meta.current or meta.current not in meta.versions:
        return error_response(404)
    current = meta.versions[meta.current]
    if current.destroyed or current.deleted(now):
        data = {"data": None, "metadata": version_metadata(meta, meta.current)}
        return logical(data, 404, mount_type="kv")
    merged = dict(current.data or {})
    for key, value in body["data"].items():  # JSON merge patch: null removes a key
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return _write(store, path, {"data": merged, "options": body.get("options") or {}}, now)


def _metadata(
    store: KV2Store, op: str, path: str, query: dict[str, str], body: Any, now: float
) -> Response:
    if op == "list":
        return _listing(store.tree.list(_folder(path)))
    path = path.strip("/")
    if op == "read":
        meta = store.meta(path)
        if meta is None:
            return error_response(404)
        return logical(metadata_view(meta), mount_type="kv")
    if op in ("update", "patch"):
        return _write_metadata(store, path, _body(body), patch=op == "patch")
    if op == "delete":
        store.delete_metadata(path)
        return no_content()
    return _unsupported()


def metadata_view(meta: KeyMeta) -> dict[str, Any]:
    """``data`` of a metadata read, every field as Vault names and formats it."""
    return {
        "cas_required": meta.cas_required,
        "created_time": rfc3339nano(meta.created) if meta.created is not None else "",
        "current_version": meta.current,
        "custom_metadata": dict(meta.custom_metadata) if meta.custom_metadata else None,
        "delete_version_after": go_duration(meta.delete_version_after),
        "max_versions": meta.max_versions,
        "oldest_version": meta.oldest,
        "updated_time": rfc3339nano(meta.updated) if meta.updated is not None else "",
        "versions": {
            str(n): {
                "created_time": rfc3339nano(v.created),
                "deletion_time": rfc3339nano(v.deletion) if v.deletion is not None else "",
                "destroyed": v.destroyed,
            }
            for n, v in sorted(meta.versions.items())
        },
    }


def _write_metadata(store: KV2Store, path: str, body: dict[str, Any], *, patch: bool) -> Response:
    if not path:
        raise KVError(400, "missing path")
    max_versions = cas_required = dva = custom = None
    if "max_versions" in body:
        max_versions = _int_field(body["max_versions"], "max_versions")
        if max_versions < 0:
            raise KVError(400, "max_versions must be zero or a positive number")
    if "cas_required" in body:
        cas_required = _bool_field(body["cas_required"], "cas_required")
    if "delete_version_after" in body and body["delete_version_after"] is not None:
        try:
            dva = parse_duration(body["delete_version_after"])
        except ValueError as exc:
            raise KVError(
                400, f'error converting input for field "delete_version_after": {exc}'
            ) from None
    if "custom_metadata" in body and body["custom_metadata"] is not None:
        custom = body["custom_metadata"]
        check_custom_metadata(custom)
        if patch:  # PATCH merges custom metadata; a null value removes a key
            old = dict((store.meta(path) or KeyMeta()).custom_metadata or {})
            for key, value in custom.items():
                if value is None:
                    old.pop(key, None)
                else:
                    old[key] = value
            custom = old
    store.update_metadata(
        path,
        max_versions=max_versions,
        cas_required=cas_required,
        delete_version_after=dva,
        custom_metadata=custom,
    )
    return no_content()


def _bool_field(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "t", "true"):
        return True
    if text in ("0", "f", "false"):
        return False
    raise KVError(400, f'error converting input {value!r} for field "{name}"')


def _version_op(
    store: KV2Store, op: str, path: str, body: Any, now: float, action: str
) -> Response:
    if op != "update":
        return _unsupported()
    versions = _versions(_body(body))
    path = path.strip("/")
    if action == "delete":
        store.delete_versions(path, versions, now)
    elif action == "undelete":
        store.undelete_versions(path, versions)
    else:
        store.destroy_versions(path, versions)
    return no_content()


def _kv2_config(store: KV2Store, op: str, body: Any) -> Response:
    config = store.config
    if op == "read":
        return logical(
            {
                "cas_required": config.cas_required,
                "delete_version_after": go_duration(config.delete_version_after),
                "max_versions": config.max_versions,
            },
            mount_type="kv",
        )
    if op != "update":
        return _unsupported()
    fields = _body(body)
    if "max_versions" in fields:
        config.max_versions = _int_field(fields["max_versions"], "max_versions")
    if "cas_required" in fields:
        config.cas_required = _bool_field(fields["cas_required"], "cas_required")
    if "delete_version_after" in fields:
        try:
            config.delete_version_after = parse_duration(fields["delete_version_after"])
        except ValueError as exc:
            raise KVError(
                400, f'error converting input for field "delete_version_after": {exc}'
            ) from None
    return no_content()


_KV2_HANDLERS = {
    "data": _data,
    "metadata": _metadata,
    "delete": lambda s, op, p, q, b, now: _version_op(s, op, p, b, now, "delete"),
    "undelete": lambda s, op, p, q, b, now: _version_op(s, op, p, b, now, "undelete"),
    "destroy": lambda s, op, p, q, b, now: _version_op(s, op, p, b, now, "destroy"),
}
