"""The live alert stream: Alertmanager alerts and penguin-tui's own rules.

- ``model``: the nouns (Alert, Silence, Severity, AlertState, ...), no I/O;
- ``matchers``: Alertmanager matcher syntax, parsed and evaluated;
- ``fingerprint``: Alertmanager's label-set fingerprint, so local alerts pushed to
  Alertmanager come back with the same identity;
- ``am_client`` / ``am_parse``: Alertmanager's API v2 over httpx, hostile input tolerated;
- ``rules``: local rules evaluated by the recorder;
- ``book``: folding polls into the cache's alert history;
- ``view``: the alerts screen's read model.
"""
