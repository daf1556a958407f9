"""``penguin-tui secrets audit``: the secrets overdue for rotation, for scripts and compliance.

Walks a subtree (``--mount``, ``--path``; default every KV v2 mount the token can see) reading
metadata only, never a value, and lists the overdue secrets with their ages, periods and
versions. Exit codes:

- 0: every secret checked is within its rotation period, and the whole subtree was checked;
- 1: some secrets are overdue (listed), whatever else happened;
- 2: usage or configuration (bad settings, an unknown or KV v1 mount, a path in no mount);
- 3: Vault unreachable, sealed or forbidden, or part of the subtree could not be checked
  (the skipped folders are named), so "none overdue" cannot be claimed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from penguin_tui.durations import format_duration
from penguin_tui.errors import EXIT_OK, EXIT_USAGE, PenguinError
from penguin_tui.fmt import iso
from penguin_tui.vault.client import EXIT_VAULT, VaultClient, VaultError
from penguin_tui.vault.escape import shown
from penguin_tui.vault.mounts import Mount, MountList, find_mount, list_mounts
from penguin_tui.vault.walk import Judged, WalkResult, walk_mount

EXIT_OVERDUE = 1


def run_secrets_audit(
    config_path: Path | None, mount: str | None, path: str | None, fmt: str
) -> int:
    """Resolve settings, walk, print; return the exit code (see the module docstring)."""
    from penguin_tui.context import resolve
    from penguin_tui.vault.settings import resolve_settings

    config = resolve(config_path, None).config.vault
    settings = resolve_settings(config)
    if not settings.token:
        # Without a token Vault still shows the unauthenticated mount list (often empty),
        # and "nothing overdue" would be a lie.
        raise PenguinError(
            "no Vault token: set VAULT_TOKEN or log in with `vault login` (it writes "
            "~/.vault-token)",
            exit_code=EXIT_VAULT,
        )
    now = time.time()
    with VaultClient(settings, workers=8) as client:
        try:
            mounts = list_mounts(client)
            targets, not_judged = _targets(mounts, mount, path)
            if not targets:
                raise PenguinError(
                    "the token can see no KV version 2 mount: nothing could be checked",
                    exit_code=EXIT_VAULT,
                )
            result = WalkResult()
            for target, start in targets:
                walk_mount(
                    client,
                    target,
                    start,
                    default_period_s=config.rotation_period_s,
                    now=now,
                    result=result,
                )
        except VaultError as exc:
            raise PenguinError(exc.message, exit_code=EXIT_VAULT) from None
    report = {
        "addr": settings.addr,
        "namespace": settings.namespace,
        "default_period_s": config.rotation_period_s,
        "now": now,
    }
    if fmt == "json":
        click.echo(json.dumps(_json(report, result, not_judged, settings.warnings), indent=2))
    else:
        click.echo(_text(report, result, not_judged, settings.warnings))
    if result.overdue:
        return EXIT_OVERDUE
    if result.skipped:
        click.echo(
            "penguin-tui: part of the tree could not be checked (forbidden): "
            "cannot say that nothing is overdue",
            err=True,
        )
        return EXIT_VAULT
    return EXIT_OK


def _targets(
    mounts: MountList, mount: str | None, path: str | None
) -> tuple[list[tuple[Mount, str]], list[str]]:
    """(mount, start) pairs to walk, and KV v1 mounts left out (they keep no times)."""
    names = ", ".join(m.label for m in mounts.mounts) or "none the token can see"
    if mount:
        found = mounts.get(mount)
        if found is None:
            raise PenguinError(
                f'--mount "{shown(mount, max_len=80)}": no such KV mount (mounts: {names})',
                exit_code=EXIT_USAGE,
            )
        _require_v2(found, "--mount")
        return [(found, (path or "").lstrip("/"))], []
    if path:
        split = find_mount(mounts.mounts, path)
        if split is None:
            raise PenguinError(
                f'--path "{shown(path, max_len=80)}" is in no KV mount (mounts: {names}); '
                "give the mount too (--mount)",
                exit_code=EXIT_USAGE,
            )
        _require_v2(split[0], "--path")
        return [split], []
    v2 = [(m, "") for m in mounts.mounts if m.kv_version == 2]
    v1 = [f"{m.label} (KV version 1: no update times)" for m in mounts.mounts if m.kv_version == 1]
    return v2, v1


def _require_v2(mount: Mount, option: str) -> None:
    if mount.kv_version != 2:
        raise PenguinError(
            f"{option}: {mount.label} is a KV version 1 mount: it keeps no update times, so "
            "rotation age cannot be judged",
            exit_code=EXIT_USAGE,
        )


def _current_state(j: Judged) -> str:
    version = j.meta.version(j.meta.current_version)
    return version.state if version is not None else "live"


def _json(
    report: dict, result: WalkResult, not_judged: list[str], warnings: tuple[str, ...]
) -> dict:
    return {
        "vault": report["addr"],
        "namespace": report["namespace"] or None,
        "checked_at": iso(report["now"]),
        "default_period_s": report["default_period_s"],
        "secrets_checked": len(result.judged),
        "overdue_count": len(result.overdue),
        "overdue": [
            {
                "path": shown(j.meta.full_path),
                "mount": j.meta.mount.label,
                "age_s": round(j.rotation.age_s or 0.0),
                "period_s": j.rotation.period_s,
                "period_source": j.rotation.period_source,
                "overdue_by_s": round(j.rotation.overdue_by_s),
                "updated_time": iso(j.meta.updated_time),
                "current_version": j.meta.current_version,
                "current_version_state": _current_state(j),
                "versions": len(j.meta.versions),
            }
            for j in result.overdue
        ],
        "skipped": result.skipped,
        "not_judged": not_judged,
        "problems": result.problems,
        "warnings": list(warnings),
    }


def _text(
    report: dict, result: WalkResult, not_judged: list[str], warnings: tuple[str, ...]
) -> str:
    where = report["addr"] + (f" (namespace {report['namespace']})" if report["namespace"] else "")
    period = format_duration(report["default_period_s"])
    overdue = result.overdue
    lines = [
        f"Vault {where}: {len(overdue)} of {len(result.judged)} secrets overdue for rotation "
        f"(default period {period})"
    ]
    if overdue:
        rows = [("SECRET", "AGE", "PERIOD", "OVERDUE BY", "VERSION", "UPDATED")]
        for j in overdue:
            state = _current_state(j)
            version = str(j.meta.current_version) + ("" if state == "live" else f" ({state})")
            source = " (secret)" if j.rotation.period_source == "secret" else ""
            rows.append(
                (
                    shown(j.meta.full_path, max_len=60),
                    format_duration(j.rotation.age_s or 0.0),
                    format_duration(j.rotation.period_s) + source,
                    format_duration(j.rotation.overdue_by_s),
                    version,
                    iso(j.meta.updated_time) or "?",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines.append("")
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        )
    for title, items in (
        ("not checked", result.skipped),
        ("not judged", not_judged),
        ("problems", result.problems),
        ("warnings", list(warnings)),
    ):
        if items:
            lines.append("")
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
    return "\n".join(lines)
