"""One poll cycle over 500 loopback HTTP targets: the poller against a bare httpx gather.

    .venv/bin/python bench/bench_poll.py [--targets 500] [--rounds 9] [--concurrency 50]

The targets are served by a separate process (so the server's CPU is not counted against
the client) on one asyncio loop. Both sides use the same client limits and the same
concurrency bound and keep their connections between rounds; rounds alternate between the
two so drift on a shared machine hits both alike. Prints medians and the ratio
(goal: poller / bare <= 1.3).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve() -> None:
    """Child process: serve the hostile server's /ok route until stdin closes."""
    from tests.integration.hostile_server import HostileServer

    async def main() -> None:
        async with HostileServer() as server:
            print(server.port, flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


async def bench(port: int, targets: int, rounds: int, concurrency: int) -> None:

    from penguin_tui.config_model import CheckConfig, Config, HostConfig
    from penguin_tui.poller import Poller
    from penguin_tui.sources.client import make_client

    urls = [f"http://127.0.0.1:{port}/ok?target={i}" for i in range(targets)]
    config = Config(
        checks=tuple(
            CheckConfig(name=f"t{i}", url=u, conditions=("[STATUS] == 200", "[BODY].status == ok"))
            for i, u in enumerate(urls)
        ),
        host=HostConfig(enabled=False),
        max_concurrency=concurrency,
    )

    async def discard(_batch: object) -> None:
        return None

    async with make_client(concurrency) as bare_client, make_client(concurrency) as poll_client:
        sem = asyncio.Semaphore(concurrency)

        async def get(url: str) -> int:
            async with sem:
                r = await bare_client.get(url)
                return r.status_code

        async def bare() -> float:
            t = time.perf_counter()
            codes = await asyncio.gather(*(get(u) for u in urls))
            assert codes.count(200) == targets
            return time.perf_counter() - t

        poller = Poller(config, discard, client=poll_client)

        async def polled() -> float:
            t = time.perf_counter()
            batch = await poller.poll_once(keep_open=True)
            assert sum(r.probe_ok for r in batch.readings) == targets, batch.readings[0]
            return time.perf_counter() - t

        await bare()  # warm-up: connections, imports, caches
        await polled()
        bare_s: list[float] = []
        poll_s: list[float] = []
        for i in range(rounds):
            first, second = (bare, polled) if i % 2 == 0 else (polled, bare)
            a, b = await first(), await second()
            bare_s.append(a if first is bare else b)
            poll_s.append(b if first is bare else a)
    mb, mp = statistics.median(bare_s), statistics.median(poll_s)
    ratios = [p / b for p, b in zip(poll_s, bare_s, strict=True)]
    print(f"targets={targets} concurrency={concurrency} rounds={rounds}")
    print(f"bare httpx gather : median {mb * 1000:7.1f} ms  (min {min(bare_s) * 1000:.1f})")
    print(f"Poller.poll_once  : median {mp * 1000:7.1f} ms  (min {min(poll_s) * 1000:.1f})")
    print(f"ratio poller/bare : {mp / mb:.2f} (median of per-round ratios "
          f"{statistics.median(ratios):.2f}; goal <= 1.3)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        asyncio.run(bench(port, args.targets, args.rounds, args.concurrency))
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)


if __name__ == "__main__":
    main()
