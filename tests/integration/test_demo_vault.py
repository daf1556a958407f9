"""The demo's Vault: started with the demo, found by the console through the config and its
environment (never a token in a file), printed as export lines without a console, and gone
(with the operator's own VAULT_* variables back) however the demo ends."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import hvac
import pytest

from penguin_tui.config import load_config
from penguin_tui.demo.runner import run_demo
from penguin_tui.demo.vault import vault_environment
from tests.integration.platform_fixture import serving_demo

OPERATOR_ENV = {
    "VAULT_ADDR": "https://vault.real.example:8200",
    "VAULT_TOKEN": "hvs.the-operators-real-token",
    "VAULT_NAMESPACE": "prod",
    "VAULT_CACERT": "/etc/ssl/real-ca.pem",
}


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in OPERATOR_ENV.items():
        monkeypatch.setenv(name, value)
    return OPERATOR_ENV


def _kv_read(addr: str, token: str, path: str) -> dict:
    client = hvac.Client(addr, token)
    return client.secrets.kv.v2.read_secret_version(
        path, mount_point="secret", raise_on_deleted_version=True
    )


def _refused(addr: str) -> bool:
    try:
        hvac.Client(addr, "x", timeout=2).sys.read_health_status(method="GET")
    except Exception:  # requests' ConnectionError: nothing listens any more
        return True
    return False


async def test_the_console_finds_the_demo_vault_and_the_token_is_in_no_file(
    tmp_path: Path, operator_env: dict[str, str]
) -> None:
    seen: dict[str, object] = {}

    async def console(config_path: Path, cache_path: Path) -> int:
        config = load_config(config_path, explicit=True)
        env = {k: v for k, v in os.environ.items() if k.startswith("VAULT_")}
        seen["env"] = env
        seen["addr"] = config.vault.addr
        seen["files"] = {
            p.name: p.read_bytes() for p in config_path.parent.rglob("*") if p.is_file()
        }
        seen["secret"] = await asyncio.to_thread(
            _kv_read, env["VAULT_ADDR"], env["VAULT_TOKEN"], "smtp-relay/prod/credentials"
        )
        return 0

    assert await run_demo(True, console, base_dir=tmp_path, history_hours=1) == 0
    env = seen["env"]
    assert isinstance(env, dict)
    assert set(env) == {"VAULT_ADDR", "VAULT_TOKEN"}  # the operator's namespace and CA hidden
    assert env["VAULT_ADDR"] == seen["addr"]
    assert str(seen["addr"]).startswith("http://127.0.0.1:")
    assert env["VAULT_TOKEN"] != operator_env["VAULT_TOKEN"]
    files = seen["files"]
    assert isinstance(files, dict) and files
    assert not any(env["VAULT_TOKEN"].encode() in data for data in files.values())
    secret = seen["secret"]
    assert isinstance(secret, dict) and secret["data"]["data"]["username"] == "relay-prod"
    for name, value in operator_env.items():  # the operator's own settings are back
        assert os.environ[name] == value
    assert _refused(env["VAULT_ADDR"])


async def test_a_crashing_console_still_stops_the_vault_and_restores_the_env(
    tmp_path: Path, operator_env: dict[str, str]
) -> None:
    addr: list[str] = []

    async def console(config_path: Path, cache_path: Path) -> None:
        addr.append(os.environ["VAULT_ADDR"])
        raise RuntimeError("console crashed")

    with pytest.raises(RuntimeError, match="console crashed"):
        await run_demo(True, console, base_dir=tmp_path, history_hours=1)
    assert os.environ["VAULT_TOKEN"] == operator_env["VAULT_TOKEN"]
    assert _refused(addr[0])
    assert list(tmp_path.iterdir()) == []


async def test_no_console_prints_export_lines_that_work(tmp_path: Path) -> None:
    async with serving_demo(tmp_path) as text:
        lines = text.splitlines()
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        assert set(exports) == {"VAULT_ADDR", "VAULT_TOKEN"}
        assert any("not a Vault" in line for line in lines)
        config_path = Path(lines[0].removeprefix("Config: "))
        assert load_config(config_path, explicit=True).vault.addr == exports["VAULT_ADDR"]
        assert exports["VAULT_TOKEN"] not in config_path.read_text()
        secret = await asyncio.to_thread(
            _kv_read, exports["VAULT_ADDR"], exports["VAULT_TOKEN"], "api/stripe"
        )
        assert secret["data"]["metadata"]["version"] == 3
    assert _refused(exports["VAULT_ADDR"])


def test_vault_environment_hides_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_SKIP_VERIFY", "1")
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    with vault_environment({"VAULT_ADDR": "http://127.0.0.1:1", "VAULT_TOKEN": "t"}):
        assert os.environ["VAULT_TOKEN"] == "t"
        assert "VAULT_SKIP_VERIFY" not in os.environ
    assert "VAULT_TOKEN" not in os.environ
    assert os.environ["VAULT_SKIP_VERIFY"] == "1"
