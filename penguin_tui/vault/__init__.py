"""The secret browser's core: HashiCorp Vault KV through hvac, read-only, masked, audited.

No Textual here, and nothing heavy at import time: hvac (and requests) are imported by the
first request. This package never writes to Vault. API summary for the secrets screen:

Connecting (``settings``, ``client``, ``session``)
    ``VaultSession.from_config(config.vault, store=store, clock=...)`` resolves the settings
    (``[vault]`` keys win over ``VAULT_*``; token from VAULT_TOKEN or ~/.vault-token) and raises
    ``VaultSettingsError`` (exit 2, one line naming the variable or key) when unusable. Its
    async methods run hvac on worker threads, never on the event loop:

    - ``await s.status()`` -> ``VaultStatus``: ``.line(now)`` for the status line,
      ``.all_warnings(now)`` (skip_verify is permanent; a token expiring within 15 minutes),
      ``.problems`` (unreachable, sealed, bad token), ``.health.state`` / ``.token``. Never raises.
    - ``await s.load_mounts()`` -> ``MountList`` (``.mounts``, ``.note`` when it came from the
      ui/mounts fallback) and a fresh ``s.tree`` (``SecretTree``) with one root ``Node`` per mount.
    - ``await s.expand(node)`` lists a folder into the tree and returns it; a 403 is
      ``node.state is FolderState.FORBIDDEN`` with ``node.message`` ("may not list ...; use go
      to path ..."), not an exception.
    - ``s.tree.filter(text)`` -> nodes loaded so far whose path holds every word (sync, fast).
    - ``await s.goto(text)`` -> ``Node`` (adds it to the tree); ``PathError`` for text that is
      not a path in a KV mount, ``VaultNotFound`` / ``VaultForbidden`` for a secret that is not
      there or not readable.
    - ``await s.open(mount, path, version=None)`` -> ``OpenedSecret(secret, metadata, rotation)``
      (metadata and rotation are None for KV v1 or when the token may not read metadata).
    - ``await s.diff(mount, path, old, new)`` -> ``SecretDiff`` (rows: key, ``Change``,
      ``old_text(revealed)``, ``new_text(revealed)``; ``summary()``; ``notes`` for gone versions).
    - ``s.reveal(secret, key)`` / ``s.copy_text(secret, key)`` write the audit record first and
      return the display text (escaped, may hold newlines: render as ``rich.text.Text``, never
      markup) / the exact value for OSC 52. ``CacheError`` when there is no cache: then refuse.
    - ``s.store.vault_audit(since, limit)`` -> ``VaultAccess`` records for the audit view.
    - ``s.close()`` when the screen goes away.

Showing a secret (``secret``, ``metadata``, ``rotation``, ``escape``)
    ``Secret``: ``entries`` (``SecretEntry``: ``key``, ``label`` escaped, ``value``), ``version``,
    ``state`` ("live", "deleted", "destroyed"; ``gone``: nothing to show), ``json_view(revealed
    keys)``. ``SecretValue`` shows ``MASK`` (fixed width) in every string form; ``kind`` says
    text/binary/number/bool/null/json. ``SecretMetadata``: created/updated (epoch s), current
    and oldest version, max_versions, cas_required, delete_version_after_s,
    ``custom_labels()`` (escaped), ``versions`` newest first with ``state``. ``Rotation``:
    ``age_s``, ``period_s``, ``period_source``, ``overdue``, ``label()``, ``problem`` (a bad
    ``rotation_period`` in the custom metadata). Any other Vault text: ``escape.shown(text)``.
    Timers come from the config: ``reveal_timeout_s`` (30 s) and ``clipboard_clear_s`` (45 s).

Errors (``client``)
    ``VaultError`` (exit 3) and its kinds: ``VaultUnreachable`` (``VaultTLSError``),
    ``VaultSealed``, ``VaultForbidden``, ``VaultNotFound``, ``VaultRateLimited``,
    ``VaultBadAnswer``. Messages are one line, safe to show and log: built from the status and
    Vault's ``errors`` only, never a response body, and never chained to hvac's exception.

Without a screen: ``penguin-tui secrets audit`` (``audit_cli``, ``walk``).
"""
