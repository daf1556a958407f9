#!/usr/bin/env bash
# The console on a simulated PenguinMails platform, set-up included:
# `bash scripts/demo.sh` on a fresh Debian with python3. Extra arguments go to `penguin-tui demo`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
ensure_venv ""
exec "$VENV/bin/penguin-tui" demo "$@"
