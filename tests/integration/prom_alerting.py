"""A real Prometheus that evaluates alerting rules and sends what fires to an Alertmanager.

The production chain of issue 4: the platform's /metrics -> Prometheus (scrape, rule) ->
Alertmanager -> penguin-tui. Kept apart from ``servers.prometheus`` (a scrape-only Prometheus)
because the alerting set-up needs rule files and an ``alerting`` section.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.integration.servers import binary, free_port, served


@contextlib.contextmanager
def alerting_prometheus(
    workdir: Path, targets: list[str], alertmanager_url: str, rules_yaml: str
) -> Iterator[str]:
    """Prometheus scraping ``targets`` every second, evaluating ``rules_yaml`` every second and
    sending alerts to ``alertmanager_url`` (``http://host:port``); yields its URL."""
    exe = binary("prometheus", "prometheus")
    port = free_port()
    rules = workdir / "rules.yml"
    rules.write_text(rules_yaml)
    am_target = alertmanager_url.split("://", 1)[1].rstrip("/")
    listed = ", ".join(f"'{t}'" for t in targets)
    config = workdir / "prometheus-alerting.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files: ['{rules}']\n"
        "alerting:\n  alertmanagers:\n    - static_configs:\n"
        f"        - targets: ['{am_target}']\n"
        "scrape_configs:\n  - job_name: platform\n"
        f"    static_configs:\n      - targets: [{listed}]\n"
    )
    args = [exe, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb-alerting'}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=error",
            f"--web.external-url=http://127.0.0.1:{port}/",
            "--rules.alert.resend-delay=1s", "--rules.alert.for-grace-period=1s"]  # fmt: skip
    with served(args, f"http://127.0.0.1:{port}", "Prometheus") as url:
        yield url
