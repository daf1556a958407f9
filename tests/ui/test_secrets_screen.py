"""The secret browser (key 4) driven by keys against the Vault API double, through hvac, over
real HTTP (tests/ui/vault_console.py); the audit trail in a real cache file; one injected
clock for the double and the console. Snapshots at 80x24 and 120x40.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from penguin_tui.config_model import VaultConfig
from penguin_tui.screens.secret_prompts import DiffPicker, GotoPrompt, VersionPicker
from penguin_tui.screens.secrets import SecretsScreen
from penguin_tui.screens.vault_audit import VaultAuditScreen
from penguin_tui.vault.secret import MASK
from penguin_tui.vaultdouble.runner import RunningVault
from penguin_tui.widgets.status_bar import StatusBar
from penguin_tui.widgets.vault_status import VaultStatusLine
from tests.ui.seed import seed_config
from tests.ui.vault_console import (
    console,
    isolate,
    open_path,
    open_secrets,
    screen_segments,
    screen_text,
    settle,
    wait_until,
)

MIN = 60.0


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    isolate(monkeypatch, tmp_path)
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def view_text(screen: SecretsScreen) -> str:
    return "\n".join(screen.view.plain_lines())


def tree_text(screen: SecretsScreen) -> str:
    return "\n".join(screen.tree.plain_lines())


def status_text(screen: SecretsScreen) -> str:
    return str(screen.query_one(VaultStatusLine).render())


# --- start-up cost --------------------------------------------------------------------------


def test_the_app_imports_no_vault_client_and_no_hvac() -> None:
    code = textwrap.dedent(
        """
        import sys
        import penguin_tui.app
        from penguin_tui.screens.secrets import SecretsScreen
        heavy = {"hvac", "requests", "penguin_tui.vault.client", "penguin_tui.vault.session"}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


# --- browsing --------------------------------------------------------------------------------


async def test_mounts_tree_and_a_secret_masked_with_metadata_and_versions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            # The oncall token may not read sys/mounts: the UI mounts, and a note saying so.
            assert "may not read sys/mounts" in screen.note
            rows = screen.tree.plain_lines()
            assert rows[0] == "▾ legacy/  kv v1" and "▾ secret/  kv v2" in rows
            assert "  ▸ postgres/" in rows and "  ▸ restricted/" in rows
            assert "    redis" in "\n".join(rows)  # a secret and a folder of the same name
            status = status_text(screen)
            assert "vault 1.17.6 active" in status and "token ldap-oncall" in status
            assert "(default, penguin-oncall)" in status and "ttl 8h" in status

            await open_path(pilot, screen, "secret/postgres/", "primary")
            text = view_text(screen)
            assert text.splitlines()[0] == "secret/postgres/primary"
            assert "version 5 of 5 · live" in text
            assert "⚠ 95d old · rotate every 90d (this secret) · overdue by 5d" in text
            password = str(c.value("postgres/primary", "password"))
            assert f"password  {MASK}" in text and password not in screen_text(c.app)
            squashed = [" ".join(line.split()) for line in text.splitlines()]
            for line in (
                "versions current 5 · oldest 0 · max 5",
                "cas_required yes",
                "delete_version_after never",
                "custom owner platform",
                "custom rotation_period 90d",
            ):
                assert line in squashed
            assert "v4 deleted 2026-05-25 08:00 (180d ago) · deleted 2026-08-19 08:00" in squashed
            assert "v3 destroyed 2026-01-25 08:00 (300d ago)" in squashed
            assert "v5 live 2026-08-18 08:00 (95d ago) ◀ shown" in squashed
            # The tree flags it (and its neighbours, whose metadata was read in passing).
            assert "      primary ⚠ overdue" in tree_text(screen)
            assert "      replica-1" in tree_text(screen).splitlines()
            # Every value has the same mask, whatever its length.
            assert text.count(MASK) == 5


async def test_80x24_keyboard_only_the_secret_replaces_the_tree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            bar = str(screen.query_one(StatusBar).render())
            assert "4 secrets" in bar and len(bar.rstrip()) <= 80
            # down to secret/api/ by keys: legacy/, ftp/, ldap/, old-smtp, secret/, api/
            await pilot.press(*["down"] * 5, "enter")
            await wait_until(pilot, lambda: not screen.tree.loading)
            await pilot.press("down", "enter")  # api/jwt-signing
            await wait_until(pilot, lambda: screen.view.mode == "keys")
            await settle(pilot)
            text = screen_text(c.app)
            assert "secret/api/jwt-signing" in text and "▸ postgres/" not in text
            assert "⚠ 35d old · rotate every 30d (this secret) · overdue by 5d" in text
            footer = text.splitlines()[-1]
            assert footer.startswith("/ filter g go to r reveal c copy j json v version d diff")
            assert "q quit" in footer
            await pilot.press("escape")
            await settle(pilot)
            text = screen_text(c.app)
            assert "▸ postgres/" in text and screen.tree.has_focus
            assert "      jwt-signing ⚠ overdue" in text


async def test_filter_covers_everything_listed_and_enter_goes_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await pilot.press("slash", *"primary")
            await settle(pilot)
            # postgres/ is not listed yet: nothing there matches.
            assert screen.tree.plain_lines() == []
            assert "0 of" in str(screen.query_one("#secrets-note").render())
            await pilot.press("escape")
            await open_path(pilot, screen, "secret/postgres/", "replica-1")
            await pilot.press("slash", *"post prim")
            await settle(pilot)
            assert screen.tree.plain_lines() == ["secret/postgres/primary ⚠ overdue"]
            assert "1 of 22 listed paths match" in str(screen.query_one("#secrets-note").render())
            await pilot.press("enter", "enter")  # to the list, then go there
            await wait_until(pilot, lambda: screen.view.mode == "keys")
            assert view_text(screen).startswith("secret/postgres/primary")
            assert not screen.has_class("filtering") and not screen.tree.filtering


async def test_filter_while_typing_matches_the_core_filter_at_every_keystroke(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The tree narrows its last matches while the operator types on: at every keystroke
    # (typing, deleting, a second word) it must show exactly what SecretTree.filter says.
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            session = screen.session
            assert session is not None
            todo = [n for n in session.tree.roots]
            while todo:  # list every folder the token may list
                node = todo.pop()
                if node.is_folder and str(node.state) == "unloaded":
                    await session.expand(node)
                todo.extend(n for n in node.children if n.is_folder)
            screen.tree.listed(session.tree.roots[0])  # the tree grew: the screen is told
            assert len(session.tree) > 40
            await pilot.press("slash")
            typed = ""
            for key in [*"sec", "backspace", *"c", "space", *"pr", "backspace", *"ri", *"x"]:
                await pilot.press(key)
                typed = (
                    typed[:-1] if key == "backspace" else typed + (" " if key == "space" else key)
                )
                shown_paths = [row.node.full_path for row in screen.tree.rows]
                expected = [n.full_path for n in session.tree.filter(typed)]
                assert shown_paths == expected, typed
            assert typed == "sec prix" and len(screen.tree.rows) == 0


async def test_a_403_on_list_says_so_and_offers_go_to_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            assert screen.tree.select_path("secret/restricted/")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(c.app.screen, GotoPrompt))
            assert "⊘ may not list (403) · enter: go to path" in tree_text(screen)
            assert "may not list secret/restricted/" in screen.note
            prompt = c.app.screen
            assert prompt.query_one(Input).value == "secret/restricted/"
            await pilot.press(*"nothing-here", "enter")
            await wait_until(
                pilot, lambda: "not found" in str(prompt.query_one("#goto-errors").render())
            )
            field = prompt.query_one(Input)
            field.value = "secret/restricted/"
            await pilot.press(*"break-glass", "enter")
            await wait_until(pilot, lambda: c.app.screen is screen and screen.view.mode == "keys")
            assert view_text(screen).startswith("secret/restricted/break-glass")
            assert "    break-glass" in "\n".join(screen.tree.plain_lines())
            # A path in no mount is refused in plain words, in the prompt.
            await pilot.press("g")
            await settle(pilot)
            prompt = c.app.screen
            assert isinstance(prompt, GotoPrompt)
            prompt.query_one(Input).value = "nowhere/at/all"
            await pilot.press("enter")
            await wait_until(
                pilot, lambda: "is in no KV mount" in str(prompt.query_one("#goto-errors").render())
            )
            await pilot.press("escape")


async def test_a_secret_the_token_may_not_read_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/pci/", "card-vault-hsm")
            assert screen.view.mode == "error"
            assert "read secret/pci/card-vault-hsm: permission denied (403)" in view_text(screen)
            footer = screen_text(c.app).splitlines()[-1]
            assert "reveal" not in footer and "copy" not in footer


async def test_kv_v1_secret_has_no_versions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            assert screen.tree.select_path("legacy/old-smtp")
            await pilot.press("enter")
            await wait_until(pilot, lambda: screen.view.mode == "keys")
            text = view_text(screen)
            assert "KV v1 · mount legacy/ · no versions, no metadata" in text
            assert f"password  {MASK}" in text
            footer = screen_text(c.app).splitlines()[-1]
            assert "reveal" in footer and "version" not in footer and "diff" not in footer


# --- reveal, copy, JSON: audited, timed -------------------------------------------------------


async def test_reveal_is_audited_and_masked_again_after_30s_on_the_app_clock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            password = str(c.value("postgres/primary", "password"))
            assert screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: "password" in screen.view.revealed)
            assert f"password  {password}" in view_text(screen)
            assert password in screen_text(c.app)
            [record] = c.audit()
            assert (record.action, record.path, record.key, record.version) == (
                "reveal",
                "secret/postgres/primary",
                "password",
                5,
            )
            assert record.user == "tester" and record.addr == c.vault.addr
            c.clock.now += 29
            screen.tick()
            await settle(pilot)
            assert password in view_text(screen)
            c.clock.now += 1
            screen.tick()
            await settle(pilot)
            assert password not in view_text(screen) and f"password  {MASK}" in view_text(screen)
            assert password not in screen_text(c.app)
            # r again reveals again (a second record); r on a revealed key masks it at once.
            await pilot.press("r")
            await wait_until(pilot, lambda: "password" in screen.view.revealed)
            await pilot.press("r")
            await settle(pilot)
            assert password not in view_text(screen)
            assert len(c.audit()) == 2


async def test_leaving_the_secret_masks_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            password = str(c.value("postgres/primary", "password"))
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: password in view_text(screen))
            await pilot.press("1")  # another mode
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            assert password not in view_text(screen) and not screen.view.revealed
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: password in view_text(screen))
            await pilot.press("escape")  # back to the tree
            await settle(pilot)
            assert password not in view_text(screen)
            screen.view.focus()
            await pilot.press("r")
            await wait_until(pilot, lambda: password in view_text(screen))
            assert screen.tree.select_path("secret/postgres/replica-1")
            screen.tree.focus()
            await pilot.press("enter")  # another secret
            await wait_until(pilot, lambda: view_text(screen).startswith("secret/postgres/replica"))
            assert password not in screen_text(c.app) and not screen.revealed_at


async def test_copy_goes_to_the_clipboard_audited_and_is_cleared_after_45s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/api/", "stripe")
            key = str(c.value("api/stripe", "secret_key"))
            assert screen.view.select_key("secret_key")
            await pilot.press("c")
            await wait_until(pilot, lambda: c.app.clipboard == key)
            assert key not in view_text(screen)  # copied, not shown
            [record] = c.audit()
            assert (record.action, record.key, record.version) == ("copy", "secret_key", 3)
            c.clock.now += 44
            screen.tick()
            assert c.app.clipboard == key
            c.clock.now += 1
            screen.tick()
            assert c.app.clipboard == ""
            # Something else copied since: left alone.
            await pilot.press("c")
            await wait_until(pilot, lambda: c.app.clipboard == key)
            c.app.copy_to_clipboard("the operator's own text")
            c.clock.now += 60
            screen.tick()
            assert c.app.clipboard == "the operator's own text"


async def test_reveal_is_refused_when_it_cannot_be_audited(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            assert screen.session is not None
            screen.session.store = None  # as with no usable cache
            screen.view.select_key("password")
            await pilot.press("r", "c")
            await settle(pilot)
            password = str(c.value("postgres/primary", "password"))
            assert password not in view_text(screen) and c.app.clipboard == ""
            assert not screen.view.revealed and c.audit() == []


async def test_json_view_is_masked_unless_revealed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            password = str(c.value("postgres/primary", "password"))
            await pilot.press("j")
            await settle(pilot)
            text = view_text(screen)
            assert f'"password": "{MASK}"' in text and f'"host": "{MASK}"' in text
            await pilot.press("j")  # back to the keys: reveal one, then JSON shows that one
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: password in view_text(screen))
            await pilot.press("j")
            await settle(pilot)
            text = view_text(screen)
            assert f'"password": "{password}"' in text and f'"host": "{MASK}"' in text
            c.clock.now += 30
            screen.tick()
            await settle(pilot)
            assert password not in view_text(screen) and f'"password": "{MASK}"' in view_text(
                screen
            )


# --- versions --------------------------------------------------------------------------------


async def test_read_an_older_and_a_deleted_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            await pilot.press("v")
            await settle(pilot)
            assert isinstance(c.app.screen, VersionPicker)
            await pilot.press("down", "enter")  # v4, deleted
            await wait_until(pilot, lambda: screen.view.secret is not None)
            text = view_text(screen)
            assert "version 4 of 5 · deleted · not the current version" in text
            assert "version 4 is deleted: nothing to show (v: another version)" in text
            await pilot.press("v", "down", "down", "enter")  # v2 (the picker starts at v4)
            await wait_until(pilot, lambda: screen.view.secret is not None)
            text = view_text(screen)
            assert "version 2 of 5 · live · not the current version" in text
            assert "sslmode" not in text and f"password  {MASK}" in text
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: "password" in screen.view.revealed)
            assert str(c.value("postgres/primary", "password", 2)) in view_text(screen)
            assert c.audit()[-1].version == 2


async def test_diff_two_versions_masked_and_revealed_by_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(c.app.screen, DiffPicker)
            await pilot.press("down", "down", "enter", "enter")  # from v2 to v5
            await wait_until(pilot, lambda: screen.view.mode == "diff")
            lines = screen.view.plain_lines()
            assert "diff v2 → v5: 1 added, 1 changed, 0 removed, 3 unchanged" in lines
            assert f"~ changed   password  v2 {MASK} → v5 {MASK}" in lines
            assert f"+ added     sslmode   v2 — → v5 {MASK}" in lines
            assert f"= unchanged host      v2 {MASK} → v5 {MASK}" in lines
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: "password" in screen.view.diff_revealed)
            old = str(c.value("postgres/primary", "password", 2))
            new = str(c.value("postgres/primary", "password", 5))
            lines = screen.view.plain_lines()
            assert f"    v2: {old}" in lines and f"    v5: {new}" in lines
            assert [(r.key, r.version) for r in c.audit()] == [("password", 2), ("password", 5)]
            c.clock.now += 30
            screen.tick()
            await settle(pilot)
            assert old not in view_text(screen) and new not in view_text(screen)
            await pilot.press("escape")  # back to the keys
            await settle(pilot)
            assert screen.view.mode == "keys"


async def test_diff_with_a_deleted_version_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            await pilot.press("d", "enter", "enter")  # the picker proposes v4 → v5
            await wait_until(pilot, lambda: screen.view.mode == "diff")
            text = view_text(screen)
            assert "diff v4 → v5: 5 added, 0 changed, 0 removed, 0 unchanged" in text
            assert "⚠ version 4 is deleted: its keys cannot be compared" in text


# --- Vault's state -----------------------------------------------------------------------------


async def test_sealed_vault_says_so_and_recovers_when_unsealed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path, prepare=lambda v: v.double.seal()) as c:
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            status = status_text(screen)
            assert status.startswith("✖ vault 1.17.6 sealed")
            assert "Vault at http://127.0.0.1" in status and "is sealed" in status
            assert "Vault is sealed" in screen_text(c.app)
            assert screen.tree.rows == []
            c.vault.double.unseal()
            screen.refresh_status()
            await wait_until(pilot, lambda: bool(screen.tree.rows) and not screen.tree.loading)
            assert status_text(screen).startswith("● vault 1.17.6 active")
            assert "▾ secret/  kv v2" in screen.tree.plain_lines()


async def test_token_expiry_warning_and_skip_verify(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def short_token(vault: RunningVault) -> None:
        vault.double.seed_tokens["short"] = vault.double.create_token(
            ["penguin-oncall"], ttl=40 * MIN, display_name="ldap-ann"
        )

    monkeypatch.setenv("VAULT_SKIP_VERIFY", "true")
    with console(monkeypatch, tmp_path, token="short", prepare=short_token) as c:
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            status = status_text(screen)
            assert "token ldap-ann" in status and "ttl 40m" in status
            assert "⚠ TLS verification is off (skip_verify)" in status
            assert "expires" not in status
            c.clock.now += 26 * MIN  # 14 minutes left: the warning, on the app's clock
            screen.tick()
            await settle(pilot)
            status = status_text(screen)
            assert "ttl 14m" in status
            assert "⚠ the Vault token expires in 14m: renew it (vault token renew)" in status
            assert "TLS verification is off" in status  # still there: permanent
            text = screen_text(c.app)
            assert "⚠ the Vault token expires in 14m" in text


async def test_rate_limited_vault_shows_a_message_and_keys_keep_working(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            c.vault.double.set_rate_limit(1, 3600)  # on the double's (frozen) clock
            c.root().sys.read_health_status(method="GET")  # exempt, as in Vault
            c.root().secrets.kv.v2.list_secrets("", mount_point="secret")  # the one allowed
            assert screen.tree.select_path("secret/dkim/")
            await pilot.press("enter")
            await wait_until(pilot, lambda: "secret/dkim/" not in screen.tree.loading)
            assert "rate limiting requests (429)" in screen.note
            assert "Vault is rate limiting requests (429)" in tree_text(screen)
            assert "enter retries" in tree_text(screen)
            await pilot.press("down")
            await settle(pilot)
            assert screen.tree.selected is not None
            c.vault.double.set_rate_limit(None)
            screen.tree.select_path("secret/dkim/")
            await pilot.press("down", "enter")  # enter on the note retries
            await wait_until(pilot, lambda: "secret/dkim/" not in screen.tree.loading)
            assert "  ▸ penguinmails.example/" in "\n".join(screen.tree.plain_lines())


async def test_a_slow_vault_shows_loading_and_keys_keep_working(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gate = threading.Event()

    def slow(vault: RunningVault) -> None:
        double = vault.double
        handle = double.handle

        def held(method, path, query, headers, body):  # type: ignore[no-untyped-def]
            if "webhooks/signing-keys" in path:
                gate.wait(10)
            return handle(method, path, query, headers, body)

        double.handle = held  # type: ignore[method-assign]

    with console(monkeypatch, tmp_path, prepare=slow) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            assert screen.tree.select_path("secret/webhooks/")
            await pilot.press("enter")
            await wait_until(pilot, lambda: not screen.tree.loading)
            screen.tree.select_path("secret/webhooks/signing-keys")
            await pilot.press("enter")
            await pilot.pause(0.2)
            assert screen.view.mode == "loading" and "loading…" in view_text(screen)
            started = time.monotonic()
            await pilot.press("slash", *"dkim")  # the event loop is free: keys are handled
            assert time.monotonic() - started < 2.0
            assert screen.tree.plain_lines() == ["secret/dkim/"]
            assert screen.view.mode == "loading"
            await pilot.press("escape")
            gate.set()
            await wait_until(pilot, lambda: screen.view.mode == "keys")
            assert view_text(screen).startswith("secret/webhooks/signing-keys")


async def test_settings_that_cannot_be_used_are_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        monkeypatch.setenv("VAULT_SKIP_VERIFY", "maybe")
        async with c.app.run_test(size=(80, 24)) as pilot:
            screen = await open_secrets(pilot)
            assert 'VAULT_SKIP_VERIFY: "maybe" is not true or false' in screen.problem
            assert "VAULT_SKIP_VERIFY" in screen_text(c.app)


# --- untrusted text ----------------------------------------------------------------------------


async def test_hostile_keys_and_values_are_shown_escaped_and_inert(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await open_path(pilot, screen, "secret/imported/", "vendor-bundle")
            for key in ("note\x1b[31m", "binary", "[bold]markup[/bold]", "nested"):
                screen.view.select_key(key)
                await pilot.press("r")
                await wait_until(pilot, lambda k=key: k in screen.view.revealed)  # type: ignore[misc]
            text = view_text(screen)
            assert "note\\x1b[31m" in text
            assert "imported from vendor \\x1b]52;c;cHduZWQ=\\x07bundle" in text
            assert "binary, 5 bytes: 00 01 02 ff fe" in text
            assert "[bold]markup[/bold]  [link=https://evil.example]click[/link]" in text
            assert '{"a": [1, 2, {"b": null}]}' in text
            assert "⚠ control characters shown escaped" in text
            drawn = screen_segments(c.app)
            for raw in ("\x1b", "\x07", "\x00", "\x9b"):
                assert raw not in drawn
            # JSON view: escaped as JSON escapes, still inert.
            await pilot.press("j")
            await settle(pilot)
            assert '"note\\u001b[31m"' in view_text(screen)
            assert "\x1b" not in screen_segments(c.app)
            # The audit view shows the key escaped too.
            await pilot.press("A")
            await wait_until(pilot, lambda: isinstance(c.app.screen, VaultAuditScreen))
            await settle(pilot)
            assert "note\\x1b[31m" in screen_text(c.app)
            assert "\x1b" not in screen_segments(c.app)


# --- the audit view -------------------------------------------------------------------------------


async def test_audit_view_lists_reveals_and_copies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with console(monkeypatch, tmp_path) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            await pilot.press("A")
            await wait_until(pilot, lambda: isinstance(c.app.screen, VaultAuditScreen))
            await settle(pilot)
            assert "No reveal or copy recorded yet" in screen_text(c.app)
            await pilot.press("escape")
            await settle(pilot)
            await open_path(pilot, screen, "secret/postgres/", "primary")
            screen.view.select_key("password")
            await pilot.press("r")
            await wait_until(pilot, lambda: "password" in screen.view.revealed)
            screen.view.select_key("username")
            await pilot.press("c")
            await wait_until(pilot, lambda: c.app.clipboard == "penguin")
            await pilot.press("A")
            await wait_until(pilot, lambda: isinstance(c.app.screen, VaultAuditScreen))
            await settle(pilot)
            text = screen_text(c.app)
            assert "2 records of reveals and copies · newest first" in text
            lines = [line for line in text.splitlines() if "secret/postgres/primary" in line]
            assert len(lines) == 2
            assert "copy" in lines[0] and "username" in lines[0] and "v5" in lines[0]
            assert "reveal" in lines[1] and "password" in lines[1] and "tester@" in lines[1]
            assert c.vault.addr in lines[1]
            password = str(c.value("postgres/primary", "password"))
            assert password not in text and "penguin " not in text.replace("penguin-", "")
            await pilot.press("escape")
            await settle(pilot)
            assert c.app.screen is screen


# --- snapshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_secret(
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        screen = await open_secrets(pilot)
        await open_path(pilot, screen, "secret/postgres/", "primary")
        await settle(pilot)

    with console(monkeypatch, tmp_path) as c:
        assert snap_compare(c.app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_diff(
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        screen = await open_secrets(pilot)
        await open_path(pilot, screen, "secret/smtp-relay/prod/", "credentials")
        await pilot.press("d", "down", "down", "enter", "enter")  # v1 → v4
        await wait_until(pilot, lambda: screen.view.mode == "diff")
        await settle(pilot)

    with console(monkeypatch, tmp_path) as c:
        assert snap_compare(c.app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_forbidden_folder_and_expiring_token(
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    def short_token(vault: RunningVault) -> None:
        vault.double.seed_tokens["short"] = vault.double.create_token(
            ["penguin-oncall"], ttl=10 * MIN, display_name="ldap-ann"
        )

    async def ready(pilot: Pilot) -> None:
        screen = await open_secrets(pilot)
        assert screen.tree.select_path("secret/restricted/")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, GotoPrompt))
        await pilot.press("escape")
        await settle(pilot)

    config = seed_config()
    assert config.vault == VaultConfig()
    with console(monkeypatch, tmp_path, token="short", prepare=short_token, config=config) as c:
        assert snap_compare(c.app, terminal_size=size, run_before=ready)
