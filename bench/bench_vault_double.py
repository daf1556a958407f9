"""How fast the Vault API double answers what the secret browser's benchmark asks of it.

    .venv/bin/python bench/bench_vault_double.py [--rounds 200]

Seeds the "big" tree (10,000 secrets in 1,000 folders under ``bulk/``) and times, as medians
and p95 over ``--rounds``: a LIST of the 1,000-entry root, a LIST of a 10-entry folder, and a
read of a secret with its metadata (two requests, as the browser makes them), each through hvac
over keep-alive HTTP (what the browser pays) and inside the double alone (its own share). The
double must stay far below the browser's budgets (root listing 300 ms, open a secret 150 ms).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import hvac

from penguin_tui.vaultdouble.runner import make_double, running_vault


def _timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    fn()  # warm-up: connection set-up, first-call imports
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    """Run the measurements and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds

    t0 = time.perf_counter()
    double = make_double("big")
    print(f"seed big (10,000 + demo secrets): {(time.perf_counter() - t0) * 1000:.0f} ms")
    token = {"x-vault-token": double.root_token}

    def direct(method: str, path: str, query: dict[str, str] | None = None) -> Callable[[], object]:
        return lambda: double.handle(method, path, query or {}, token, b"")

    inside = {
        "LIST bulk/ root (1,000 keys)": direct("GET", "/v1/bulk/metadata/", {"list": "true"}),
        "LIST bulk/svc-0500/ (10 keys)": direct(
            "GET", "/v1/bulk/metadata/svc-0500/", {"list": "true"}
        ),
        "read data+metadata": lambda: (
            double.handle("GET", "/v1/secret/data/postgres/primary", {}, token, b""),
            double.handle("GET", "/v1/secret/metadata/postgres/primary", {}, token, b""),
        ),
    }
    for name, fn in inside.items():
        median, p95 = _timed(fn, rounds)
        print(f"inside the double  {name:<32} median {median:6.2f} ms  p95 {p95:6.2f} ms")

    with running_vault(double=double) as vault:
        client = hvac.Client(vault.addr, vault.token)
        kv = client.secrets.kv.v2
        over_http = {
            "LIST bulk/ root (1,000 keys)": lambda: kv.list_secrets("", mount_point="bulk"),
            "LIST bulk/svc-0500/ (10 keys)": lambda: kv.list_secrets(
                "svc-0500", mount_point="bulk"
            ),
            "read data+metadata": lambda: (
                kv.read_secret_version(
                    "postgres/primary", mount_point="secret", raise_on_deleted_version=True
                ),
                kv.read_secret_metadata("postgres/primary", mount_point="secret"),
            ),
        }
        for name, fn in over_http.items():
            median, p95 = _timed(fn, rounds)
            print(f"hvac over HTTP     {name:<32} median {median:6.2f} ms  p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
