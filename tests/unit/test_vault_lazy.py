"""The secret browser's core costs nothing until it is used: no hvac, requests or Textual."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_importing_the_core_imports_neither_hvac_nor_textual() -> None:
    code = textwrap.dedent(
        """
        import sys
        import penguin_tui.vault.audit_cli, penguin_tui.vault.session, penguin_tui.vault.walk
        import penguin_tui.store
        heavy = {"hvac", "requests", "urllib3", "textual", "rich"}
        print(sorted(heavy & set(sys.modules)))
        from penguin_tui.vault.client import VaultClient
        from penguin_tui.vault.settings import Token, VaultSettings
        client = VaultClient(VaultSettings("http://127.0.0.1:9", Token("t")), timeout=2)
        try:
            client.call("read sys/health", lambda hv: hv.sys.read_health_status(method="GET"))
        except Exception as exc:
            print(type(exc).__name__)
        print("hvac" in sys.modules)
        client.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split("\n")[:3] == ["[]", "VaultUnreachable", "True"], out.stdout


def test_secrets_help_loads_neither_hvac_nor_textual() -> None:
    code = textwrap.dedent(
        """
        import sys
        from penguin_tui.cli import main
        for args in (["secrets", "--help"], ["secrets", "audit", "--help"]):
            try:
                main(args, standalone_mode=False)
            except SystemExit:
                pass
        print(sorted({"hvac", "requests", "textual"} & set(sys.modules)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "--format [text|json]" in out.stdout and "Exit codes: 0 none overdue" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
