"""The console live: recording through the real poller over real HTTP, and attaching to a daemon.

Hostile text travels the whole real path here: an HTTP service answers with Rich markup, ANSI
and OSC 52 sequences in its body; the poller records the failed condition's actual value; the
screen shows it, inert.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from penguin_tui.app import PenguinApp
from penguin_tui.config_model import CheckConfig, Config, HostConfig
from penguin_tui.demo.httpserver import HTTPServer, Response
from penguin_tui.widgets.checklist import Checklist
from tests.ui.waiting import wait_until

HOSTILE_STATUS = "[bold]pwn[/bold]\x1b[2J\x1b]52;c;ZXZpbA==\x07[link=http://evil]x[/link]"
HOSTILE_NAME = "svc[red]\x1b[31m"


async def test_hostile_http_answers_render_inert(tmp_path: Path) -> None:
    async def route(method: str, path: str, query, headers, body) -> Response:  # type: ignore[no-untyped-def]
        return Response.json({"status": HOSTILE_STATUS}, status=200)

    server = HTTPServer(route)
    await server.start()
    try:
        config = Config(
            checks=(
                CheckConfig(
                    HOSTILE_NAME,
                    f"{server.url}/health",
                    conditions=("[STATUS] == 200", "[BODY].status == ok"),
                    interval_s=1.0,
                    timeout_s=0.9,
                    failure_threshold=1,
                ),
            ),
            host=HostConfig(enabled=False),
        )
        app = PenguinApp(config, tmp_path / "cache.db")
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(Checklist)

            def has_reason() -> bool:
                return "got" in str(app.screen.query_one("#detail-info").render())

            await wait_until(pilot, lambda: table.selected_key is not None, timeout=20.0)
            await wait_until(pilot, has_reason, timeout=20.0)
            svg = app.export_screenshot()
            assert "\x1b" not in svg and "\x07" not in svg
            assert "[bold]pwn[/bold]" in svg  # shown literally, not as bold
            assert "ZXZpbA==" not in svg  # the OSC 52 payload went with its sequence
            assert "svc[red]" in svg
            assert app.recording
            assert "recording" in str(app.screen.query_one("#status-bar").render())
            await pilot.press("q")
    finally:
        await server.stop()


async def test_console_attaches_to_running_daemon(tmp_path: Path) -> None:
    async def route(method: str, path: str, query, headers, body) -> Response:  # type: ignore[no-untyped-def]
        return Response.json({"status": "ok"})

    server = HTTPServer(route)
    await server.start()
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[[check]]\nname = "api"\nurl = "{server.url}/health"\ninterval = "1s"\n'
        "[host]\nenabled = false\n"
    )
    cache = tmp_path / "cache.db"
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "penguin_tui",
            "daemon",
            "--config",
            str(config_file),
            "--cache",
            str(cache),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        from penguin_tui.config import load_config
        from penguin_tui.store import Store

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if cache.exists():
                store = Store.open(cache)
                try:
                    if store.writer() is not None:
                        break
                finally:
                    store.close()
            await asyncio.sleep(0.2)
        app = PenguinApp(load_config(config_file), cache)
        async with app.run_test(size=(80, 24)) as pilot:
            bar = app.screen.query_one("#status-bar")
            # At 80 columns "attached to daemon pid N on HOST" shortens to "● daemon pid N".
            await wait_until(
                pilot, lambda: f"daemon pid {daemon.pid}" in str(bar.render()), timeout=20.0
            )
            assert not app.recording  # one poller per cache: the daemon's
            table = app.screen.query_one(Checklist)
            await wait_until(pilot, lambda: table.selected_key == "check:api", timeout=20.0)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
        await server.stop()
    assert daemon.returncode == 0
