"""Config loading: defaults, the example, and every class of mistake with file, line and key."""

# ruff: noqa: E501  (tables of exact messages read best one case per line)

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from penguin_tui.config import ConfigError, load_config, parse_config
from penguin_tui.config_example import EXAMPLE_CONFIG
from penguin_tui.config_model import Config, HostConfig, Threshold
from tests.unit.config_files import problems, write

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CONFIG.md"


# ---------------------------------------------------------------------------- defaults


def test_no_config_at_all_is_the_builtin_default(tmp_path: Path) -> None:
    for config in (load_config(None), load_config(tmp_path / "absent.toml", explicit=False)):
        assert config == Config()
        assert config.checks == () and config.metrics == ()
        assert config.host.enabled
        assert config.host.cpu == Threshold(50, 70, 90)
        assert config.host.load == Threshold(0.7, 1.0, 5.0)
        assert config.source is None


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as info:
        load_config(missing, explicit=True)
    assert str(info.value) == f"{missing}: no such config file"
    assert info.value.exit_code == 2


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a file"
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b"[general]\n# caf\xe9\nmax_concurrency = 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(latin1)
    assert str(info.value) == f"{latin1}:2: is not UTF-8 text (TOML files must be UTF-8)"
    if os.geteuid() != 0:  # root reads anything
        locked = write(tmp_path, "")
        locked.chmod(0)
        with pytest.raises(ConfigError) as info:
            load_config(locked)
        assert str(info.value) == f"{locked}: cannot read: Permission denied"


def test_empty_file_is_the_default_with_its_source(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing yet\n")
    config = load_config(path)
    assert config.source == path
    assert config.host == HostConfig()
    assert config.retention.raw_s == 48 * 3600


def test_defaults_filled_in_for_a_minimal_check_and_metric(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[[check]]\nname = "api"\nurl = "https://api.example/health"\n'
            '[[check]]\nname = "pg"\nurl = "tcp://10.0.0.5:5432"\ninterval = "10s"\n'
            '[[metric]]\nname = "q"\njson = "http://x.example/stats"\nfield = "queue.depth"\n',
        )
    )
    api, pg = config.checks
    assert api.conditions == ("[STATUS] == 200",)
    assert (api.section, api.method, api.interval_s, api.timeout_s) == ("Services", "GET", 30, 10)
    assert (api.failure_threshold, api.success_threshold, api.verify_tls) == (2, 1, True)
    assert pg.conditions == ("[CONNECTED] == true",)
    assert pg.timeout_s == 5  # half the interval when 10 s would not fit in it
    (metric,) = config.metrics
    assert (metric.source, metric.json, metric.field, metric.section) == (
        "json",
        "http://x.example/stats",
        "queue.depth",
        "API",
    )
    assert metric.scale == 1.0 and metric.warn is None and metric.direction == "above"


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[general]\ncache = "data/cache.db"\nlog_file = "~/penguin.log"\n')
    )
    assert config.cache_path == tmp_path / "data" / "cache.db"
    assert config.log_file == Path.home() / "penguin.log"


# ---------------------------------------------------------------------------- the example


def test_example_config_validates_and_maps_every_part(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EXAMPLE_CONFIG))
    names = [c.name for c in config.checks]
    assert names == [
        "api",
        "smtp-relay",
        "bounce-processor",
        "webhook-dispatcher",
        "smtp",
        "postgres",
        "redis",
    ]
    api = config.checks[0]
    assert api.conditions[-1] == "[CERTIFICATE_EXPIRATION] > 72h"
    assert (api.interval_s, api.timeout_s) == (30, 5)
    assert config.checks[3].headers == {"Accept": "application/json"}
    sources = {m.name: m.source for m in config.metrics}
    assert sources["api_p95_latency"] == "prometheus"
    assert sources["queue_depth"] == "scrape"
    assert sources["open_tickets"] == "json"
    logins = next(m for m in config.metrics if m.name == "logins_per_hour")
    assert (logins.rate, logins.scale, logins.direction) == (True, 3600, "below")
    assert config.metrics[0].item().name == "API p95 latency"
    assert config.prometheus_url == "http://prometheus.penguinmails.example:9090"
    assert config.host.mounts == ("/", "/var")
    assert config.retention.hour_s == 400 * 86400
    assert config.vault.addr == "https://vault.penguinmails.example:8200"
    # The platform's key figures from the issue are all there.
    titles = {m.title for m in config.metrics}
    assert {
        "API p95 latency",
        "API error rate",
        "Database connection time",
        "Email delivery rate",
        "Bounce rate",
        "Spam-complaint rate",
        "Send queue depth",
        "Logins per hour",
        "Open support tickets",
    } <= titles


def test_docs_show_the_example_verbatim() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    assert EXAMPLE_CONFIG in blocks, "docs/CONFIG.md must contain EXAMPLE_CONFIG as a toml block"


def test_docs_mention_every_key_the_loader_accepts() -> None:
    from penguin_tui import config_items

    text = DOCS.read_text(encoding="utf-8")
    keys = {*config_items._CHECK_KEYS, *config_items._METRIC_KEYS}
    keys |= {"cache", "log_file", "max_concurrency", "uptime_target", "raw", "minute", "hour"}
    keys |= {"enabled", "interval", "mounts", "network", "cpu", "memory", "swap", "disk", "load"}
    keys |= {"careful", "warning", "critical", "addr", "namespace", "cacert", "capath"}
    keys |= {"skip_verify", "rotation_period", "reveal_timeout", "clipboard_clear"}
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"docs/CONFIG.md does not document {missing}"


# ---------------------------------------------------------------------------- mistakes


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    assert problems(tmp_path, "[general]\nmax_concurrency = 5\nurl = \n") == [
        "3: TOML syntax error: Invalid value (column 7)"
    ]
    assert problems(tmp_path, '[[check]]\nname = "api\n') == [
        "2: TOML syntax error: Illegal character '\\n' (column 12)"
    ]
    assert problems(tmp_path, "[general]\n[general]\n") == [
        "2: TOML syntax error: Cannot declare ('general',) twice (column 9)"
    ]


def test_the_documented_message_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[check]]\nname = "a"\nurl = "http://a.example"\n\n'
        '[[check]]\nname = "b"\nurl = "http://b.example"\n\n'
        '[[check]]\nsection = "Services"\nurl = "ftp://files.example"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == [
        f'{path}:9: check[2]: missing "name"',
        f'{path}:11: check[2].url: scheme "ftp" is not supported (use http://, https:// or tcp://)',
    ]
    assert [(p.line, p.key) for p in info.value.problems] == [(9, "check[2]"), (11, "check[2].url")]


CASES = [
    # unknown keys, with and without a close match
    (
        "[general]\nmax_concurency = 5\n",
        '2: general.max_concurency: unknown key (did you mean "max_concurrency"?)',
    ),
    (
        "[retention]\nforever = true\n",
        "2: retention.forever: unknown key (known keys: raw, minute, hour)",
    ),
    ("[genral]\n", '1: genral: unknown key (did you mean "general"?)'),
    (
        '[[checks]]\nname = "a"\n',
        '1: checks: write each check as a [[check]] table (singular "check")',
    ),
    (
        '[[check]]\nname = "api"\nurl = "http://a.example"\nintervall = "5s"\n',
        '4: check "api".intervall: unknown key (did you mean "interval"?)',
    ),
    # wrong shapes and types
    (
        '[check]\nname = "api"\n',
        "1: check: write each check as its own [[check]] table (double brackets)",
    ),
    ("general = 5\n", "1: general: expected a [general] table, got the number 5"),
    (
        '[general]\nmax_concurrency = "50"\n',
        '2: general.max_concurrency: expected a whole number, got the text "50"',
    ),
    (
        "[general]\nmax_concurrency = 2.5\n",
        "2: general.max_concurrency: expected a whole number, got the number 2.5",
    ),
    (
        "[general]\nmax_concurrency = 0\n",
        "2: general.max_concurrency: must be between 1 and 1000, not 0",
    ),
    (
        '[general]\nuptime_target = "high"\n',
        '2: general.uptime_target: expected a number, got the text "high"',
    ),
    (
        "[general]\nuptime_target = 100.5\n",
        "2: general.uptime_target: must be at most 100, not 100.5",
    ),
    (
        "[general]\nuptime_target = nan\n",
        "2: general.uptime_target: must be a finite number, not nan",
    ),
    (
        '[general]\ncache = ""\n',
        "2: general.cache: must not be empty (leave the key out for the default)",
    ),
    ("[host]\nenabled = 1\n", "2: host.enabled: expected true or false, got the number 1"),
    (
        '[host]\nmounts = "/"\n',
        '2: host.mounts: expected a list of texts like ["a", "b"], got the text "/"',
    ),
    ('[host]\nmounts = ["/", 5]\n', "2: host.mounts[1]: expected text in quotes, got the number 5"),
    (
        '[host]\nmounts = [\n  "/",\n  "var",\n]\n',
        '4: host.mounts[1]: "var" is not an absolute path like "/var"',
    ),
    ("[host]\ncpu = 90\n", "2: host.cpu: expected a table like cpu = { ... }, got the number 90"),
    (
        "[host]\ncpu = { warning = 95 }\n",
        "2: host.cpu: levels must rise: careful (50) <= warning (95) <= critical (90)",
    ),
    (
        "[host.disk]\ncareful = 20\nwarning = 30\ncritical = 130\n",
        "4: host.disk.critical: must be at most 100, not 130",
    ),
    (
        "[host]\nload = { carefull = 1 }\n",
        '2: host.load.carefull: unknown key (did you mean "careful"?)',
    ),
    # durations
    (
        "[host]\ninterval = 15\n",
        '2: host.interval: expected a duration in quotes like "15s", got the number 15',
    ),
    (
        '[host]\ninterval = "15"\n',
        '2: host.interval: "15" has no unit (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)',
    ),
    (
        '[host]\ninterval = "fast"\n',
        '2: host.interval: "fast" is not a duration (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)',
    ),
    ('[host]\ninterval = "100ms"\n', "2: host.interval: must be between 1s and 1h, not 100ms"),
    ('[retention]\nraw = "30m"\n', "2: retention.raw: must be between 1h and 366d, not 30m"),
    (
        '[retention]\nraw = "3d"\nminute = "1d"\n',
        "3: retention.minute: minute rollups (1d) must be kept at least as long as raw samples (3d)",
    ),
    (
        '[retention]\nhour = "7d"\n',
        "2: retention.hour: hour rollups (7d) must be kept at least as long as minute rollups (14d)",
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\ninterval = "0s"\n',
        '4: check "a".interval: must be between 1s and 1d, not 0s',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\ntimeout = "30s"\n',
        '4: check "a".timeout: must be shorter than the interval (30s >= 30s), or polls would overlap',
    ),
    (
        '[[metric]]\nname = "m"\nquery = "up"\nprometheus_url = "http://p.example"\ninterval = "10s"\ntimeout = "1m"\n',
        '6: metric "m".timeout: must be shorter than the interval (1m >= 10s), or polls would overlap',
    ),
    # URLs
    (
        '[[check]]\nname = "a"\nurl = "ftp://files.example"\n',
        '3: check "a".url: scheme "ftp" is not supported (use http://, https:// or tcp://)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "api.example/health"\n',
        '3: check "a".url: "api.example/health" has no scheme (use http://, https:// or tcp://)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "tcp://10.0.0.5"\n',
        '3: check "a".url: tcp:// needs host:port, e.g. tcp://10.0.0.5:5432 (got "tcp://10.0.0.5")',
    ),
    (
        '[[check]]\nname = "a"\nurl = "tcp://10.0.0.5:5432/db"\n',
        '3: check "a".url: tcp:// takes only host:port, e.g. tcp://10.0.0.5:5432 (got "tcp://10.0.0.5:5432/db")',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example:99999/"\n',
        '3: check "a".url: "http://a.example:99999/" has a bad port (use a number from 1 to 65535)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http:///health"\n',
        '3: check "a".url: "http:///health" has no host',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a b.example"\n',
        '3: check "a".url: "http://a b.example" contains spaces',
    ),
    ('[[check]]\nname = "a"\n', '1: check "a": missing "url"'),
    (
        '[prometheus]\nurl = "tcp://prom.example:9090"\n',
        '2: prometheus.url: scheme "tcp" is not supported (use http:// or https://)',
    ),
    # checks
    ('[[check]]\nname = ""\nurl = "http://a.example"\n', "2: check[0].name: must not be empty"),
    (
        '[[check]]\nname = 5\nurl = "http://a.example"\n',
        "2: check[0].name: expected text in quotes, got the number 5",
    ),
    (
        '[[check]]\nname = "api\\u001b[2J"\nurl = "http://a.example"\n',
        "2: check[0].name: contains control characters or escape sequences",
    ),
    (
        f'[[check]]\nname = "{"x" * 81}"\nurl = "http://a.example"\n',
        "2: check[0].name: is 81 characters long; the limit is 80",
    ),
    (
        '[[check]]\nname = "api"\nurl = "http://a.example"\n[[check]]\nname = "api"\nurl = "http://b.example"\n',
        '5: check[1].name: duplicate name "api", already used by check[0]',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nsection = "Service"\n',
        '4: check "a".section: unknown section "Service" (did you mean "Services"? sections: Services, Databases, API, Email deliverability, Support, Host)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nsection = "Misc"\n',
        '4: check "a".section: unknown section "Misc" (sections: Services, Databases, API, Email deliverability, Support, Host)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nmethod = "FETCH"\n',
        '4: check "a".method: unknown method "FETCH" (use GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nheaders = { "X Bad" = "1" }\n',
        '4: check "a".headers: "X Bad" is not a valid header name',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nheaders = { X-Token = "a\\r\\nHost: evil" }\n',
        '4: check "a".headers.X-Token: contains control characters or line breaks',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nheaders = { X-Retries = 3 }\n',
        '4: check "a".headers.X-Retries: expected text in quotes, got the number 3',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nmax_body_bytes = 10\n',
        '4: check "a".max_body_bytes: must be between 1024 and 104857600, not 10',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nfailure_threshold = 0\n',
        '4: check "a".failure_threshold: must be between 1 and 100, not 0',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nverify_tls = "no"\n',
        '4: check "a".verify_tls: expected true or false, got the text "no"',
    ),
    (
        '[[check]]\nname = "pg"\nurl = "tcp://db.example:5432"\nmethod = "POST"\n',
        '4: check "pg".method: only applies to http:// and https:// checks',
    ),
    # conditions
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nconditions = [\n  "[STATUS] == 200",\n  "[STATU] == 200",\n]\n',
        '6: check "a".conditions[1]: "[STATU] == 200": unknown placeholder [STATU] (did you mean [STATUS]?)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nconditions = ["[STATUS] = 200"]\n',
        '4: check "a".conditions[0]: "[STATUS] = 200": use == to compare (a single = is not an operator)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nconditions = []\n',
        '4: check "a".conditions: is empty; leave it out for the default ([STATUS] == 200)',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nconditions = "[STATUS] == 200"\n',
        '4: check "a".conditions: expected a list of texts like ["a", "b"], got the text "[STATUS] == 200"',
    ),
    (
        '[[check]]\nname = "pg"\nurl = "tcp://db.example:5432"\nconditions = ["[STATUS] == 200"]\n',
        '4: check "pg".conditions[0]: [STATUS] is not known for tcp:// checks (use [CONNECTED], [RESPONSE_TIME] or [IP])',
    ),
    (
        '[[check]]\nname = "a"\nurl = "http://a.example"\nconditions = ["[CERTIFICATE_EXPIRATION] > 72h"]\n',
        '4: check "a".conditions[0]: [CERTIFICATE_EXPIRATION] needs an https:// URL',
    ),
    # metrics
    (
        '[[metric]]\nname = "m"\nunit = "ms"\n',
        '1: metric "m": needs one source: query = "<PromQL>" (Prometheus), scrape = "<URL of /metrics>" with series = "<name{label=...}>", or json = "<URL>" with field = "<path>"',
    ),
    (
        '[[metric]]\nname = "m"\nquery = "up"\njson = "http://x.example"\nfield = "a"\n',
        '4: metric "m".json: a metric has one source; this one has query, json',
    ),
    (
        '[[metric]]\nname = "m"\nquery = "up"\n',
        '3: metric "m".query: needs a Prometheus: set url in [prometheus], or prometheus_url here',
    ),
    (
        '[[metric]]\nname = "m"\nscrape = "http://x.example/metrics"\n',
        '1: metric "m": scrape needs series = "name{label="value"}"',
    ),
    (
        '[[metric]]\nname = "m"\njson = "http://x.example/stats"\n',
        '1: metric "m": json needs field = "path.to.number"',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nseries = "up"\n',
        '6: metric "m".series: goes with scrape = ..., which this metric does not have',
    ),
    (
        '[[metric]]\nname = "m"\nscrape = "http://x.example/metrics"\nseries = "q{queue=outbound}"\n',
        '4: metric "m".series: labels in \'q{queue=outbound}\' must read label="value", ...',
    ),
    (
        '[[metric]]\nname = "m"\njson = "http://x.example/stats"\nfield = "a..b"\n',
        '4: metric "m".field: "a..b" is not a dotted path like email.delivery_rate',
    ),
    (
        '[[metric]]\nname = "m"\njson = "tcp://x.example:80"\nfield = "a"\n',
        '3: metric "m".json: scheme "tcp" is not supported (use http:// or https://)',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nscale = 0\n',
        '6: metric "m".scale: must not be 0 (every value would read 0)',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nwarn = 800\ncrit = 300\n',
        '6: metric "m".warn: warn (800) is above crit (300), but with direction "above" (higher is worse) warn must not exceed crit; for "lower is worse" set direction = "below"',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nwarn = 95\ncrit = 97\ndirection = "below"\n',
        '6: metric "m".warn: warn (95) is below crit (97), but with direction "below" (lower is worse) warn must not be under crit',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\ndirection = "down"\n',
        '6: metric "m".direction: must be "above" (higher is worse) or "below" (lower is worse), not "down"',
    ),
    (
        '[prometheus]\nurl = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nwarn = "300"\n',
        '6: metric "m".warn: expected a number, got the text "300"',
    ),
    (
        '[[metric]]\nname = "m"\nquery = "up"\nprometheus_url = "http://p.example"\n[[metric]]\nname = "m"\nquery = "up"\nprometheus_url = "http://p.example"\n',
        '6: metric[1].name: duplicate name "m", already used by metric[0]',
    ),
    # vault
    # (a token in [vault]: tests/unit/test_vault_config.py, with the file's mode set)
    (
        '[vault]\naddr = "vault.example:8200"\n',
        '2: vault.addr: "vault.example:8200" has no scheme (use http:// or https://)',
    ),
    (
        '[vault]\nskip_verify = "yes"\n',
        '2: vault.skip_verify: expected true or false, got the text "yes"',
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_mistake_is_reported_with_line_key_and_words(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert problems(tmp_path, text) == [expected]


def test_all_problems_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        "[general]\n"  # 1
        "max_concurrency = 0\n"  # 2
        "[[check]]\n"  # 3
        'name = "api"\n'  # 4
        'url = "ftp://x.example"\n'  # 5
        'conditions = ["[BODY].status = ok"]\n'  # 6
        "[[metric]]\n"  # 7
        'name = "q"\n'  # 8
        "warn = 10\n"  # 9
        "crit = 5\n"  # 10
        "[host]\n"  # 11
        'interval = "soon"\n'  # 12
        "[vault]\n"  # 13
        'token = "s.x"\n'  # 14
    )
    got = problems(tmp_path, text)
    assert [line.split(":", 1)[0] for line in got] == ["2", "5", "6", "7", "9", "12", "14"]
    assert got[3].startswith('7: metric "q": needs one source')


def test_messages_never_echo_control_characters(tmp_path: Path) -> None:
    text = (
        '[[check]]\nname = "ok"\nurl = "http://a.example"\n'
        'section = "\\u001b]52;c;cm0=\\u0007Services"\n'
        'conditions = ["[\\u001b[31mSTATUS] == 200"]\n'
    )
    got = "\n".join(problems(tmp_path, text))
    assert "\x1b" not in got and "\x07" not in got
    assert 'check "ok".section: contains control characters or escape sequences' in got


def test_parse_config_without_a_file_says_config() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("[general]\nmax_concurrency = -1\n")
    assert str(info.value) == (
        "<config>:2: general.max_concurrency: must be between 1 and 1000, not -1"
    )


def test_vault_section_maps(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[vault]\naddr = "https://vault.example:8200"\nnamespace = "ops"\n'
            'cacert = "ca.pem"\nskip_verify = true\n',
        )
    )
    assert config.vault.addr == "https://vault.example:8200"
    assert config.vault.namespace == "ops"
    assert config.vault.cacert == tmp_path / "ca.pem"
    assert config.vault.capath is None
    assert config.vault.skip_verify is True


def test_url_with_a_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[check]]\nname = "api"\nurl = "https://ops:hunter2@api.example/health"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "password" in str(err.value) and "hunter2" not in str(err.value)
