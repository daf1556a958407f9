"""``penguin-tui secrets audit`` as a subprocess against the Vault double: text, JSON, exit codes,
and never a value in what it prints."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.vaultdouble.runner import RunningVault, make_double, running_vault

DAY = 86400.0
CANARY = "CANARY-audit-v4lue"


@pytest.fixture(scope="module")
def vault() -> Iterator[RunningVault]:
    double = make_double("none")
    now = double.clock()
    double.mount_kv("secret", 2)
    double.mount_kv("legacy", 1)
    double.put("secret", "app/old-db", {"password": CANARY + "1"}, at=now - 100 * DAY)
    double.put("secret", "app/old-db", {"password": CANARY + "2"}, at=now - 95 * DAY)
    double.put("secret", "app/fresh", {"password": CANARY + "3"}, at=now - 10 * DAY)
    double.put("secret", "team/jwt", {"key": CANARY + "4"}, at=now - 40 * DAY)
    double.kv2("secret").update_metadata("team/jwt", custom_metadata={"rotation_period": "30d"})
    double.put("secret", "fresh-only/a", {"k": CANARY + "5"}, at=now - 1 * DAY)
    double.put("secret", "locked/b", {"k": CANARY + "6"}, at=now - 1 * DAY)
    double.put("legacy", "old", {"k": CANARY + "7"})
    double.add_policy(
        "partial",
        {
            "secret/metadata/*": ["read", "list"],
            "secret/metadata/locked/*": ["deny"],
        },
    )
    double.seed_tokens["partial"] = double.create_token(["partial"], ttl=3600)
    with running_vault(double=double) as running:
        yield running


def _audit(
    vault: RunningVault,
    tmp_path: Path,
    *args: str,
    token: str | None = None,
    addr: str | None = None,
    config: str = "",
) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    conf = tmp_path / "config.toml"
    conf.write_text(config)
    conf.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update(HOME=str(home), PENGUIN_TUI_CONFIG=str(conf), TZ="UTC")
    env["VAULT_ADDR"] = addr or vault.addr
    if token != "":
        env["VAULT_TOKEN"] = token or vault.token
    done = subprocess.run(
        [sys.executable, "-m", "penguin_tui", "secrets", "audit", *args],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert CANARY not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_text_lists_the_overdue_most_overdue_first(vault: RunningVault, tmp_path: Path) -> None:
    done = _audit(vault, tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"Vault {vault.addr}: 2 of 5 secrets overdue for rotation (default period 90d)"
    )
    assert lines[2].split() == ["SECRET", "AGE", "PERIOD", "OVERDUE", "BY", "VERSION", "UPDATED"]
    assert lines[3].split()[:5] == ["secret/team/jwt", "40d", "30d", "(secret)", "10d"]
    assert lines[4].split()[:5] == ["secret/app/old-db", "95d", "90d", "5d", "2"]
    assert "not judged:" in lines and "  legacy/ (KV version 1: no update times)" in lines


def test_json_for_scripts(vault: RunningVault, tmp_path: Path) -> None:
    done = _audit(vault, tmp_path, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["vault"] == vault.addr and report["secrets_checked"] == 5
    assert report["default_period_s"] == 90 * DAY and report["overdue_count"] == 2
    jwt, db = report["overdue"]
    assert (jwt["path"], jwt["period_s"], jwt["period_source"]) == (
        "secret/team/jwt", 30 * DAY, "secret",
    )  # fmt: skip
    assert (db["path"], db["current_version"], db["versions"]) == ("secret/app/old-db", 2, 2)
    assert abs(db["age_s"] - 95 * DAY) < 120 and abs(db["overdue_by_s"] - 5 * DAY) < 120
    assert db["current_version_state"] == "live" and db["updated_time"].endswith("Z")
    assert report["skipped"] == [] and report["problems"] == []


def test_nothing_overdue_exits_0(vault: RunningVault, tmp_path: Path) -> None:
    done = _audit(vault, tmp_path, "--mount", "secret", "--path", "fresh-only/")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"Vault {vault.addr}: 0 of 1 secrets overdue")
    done = _audit(vault, tmp_path, "--path", "secret/app/fresh")  # one secret by full path
    assert done.returncode == 0 and ": 0 of 1 secrets" in done.stdout


def test_the_config_period_is_the_default(vault: RunningVault, tmp_path: Path) -> None:
    done = _audit(
        vault, tmp_path, "--path", "secret/app/", config='[vault]\nrotation_period = "5d"\n'
    )
    assert done.returncode == 1
    assert "2 of 2 secrets overdue for rotation (default period 5d)" in done.stdout


def test_a_forbidden_part_of_the_tree_is_named_and_exits_3(
    vault: RunningVault, tmp_path: Path
) -> None:
    token = vault.double.seed_tokens["partial"]
    done = _audit(vault, tmp_path, "--path", "secret/", token=token)
    assert done.returncode == 1  # overdue ones were found: that answer stands
    assert "  secret/locked/ (may not list)" in done.stdout.splitlines()
    done = _audit(vault, tmp_path, "--mount", "secret", "--path", "fresh-only/", token=token)
    assert done.returncode == 0
    # Only fresh secrets where it could look, but a folder it could not: no "all clear".
    done = _audit(vault, tmp_path, "--mount", "secret", "--path", "locked/", token=token)
    assert done.returncode == 3
    assert "cannot say that nothing is overdue" in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--mount", "legacy"), "--mount: legacy/ is a KV version 1 mount"),
        (("--mount", "nope"), '--mount "nope": no such KV mount (mounts: legacy/, secret/)'),
        (("--path", "nope/x"), '--path "nope/x" is in no KV mount'),
        (("--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2(
    vault: RunningVault, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    done = _audit(vault, tmp_path, *args)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert done.stdout == ""


def test_bad_settings_exit_2(vault: RunningVault, tmp_path: Path) -> None:
    done = _audit(vault, tmp_path, addr="vault.example:8200")
    assert done.returncode == 2
    assert done.stderr.startswith('penguin-tui: VAULT_ADDR: "vault.example:8200" has no scheme')
    done = _audit(vault, tmp_path, config='[vault]\ntoken = "hvs.x"\n')
    assert done.returncode == 2 and "vault.token: a Vault token never belongs" in done.stderr


def test_unreachable_sealed_and_tokenless_vaults_exit_3(
    vault: RunningVault, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    done = _audit(vault, tmp_path, addr=closed)
    assert done.returncode == 3
    assert done.stderr.startswith(f"penguin-tui: read sys/mounts: cannot reach Vault at {closed}")
    done = _audit(vault, tmp_path, token="")
    assert done.returncode == 3 and "no Vault token: set VAULT_TOKEN" in done.stderr
    blind = vault.double.create_token(["default"], ttl=600)  # sees no mount at all
    done = _audit(vault, tmp_path, token=blind)
    assert done.returncode == 3 and "the token can see no KV version 2 mount" in done.stderr
    vault.double.seal()
    try:
        done = _audit(vault, tmp_path)
    finally:
        vault.double.unseal()
    assert done.returncode == 3
    assert done.stderr == "penguin-tui: read sys/mounts: Vault is sealed: Vault is sealed\n"
