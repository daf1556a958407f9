"""Vault settings: config over environment over defaults, the token from env or ~/.vault-token."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from penguin_tui.config_model import VaultConfig
from penguin_tui.vault.settings import (
    DEFAULT_ADDR,
    SKIP_VERIFY_WARNING,
    Token,
    VaultSettingsError,
    resolve_settings,
)

TOKEN = "hvs.CANARYTOKEN123"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def _token_file(home: Path, text: str, mode: int = 0o600) -> Path:
    path = home / ".vault-token"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_nothing_set_is_the_vault_cli_default(home: Path) -> None:
    s = resolve_settings(VaultConfig(), {}, home)
    assert s.addr == DEFAULT_ADDR == "https://127.0.0.1:8200"
    assert not s.token and s.token_source == ""
    assert s.verify is True and s.namespace == "" and s.warnings == ()
    assert s.origin("addr") == "default"


def test_environment_is_used_when_the_config_is_silent(home: Path, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    env = {
        "VAULT_ADDR": "https://vault.env.example:8200/",
        "VAULT_NAMESPACE": "/ops/",
        "VAULT_CACERT": str(ca),
        "VAULT_TOKEN": f"  {TOKEN}\n",
    }
    s = resolve_settings(VaultConfig(), env, home)
    assert s.addr == "https://vault.env.example:8200"  # trailing slash dropped
    assert s.namespace == "ops"
    assert s.verify == str(ca) and s.origin("ca") == "VAULT_CACERT"
    assert s.token.value() == TOKEN and s.token_source == "VAULT_TOKEN"
    assert s.origin("addr") == "VAULT_ADDR" and s.origin("namespace") == "VAULT_NAMESPACE"


def test_config_keys_win_over_the_environment(home: Path, tmp_path: Path) -> None:
    capath = tmp_path / "cas"
    capath.mkdir()
    ca = tmp_path / "env-ca.pem"
    ca.write_text("x")
    config = VaultConfig(
        addr="https://vault.config.example", namespace="eng", capath=capath, skip_verify=False
    )
    env = {
        "VAULT_ADDR": "https://vault.env.example",
        "VAULT_NAMESPACE": "ops",
        "VAULT_CACERT": str(ca),  # replaced by the config's capath: CA settings are one unit
        "VAULT_SKIP_VERIFY": "true",  # overruled by an explicit skip_verify = false
    }
    s = resolve_settings(config, env, home)
    assert (s.addr, s.namespace) == ("https://vault.config.example", "eng")
    assert s.cacert is None and s.verify == str(capath)
    assert s.skip_verify is False and s.warnings == ()
    assert s.origin("addr") == "[vault].addr" and s.origin("skip_verify") == "[vault].skip_verify"


def test_cacert_wins_over_capath_as_in_the_vault_cli(home: Path, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    env = {"VAULT_CACERT": str(ca), "VAULT_CAPATH": str(tmp_path)}
    assert resolve_settings(VaultConfig(), env, home).verify == str(ca)


@pytest.mark.parametrize("value", ["1", "t", "true", "TRUE", "True"])
def test_skip_verify_from_the_environment_is_a_permanent_warning(home: Path, value: str) -> None:
    s = resolve_settings(VaultConfig(), {"VAULT_SKIP_VERIFY": value}, home)
    assert s.skip_verify and s.verify is False
    assert SKIP_VERIFY_WARNING in s.warnings


def test_skip_verify_false_values_and_config_true(home: Path) -> None:
    for value in ("0", "f", "false", "False"):
        assert resolve_settings(VaultConfig(), {"VAULT_SKIP_VERIFY": value}, home).verify is True
    s = resolve_settings(VaultConfig(skip_verify=True), {}, home)
    assert s.verify is False and SKIP_VERIFY_WARNING in s.warnings


def test_token_file_is_read_when_vault_token_is_unset(home: Path) -> None:
    path = _token_file(home, f"{TOKEN}\n")
    s = resolve_settings(VaultConfig(), {}, home)
    assert s.token.value() == TOKEN and s.token_source == str(path) and s.warnings == ()
    # VAULT_TOKEN wins over the file, as in the vault CLI.
    s = resolve_settings(VaultConfig(), {"VAULT_TOKEN": "hvs.other"}, home)
    assert s.token.value() == "hvs.other" and s.token_source == "VAULT_TOKEN"


def test_a_readable_token_file_is_a_warning(home: Path) -> None:
    _token_file(home, TOKEN, 0o644)
    s = resolve_settings(VaultConfig(), {}, home)
    assert s.token.value() == TOKEN
    assert any("mode 0644" in w and "chmod 600" in w for w in s.warnings)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"VAULT_ADDR": "vault.example:8200"}, "VAULT_ADDR: "),
        ({"VAULT_ADDR": "ftp://vault.example"}, 'scheme "ftp" is not supported'),
        ({"VAULT_SKIP_VERIFY": "yes"}, 'VAULT_SKIP_VERIFY: "yes" is not true or false'),
        (
            {"VAULT_CACERT": "/nonexistent/ca.pem"},
            "VAULT_CACERT: /nonexistent/ca.pem does not exist",
        ),
        ({"VAULT_CAPATH": "/nonexistent/cas"}, "VAULT_CAPATH: /nonexistent/cas is not a directory"),
        ({"VAULT_NAMESPACE": "ops\x1b[2J"}, "VAULT_NAMESPACE: contains control characters"),
        ({"VAULT_TOKEN": "hvs.CANARY\r\nX-Injected: 1"}, "VAULT_TOKEN: holds spaces"),
    ],
)
def test_bad_settings_name_the_variable(home: Path, env: dict[str, str], words: str) -> None:
    with pytest.raises(VaultSettingsError) as info:
        resolve_settings(VaultConfig(), env, home)
    assert words in str(info.value)
    assert info.value.exit_code == 2
    assert "CANARY" not in str(info.value) and "\x1b" not in str(info.value)


def test_bad_config_path_names_the_key(home: Path, tmp_path: Path) -> None:
    with pytest.raises(VaultSettingsError, match=r"^\[vault\]\.cacert: .* does not exist"):
        resolve_settings(VaultConfig(cacert=tmp_path / "missing.pem"), {}, home)


def test_a_bad_token_file_is_named_never_shown(home: Path) -> None:
    _token_file(home, "hvs.CANARY with spaces")
    with pytest.raises(VaultSettingsError) as info:
        resolve_settings(VaultConfig(), {}, home)
    assert str(home / ".vault-token") in str(info.value) and "CANARY" not in str(info.value)


def test_the_token_never_shows_in_reprs_or_pickles(home: Path) -> None:
    s = resolve_settings(VaultConfig(), {"VAULT_TOKEN": TOKEN}, home)
    assert "CANARY" not in repr(s) and "CANARY" not in str(s) and "CANARY" not in repr(s.token)
    assert repr(Token()) == "Token(<none>)"
    with pytest.raises(TypeError):
        pickle.dumps(s.token)


def test_hvac_gets_every_setting_explicitly(home: Path, tmp_path: Path) -> None:
    s = resolve_settings(
        VaultConfig(addr="https://v.example", namespace="ops", skip_verify=True),
        {"VAULT_TOKEN": TOKEN},
        home,
    )
    kwargs = s.hvac_kwargs(timeout=5.0)
    assert kwargs == {
        "url": "https://v.example",
        "token": TOKEN,
        "verify": False,
        "namespace": "ops",
        "cert": None,
        "timeout": 5.0,
    }
