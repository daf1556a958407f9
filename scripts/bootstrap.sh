#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: a virtualenv in .venv with penguin-tui
# installed (editable) and, for tests, the Debian servers the integration tests run for real.
# Idempotent: a second run only checks. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

apt_install() {
  # Installs Debian packages when we can (root, apt present); otherwise says exactly what to run.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: $*"
    if [ ! -f /var/lib/apt/periodic/update-success-stamp ] && [ -z "${PENGUIN_APT_UPDATED:-}" ]; then
      apt-get update -qq >&2 || die "apt-get update failed"
      export PENGUIN_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 \
      || die "apt-get install $* failed"
  else
    die "missing: $*. Install with: sudo apt-get install $*"
  fi
}

ensure_python() {
  command -v "$PY" >/dev/null || die "python3 not found (apt-get install python3)"
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "penguin-tui needs Python >= 3.11 (found $("$PY" --version))"
  if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
}

ensure_venv() {
  # $1: pip extras to install ("" or "test"). Reinstalls when pyproject.toml changed.
  local extras="${1:-}" spec="$ROOT" stamp
  ensure_python
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PY" -m venv "$VENV"; }
  [ -n "$extras" ] && spec="$ROOT[$extras]"
  stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    say "installing penguin-tui ${extras:+with [$extras] }into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$spec" >&2
    touch "$stamp"
  fi
}

ensure_servers() {
  # The integration tests start the real Prometheus and Alertmanager from Debian's packages.
  local missing=()
  command -v prometheus >/dev/null || [ -x /usr/bin/prometheus ] || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null || [ -x /usr/bin/prometheus-alertmanager ] \
    || missing+=(prometheus-alertmanager)
  command -v tmux >/dev/null || missing+=(tmux)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}
