"""A test double of HashiCorp Vault's HTTP API, for the secret browser's tests and the demo.

No Vault binary can be installed where penguin-tui is built and demonstrated, so this package
serves the parts of Vault's API the browser uses (KV v1 and v2, sys/health, sys/mounts,
sys/internal/ui/mounts, sys/capabilities-self, auth/token/lookup-self, tokens with policies,
namespaces, seal and rate limiting) exactly as Vault answers them, over real HTTP on
127.0.0.1. It is not a Vault: memory only, no encryption, no real authentication.

``running_vault()`` (runner) serves one from a background thread; ``python -m
penguin_tui.vaultdouble`` serves one from the command line.
"""
