"""``[vault]``: the secret browser's keys, and a token refused with the file's mode named."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.config import ConfigError, load_config
from penguin_tui.config_model import VaultConfig

WHERE = "penguin-tui reads it from VAULT_TOKEN or ~/.vault-token, as the vault CLI does"


def _write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.exit_code == 2
    return [str(p).removeprefix(f"{path}:") for p in info.value.problems]


def test_new_keys_default_and_map(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "[vault]\n")).vault == VaultConfig()
    default = VaultConfig()
    assert (default.rotation_period_s, default.reveal_timeout_s, default.clipboard_clear_s) == (
        90 * 86400,
        30,
        45,
    )
    assert default.skip_verify is None  # not set: VAULT_SKIP_VERIFY decides
    config = load_config(
        _write(
            tmp_path,
            '[vault]\nrotation_period = "30d"\nreveal_timeout = "10s"\nclipboard_clear = "1m"\n'
            "skip_verify = false\n",
        )
    )
    assert config.vault.rotation_period_s == 30 * 86400
    assert config.vault.reveal_timeout_s == 10
    assert config.vault.clipboard_clear_s == 60
    assert config.vault.skip_verify is False  # set: overrules VAULT_SKIP_VERIFY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'rotation_period = "5m"',
            "2: vault.rotation_period: must be between 1h and 3660d, not 5m",
        ),
        (
            "reveal_timeout = 30",
            '2: vault.reveal_timeout: expected a duration in quotes like "30s"',
        ),
        ('clipboard_clear = "2h"', "2: vault.clipboard_clear: must be between 1s and 1h, not 2h"),
    ],
)
def test_bad_durations_are_named(tmp_path: Path, text: str, expected: str) -> None:
    (problem,) = _problems(_write(tmp_path, f"[vault]\n{text}\n"))
    assert problem.startswith(expected), problem


def test_a_token_in_a_private_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[vault]\ntoken = "hvs.CANARYTOKEN"\n', 0o600)
    assert _problems(path) == [
        f"2: vault.token: a Vault token never belongs in the config file; {WHERE}"
    ]


@pytest.mark.parametrize(
    ("mode", "readers"),
    [(0o644, "group and others"), (0o640, "group"), (0o604, "others")],
)
def test_a_token_in_a_readable_file_names_its_mode(tmp_path: Path, mode: int, readers: str) -> None:
    path = _write(
        tmp_path, '[vault]\naddr = "https://v.example"\ntoken = "hvs.CANARYTOKEN"\n', mode
    )
    (problem,) = _problems(path)
    assert problem == (
        f"3: vault.token: a Vault token never belongs in the config file, and this file is "
        f"readable by {readers} (mode {mode:04o}): treat the token as exposed (revoke it), "
        f"remove the key and chmod 600 the file; {WHERE}"
    )
    assert "CANARYTOKEN" not in problem
