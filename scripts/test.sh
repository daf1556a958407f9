#!/usr/bin/env bash
# The whole test suite, set-up included: `bash scripts/test.sh` on a fresh Debian with python3.
# Lint (ruff) first, then every test (unit, integration against real servers, UI), two workers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
ensure_venv test
ensure_servers
cd "$ROOT"
say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "pytest"
# Snapshot tests need deterministic frames: no animations.
export TEXTUAL_ANIMATIONS=none
exec "$VENV/bin/python" -m pytest -n "${PENGUIN_TEST_WORKERS:-2}" "$@"
