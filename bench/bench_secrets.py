"""The secret browser against the Vault double's "big" tree: the root listing, a filter
keystroke with 11,000 paths loaded, and opening a secret with its metadata, key to frame.

    .venv/bin/python bench/bench_secrets.py [--rounds 15] [--keys 60] [--opens 30]

The double serves the "big" seed (the demo tree plus ``bulk/``: 10,000 secrets in 1,000
folders) on 127.0.0.1 from a thread; the console is the real ``PenguinApp`` in this process,
headless at 120x40 with the demo's token (``oncall``: it may not read sys/mounts, so the
mounts come from the UI fallback), reading through hvac over keep-alive HTTP. Keys are sent
the way Textual's terminal driver sends them (``driver.send_message``), and a figure runs from
the send to the end of the first frame painted after the change (the headless driver skips
turning frames into escape sequences; this bench does that work, as a terminal would cost).

- **root listing shown**: ``R`` (read Vault again: mounts, status, and every mount's top
  level LISTed, ``bulk/`` holding 1,000 folders) until ``bulk/``'s folders are on screen.
  Baseline: one hvac LIST of ``bulk/``'s top level. Goal <= 300 ms. The first opening of the
  screen (key ``4``, importing hvac and the Vault core in a thread) is shown once, apart.
- **filter keystroke**: with all 1,000 folders listed (11,000 paths in the tree), typing
  ``svc-05``/``api`` and deleting it again, one key at a time, until the tree shows the new
  matches. Baseline: the same keys typed into a bare Textual ``Input`` in a bare app. Goal
  <= 50 ms.
- **open a secret**: enter on ``bulk/svc-0500/api-key`` and its neighbour in turn until the
  secret, its metadata and its rotation age are on screen. Baseline: hvac's read of the data
  and of the metadata (two requests, as the browser makes them). Goal <= 150 ms.

Medians, with p90 and the ratio to the baseline. Default run: about half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (120, 40)
POLL_S = 0.001
TIMEOUT_S = 30.0
FILTER_WORDS = ("svc-05", "api")  # 100 folders' worth of matches, then 1,000 api keys


class BenchError(Exception):
    """Something the bench needs did not happen."""


def stats(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p90 = ordered[max(0, int(len(ordered) * 0.9 + 0.5) - 1)]
    return statistics.median(ordered), p90


def line(name: str, samples: Sequence[float], base: Sequence[float], goal_ms: float) -> str:
    median, p90 = stats(samples)
    b_median, _ = stats(base)
    verdict = "ok" if median * 1000 <= goal_ms else "OVER"
    return (
        f"{name:<22} median {median * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms  "
        f"baseline {b_median * 1000:6.1f} ms  ratio {median / b_median:5.1f}  "
        f"goal <= {goal_ms:g} ms {verdict}"
    )


class Frames:
    """When frames were painted (the app's ``_display``), for "until the next frame"."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def after(self, t: float) -> float | None:
        """The end of the first frame painted at or after ``t``."""
        index = bisect_left(self.times, t)
        return self.times[index] if index < len(self.times) else None


def painting(cls: type, frames: Frames) -> type:
    """``cls`` (an App) recording each painted frame, paying for its escape sequences."""
    from textual._compositor import CompositorUpdate

    class Painting(cls):  # type: ignore[misc, valid-type]
        def _display(self, screen: Any, renderable: Any) -> None:
            if self.is_headless and isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            super()._display(screen, renderable)
            frames.times.append(time.perf_counter())

    return Painting


async def until(cond: Callable[[], object], what: str) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    while not cond():
        if time.perf_counter() > deadline:
            raise BenchError(f"{what}: not within {TIMEOUT_S:g} s")
        await asyncio.sleep(POLL_S)


def send(app: Any, key: str) -> float:
    """A key as the terminal driver delivers it; the moment it was sent."""
    from textual import events

    t0 = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    return t0


async def painted_after(frames: Frames, changed: Callable[[], float | None], what: str) -> float:
    """Wait for ``changed()`` (when the screen's state changed) and a frame after it."""
    await until(lambda: (t := changed()) is not None and frames.after(t) is not None, what)
    t = changed()
    assert t is not None
    end = frames.after(t)
    assert end is not None
    return end


# --- the console -------------------------------------------------------------------------------


async def console_figures(args: argparse.Namespace, addr: str, token: str) -> dict[str, Any]:
    from penguin_tui.app import PenguinApp
    from penguin_tui.screens.secrets import SecretsScreen
    from penguin_tui.widgets.secret_tree import SecretTreeView
    from penguin_tui.widgets.secret_view import SecretView
    from tests.ui.seed import seed_config

    os.environ["VAULT_ADDR"], os.environ["VAULT_TOKEN"] = addr, token
    frames = Frames()
    marks: dict[str, float] = {}

    # When the tree's rows and the secret view last changed (the state a frame must show).
    rows_done = SecretTreeView.refresh_rows
    shown_done = SecretView.show_secret
    tree_done = SecretTreeView.set_tree

    def set_tree(self: Any, *a: Any, **k: Any) -> None:
        tree_done(self, *a, **k)
        marks["tree"] = time.perf_counter()

    def refresh_rows(self: Any) -> None:
        rows_done(self)
        marks["rows"] = time.perf_counter()

    def show_secret(self: Any, *a: Any) -> None:
        shown_done(self, *a)
        marks["secret"] = time.perf_counter()

    SecretTreeView.refresh_rows = refresh_rows  # type: ignore[method-assign]
    SecretTreeView.set_tree = set_tree  # type: ignore[method-assign]
    SecretView.show_secret = show_secret  # type: ignore[method-assign]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as tmp:
        app = painting(PenguinApp, frames)(seed_config(), Path(tmp) / "cache.db", record=False)
        async with app.run_test(size=SIZE):
            await asyncio.sleep(0.5)  # the health screen's first reads
            screen: Any = None

            def bulk_shown() -> float | None:
                tree = screen.tree if screen is not None else None
                if tree is None or tree.loading or len(tree.rows) < 1000 or "tree" not in marks:
                    return None  # a new tree, its listings done
                return marks.get("rows")

            # First opening: imports hvac and the Vault core (in a thread), then lists.
            marks.clear()
            t0 = send(app, "4")
            await until(lambda: isinstance(app.screen, SecretsScreen), "the secrets screen")
            screen = app.screen
            out["first_open"] = await painted_after(frames, bulk_shown, "first open") - t0

            # Root listing: R reads Vault again and lists every mount's top level.
            samples = []
            for _ in range(args.rounds):
                await asyncio.sleep(0.05)
                marks.clear()
                t0 = send(app, "R")
                samples.append(await painted_after(frames, bulk_shown, "root listing") - t0)
            out["root"] = samples

            # 11,000 paths: every bulk folder listed (straight through the session).
            session = screen.session
            bulk = session.tree.node("bulk/")
            await asyncio.gather(*(session.expand(n) for n in bulk.children if n.is_folder))
            screen.tree.refresh_rows()
            out["nodes"] = screen.tree.node_count
            if out["nodes"] < 11_000:
                raise BenchError(f"only {out['nodes']} paths loaded")

            # Filter keystrokes.
            send(app, "slash")
            await until(lambda: screen.has_class("filtering"), "the filter bar")
            samples = []
            while len(samples) < args.keys:
                for word in FILTER_WORDS:
                    for key in [*word, *["backspace"] * len(word)]:
                        await asyncio.sleep(0.03)
                        before = marks.get("rows", 0.0)
                        t0 = send(app, key)
                        end = await painted_after(
                            frames,
                            lambda b=before: marks["rows"] if marks.get("rows", 0) > b else None,
                            "filter keystroke",
                        )
                        samples.append(end - t0)
            out["filter"] = samples
            out["matches"] = screen.tree.set_filter("svc-05 api")
            send(app, "escape")
            await until(lambda: not screen.has_class("filtering"), "filter closed")
            await asyncio.sleep(0.1)

            # Opening a secret with its metadata, two neighbours in turn.
            samples = []
            names = ("bulk/svc-0500/api-key", "bulk/svc-0500/db")
            for n in range(args.opens):
                screen.tree.select_path(names[n % 2])
                screen.tree.focus()
                await asyncio.sleep(0.05)
                marks.pop("secret", None)
                t0 = send(app, "enter")
                end = await painted_after(
                    frames,
                    lambda: marks.get("secret") if screen.view.mode == "keys" else None,
                    "open a secret",
                )
                samples.append(end - t0)
                if screen.opened is None or screen.opened.metadata is None:
                    raise BenchError("the secret opened without its metadata")
                send(app, "escape")
                await until(lambda: screen.tree.has_focus, "back to the tree")
            out["open"] = samples
    return out


# --- baselines ---------------------------------------------------------------------------------


def hvac_baselines(addr: str, token: str, rounds: int) -> dict[str, list[float]]:
    import hvac

    kv = hvac.Client(addr, token).secrets.kv.v2
    kv.list_secrets("", mount_point="bulk")  # warm-up: the connection

    def timed(fn: Callable[[], object]) -> list[float]:
        samples = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        return samples

    def read() -> None:
        kv.read_secret_version(
            "svc-0500/api-key", mount_point="bulk", raise_on_deleted_version=True
        )
        kv.read_secret_metadata("svc-0500/api-key", mount_point="bulk")

    return {
        "root": timed(lambda: kv.list_secrets("", mount_point="bulk")),
        "open": timed(read),
    }


async def bare_input_keys(keys: int) -> list[float]:
    """Keystroke to frame in a bare app with one Input: what any typing costs."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    frames = Frames()
    changed: dict[str, float] = {}

    class MarkedInput(Input):
        def _watch_value(self, value: str) -> None:
            super()._watch_value(value)
            changed["at"] = time.perf_counter()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield MarkedInput()

    app = painting(Bare, frames)()
    samples: list[float] = []
    async with app.run_test(size=SIZE):
        app.query_one(MarkedInput).focus()
        await asyncio.sleep(0.1)
        while len(samples) < keys:
            for word in FILTER_WORDS:
                for key in [*word, *["backspace"] * len(word)]:
                    await asyncio.sleep(0.03)
                    before = changed.get("at", 0.0)
                    t0 = send(app, key)
                    end = await painted_after(
                        frames,
                        lambda b=before: changed["at"] if changed.get("at", 0) > b else None,
                        "bare input",
                    )
                    samples.append(end - t0)
    return samples


def main() -> None:
    """Serve the double, measure, print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="root listings")
    parser.add_argument("--keys", type=int, default=60, help="filter keystrokes")
    parser.add_argument("--opens", type=int, default=30, help="secrets opened")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    for name in ("VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_CAPATH", "VAULT_SKIP_VERIFY"):
        os.environ.pop(name, None)

    from penguin_tui.vaultdouble.runner import running_vault

    t0 = time.perf_counter()
    with running_vault(seed="big") as vault:
        print(f"double seeded (big: 10,000 + demo secrets) in {time.perf_counter() - t0:.1f} s")
        token = vault.double.seed_tokens["oncall"]
        ui = asyncio.run(console_figures(args, vault.addr, token))
        base = hvac_baselines(vault.addr, token, max(args.rounds, args.opens))
    bare = asyncio.run(bare_input_keys(args.keys))
    print(
        f"first opening of the screen (imports hvac in a thread): {ui['first_open'] * 1000:.0f} ms"
    )
    print(f"paths in the tree for the filter: {ui['nodes']:,} (svc-05 api: {ui['matches']})")
    print(line("root listing shown", ui["root"], base["root"], 300))
    print(line("filter keystroke", ui["filter"], bare, 50))
    print(line("open secret+metadata", ui["open"], base["open"], 150))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        sys.exit(1)
