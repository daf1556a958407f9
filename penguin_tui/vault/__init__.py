"""The secret browser's core: HashiCorp Vault KV through hvac, read-only, masked, audited.

No Textual here (the screen builds on this package); see the API summary below once written.
"""
