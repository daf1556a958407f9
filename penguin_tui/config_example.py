"""The example config printed by ``penguin-tui config example`` and shown in docs/CONFIG.md.

A test keeps the two identical and checks that this example validates.
"""

from __future__ import annotations

EXAMPLE_CONFIG = """\
# penguin-tui configuration for the PenguinMails platform.
#
# Save as ~/.config/penguin-tui/config.toml (or point --config / PENGUIN_TUI_CONFIG at it),
# then run `penguin-tui config validate`. Every key is described in docs/CONFIG.md.
# Durations are written with a unit: "250ms", "30s", "5m", "1h30m", "14d", "2w".

[general]
# cache = "/var/lib/penguin-tui/cache.db"   # default: $XDG_DATA_HOME/penguin-tui/cache.db
# log_file = "/var/log/penguin-tui/daemon.log"   # the daemon also logs here (always stderr)
max_concurrency = 50      # polls in flight at once
uptime_target = 99.9      # percent; the health screen shows uptime against it

[retention]
raw = "48h"               # every sample
minute = "14d"            # per-minute min/max/avg/count
hour = "400d"             # per-hour min/max/avg/count

[prometheus]
url = "http://prometheus.penguinmails.example:9090"

[host]
# The bastion itself, through psutil. Levels are glances' defaults: careful is informational,
# warning turns the item WARN, critical turns it CRIT.
enabled = true
interval = "15s"
cpu = { careful = 50, warning = 70, critical = 90 }       # percent
memory = { careful = 50, warning = 70, critical = 90 }    # percent
swap = { careful = 50, warning = 70, critical = 90 }      # percent
disk = { careful = 50, warning = 70, critical = 90 }      # percent, per mount
load = { careful = 0.7, warning = 1.0, critical = 5.0 }   # load average per core
mounts = ["/", "/var"]    # leave out to watch every real filesystem
network = true            # receive/transmit rates, informational

# ---------------------------------------------------------------------------- services

[[check]]
name = "api"
section = "Services"
url = "https://api.penguinmails.example/health"
conditions = [
  "[STATUS] == 200",
  "[RESPONSE_TIME] < 300",
  "[BODY].status == ok",
  "[CERTIFICATE_EXPIRATION] > 72h",
]
interval = "30s"
timeout = "5s"
failure_threshold = 2     # two failed probes in a row before it turns CRIT
success_threshold = 1

[[check]]
name = "smtp-relay"
section = "Email deliverability"
url = "http://smtp-relay.penguinmails.example:8025/healthz"
conditions = ["[STATUS] == 200", "[RESPONSE_TIME] < 500", "[BODY].queue.accepting == true"]

[[check]]
name = "bounce-processor"
section = "Email deliverability"
url = "http://bounce.penguinmails.example:8080/healthz"
conditions = ["[STATUS] == any(200, 204)"]

[[check]]
name = "webhook-dispatcher"
section = "Services"
url = "http://webhooks.penguinmails.example:8080/healthz"
method = "GET"
headers = { Accept = "application/json" }
conditions = ["[STATUS] == 200", "[BODY].workers.alive > 0"]
max_body_bytes = 65536

[[check]]
name = "smtp"
section = "Email deliverability"
url = "tcp://mx1.penguinmails.example:25"
conditions = ["[CONNECTED] == true", "[RESPONSE_TIME] < 1000"]

# ---------------------------------------------------------------------------- databases

[[check]]
name = "postgres"
section = "Databases"
url = "tcp://10.0.0.5:5432"
interval = "15s"

[[check]]
name = "redis"
section = "Databases"
url = "tcp://10.0.0.6:6379"
interval = "15s"

# ---------------------------------------------------------------------------- metrics
# Each metric has exactly one source: query (PromQL via [prometheus] url), scrape + series
# (a text-format /metrics endpoint) or json + field (a number in a JSON response).
# Long PromQL reads best in a multi-line literal string (''' ... ''').

[[metric]]
name = "api_p95_latency"
title = "API p95 latency"
section = "API"
unit = "ms"
query = '''
histogram_quantile(0.95,
  sum by (le) (rate(penguinmails_api_request_duration_seconds_bucket[5m])))'''
scale = 1000              # seconds -> ms
warn = 300
crit = 800
interval = "30s"

[[metric]]
name = "api_error_rate"
title = "API error rate"
section = "API"
unit = "%"
query = '''
  sum(rate(penguinmails_api_errors_total[5m]))
/ sum(rate(penguinmails_api_requests_total[5m]))'''
scale = 100
warn = 1
crit = 5

[[metric]]
name = "db_connect_time"
title = "Database connection time"
section = "Databases"
unit = "ms"
query = 'max(penguinmails_db_connect_seconds)'
scale = 1000
warn = 50
crit = 250

[[metric]]
name = "delivery_rate"
title = "Email delivery rate"
section = "Email deliverability"
unit = "%"
query = '''
  sum(increase(penguinmails_emails_delivered_total[1h]))
/ sum(increase(penguinmails_emails_sent_total[1h]))'''
scale = 100
warn = 97
crit = 95
direction = "below"       # lower is worse

[[metric]]
name = "bounce_rate"
title = "Bounce rate"
section = "Email deliverability"
unit = "%"
query = '''
  sum(increase(penguinmails_emails_bounced_total[1h]))
/ sum(increase(penguinmails_emails_sent_total[1h]))'''
scale = 100
warn = 2
crit = 5

[[metric]]
name = "complaint_rate"
title = "Spam-complaint rate"
section = "Email deliverability"
unit = "%"
query = '''
  sum(increase(penguinmails_complaints_total[1h]))
/ sum(increase(penguinmails_emails_delivered_total[1h]))'''
scale = 100
warn = 0.08
crit = 0.3

[[metric]]
name = "queue_depth"
title = "Send queue depth"
section = "Email deliverability"
unit = "messages"
scrape = "http://smtp-relay.penguinmails.example:9100/metrics"
series = 'penguinmails_queue_depth{queue="outbound"}'
warn = 5000
crit = 20000
interval = "15s"

[[metric]]
name = "logins_per_hour"
title = "Logins per hour"
section = "API"
unit = "/h"
scrape = "http://api.penguinmails.example:9100/metrics"
series = "penguinmails_logins_total"
rate = true               # a counter: per-second increase between polls ...
scale = 3600              # ... times 3600 = per hour
warn = 50
crit = 5
direction = "below"       # few logins mean people cannot get in
interval = "1m"

[[metric]]
name = "open_tickets"
title = "Open support tickets"
section = "Support"
unit = "tickets"
json = "https://support.penguinmails.example/api/stats"
field = "tickets.open"
warn = 25
crit = 60
interval = "5m"
timeout = "10s"

# ---------------------------------------------------------------------------- alerts
# Alertmanager: list every member of an HA cluster; their alerts are merged by fingerprint.
# Credentials never go in this file: a password or bearer token is read from a file or from
# an environment variable.

[alertmanager]
urls = [
  "https://alertmanager-1.penguinmails.example:9093",
  "https://alertmanager-2.penguinmails.example:9093",
]
username = "penguin-tui"
password_env = "PENGUIN_TUI_AM_PASSWORD"   # or password_file = "/etc/penguin-tui/am.password"
# bearer_token_file = "/etc/penguin-tui/am.token"   # instead of username and password
# ca_file = "/etc/ssl/certs/penguinmails-ca.pem"
interval = "10s"          # how often alerts and silences are read
timeout = "5s"
push_local = true         # also send the [[rule]] alerts below to Alertmanager

[alerts]
ack_duration = "15m"      # an ack is a silence this long ("ACK by <you>")
# author = "alice"        # who silences are from; default: your login name
bell = true               # ring the terminal bell on a new Critical alert
notify = true             # and show a notification
group_by = "alertname"    # default grouping on the alerts screen
resolved_keep = "1h"      # resolved alerts stay listed (toggle) this long
history = "30d"           # alert history kept in the cache

# Local rules, evaluated by the recorder over what it records; their alerts appear in the
# same stream, marked local. item is a check or metric name, or "*" (state and stale rules)
# for every item.

[[rule]]
name = "HighBounceRate"
kind = "threshold"
item = "bounce_rate"
above = 5                 # percent, as the metric reads
for = "10m"
severity = "critical"
labels = { team = "deliverability" }
summary = "{name} is {value}, above {threshold} for {for}"
runbook_url = "https://wiki.penguinmails.example/runbooks/bounce-rate"

[[rule]]
name = "LowDeliveryRate"
kind = "threshold"
item = "delivery_rate"
below = 95
for = "15m"
severity = "warning"
labels = { team = "deliverability" }

[[rule]]
name = "ServiceDown"
kind = "state"
item = "*"
status = "CRIT"
for = "2m"
severity = "critical"
summary = "{name} has been {status} for {for}"
description = "penguin-tui sees {name} ({item}) as {status}; the health screen says why."

[[rule]]
name = "NoData"
kind = "stale"
item = "*"
intervals = 5             # no data for 5 of the item's poll intervals
severity = "warning"

# ---------------------------------------------------------------------------- incidents
# How often the incident commander owes stakeholders an update, by the incident's severity;
# the incidents screen counts down to the next one and warns when it is overdue.

[incidents]
update_cadence = { critical = "30m", high = "1h", medium = "4h", low = "4h" }

# ---------------------------------------------------------------------------- vault
# Where the secret browser finds Vault. Keys set here win over VAULT_ADDR and friends; the
# token comes from VAULT_TOKEN or ~/.vault-token and never from this file.

[vault]
addr = "https://vault.penguinmails.example:8200"
# namespace = "penguinmails"
# cacert = "/etc/ssl/certs/penguinmails-ca.pem"
rotation_period = "90d"   # secrets not updated for longer are flagged (per secret: custom
                          # metadata rotation_period = "30d")
"""
