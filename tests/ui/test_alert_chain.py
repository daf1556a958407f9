"""The production chain end to end: the platform's /metrics -> Prometheus (scrape and alerting
rule) -> Alertmanager -> the console's recorder -> the alerts screen.

Every part is real: the demo platform on loopback, Prometheus 2.42 evaluating a rule every
second, Alertmanager 0.25, and the console recording into a real cache file.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from penguin_tui.app import PenguinApp
from penguin_tui.config_model import AlertmanagerConfig, Config, HostConfig
from penguin_tui.demo.platform import DemoPlatform
from penguin_tui.widgets.alert_table import AlertTable
from tests.integration import servers
from tests.integration.prom_alerting import alerting_prometheus
from tests.ui.test_alerts_screen import cell, detail_text, text_of
from tests.ui.waiting import wait_until

RULES = """\
groups:
  - name: penguinmails
    rules:
      - alert: OutboundQueueBacklog
        expr: sum(penguinmails_queue_depth) >= 0
        labels:
          severity: critical
          service: smtp-relay
        annotations:
          summary: "Outbound queue holds {{ $value }} mails"
          runbook_url: "https://runbooks.example/smtp/queue"
"""


async def test_prometheus_rule_reaches_the_alerts_screen_through_alertmanager(
    tmp_path: Path,
) -> None:
    async with DemoPlatform() as platform:
        target = urlsplit(platform.metrics_url).netloc
        with (
            servers.alertmanager(tmp_path) as am_url,
            alerting_prometheus(tmp_path, [target], am_url, RULES) as prom_url,
        ):
            config = Config(
                host=HostConfig(enabled=False),
                alertmanager=AlertmanagerConfig(urls=(am_url,), interval_s=1.0, timeout_s=2.0),
            )
            app = PenguinApp(config, tmp_path / "cache.db")
            app.bell = lambda: None  # type: ignore[method-assign]
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("2")
                table = app.screen.query_one(AlertTable)

                def backlog_key() -> str | None:
                    for key in table.keys:
                        row = table.row(key)
                        alert = getattr(row, "alert", None)
                        if alert is not None and alert.alertname == "OutboundQueueBacklog":
                            return key
                    return None

                await wait_until(pilot, lambda: backlog_key() is not None, timeout=60.0)
                key = backlog_key()
                assert key is not None
                assert cell(table, key, "state") == "firing"
                assert cell(table, key, "summary").startswith("Outbound queue holds ")
                assert "✖1 crit" in text_of(app, "#status-bar")
                table.select_key(key)
                await wait_until(pilot, lambda: "generatorURL" in detail_text(app), timeout=60.0)
                detail = detail_text(app)
                # Prometheus names itself as the generator: the link back to the rule's graph.
                assert f"{prom_url}/graph?g0.expr=" in detail
                assert "https://runbooks.example/smtp/queue" in detail
                await pilot.press("q")
