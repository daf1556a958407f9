"""The demo config names the demo Vault's address, and never a token."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.config import load_config
from penguin_tui.demo.config import demo_config, demo_config_toml

URLS = {
    "api": "http://127.0.0.1:1001",
    "smtp-relay": "http://127.0.0.1:1002",
    "bounce-processor": "http://127.0.0.1:1003",
    "webhook-dispatcher": "http://127.0.0.1:1004",
    "postgres": "tcp://127.0.0.1:1005",
    "redis": "tcp://127.0.0.1:1006",
}


class Platform:
    urls = URLS


def test_the_vault_address_round_trips_through_the_toml(tmp_path: Path) -> None:
    text = demo_config_toml(Platform(), vault_addr="http://127.0.0.1:8299")
    assert '[vault]\naddr = "http://127.0.0.1:8299"\n' in text
    assert "token" not in text.split("[vault]", 1)[1].split("\n[", 1)[0]
    path = tmp_path / "config.toml"
    path.write_text(text)
    loaded = load_config(path, explicit=True)
    assert loaded.vault == demo_config(Platform(), vault_addr="http://127.0.0.1:8299").vault
    assert loaded.vault.addr == "http://127.0.0.1:8299"


def test_without_a_vault_there_is_no_vault_section() -> None:
    assert "[vault]" not in demo_config_toml(Platform())
