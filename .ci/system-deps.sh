#!/usr/bin/env bash
# System packages the test tiers use for real: a PostgreSQL server, Chromium (headless) and a
# Redis server (the Celery broker of the scale-out test).
# Installs them with apt-get when missing and we are root; otherwise says what is missing.
set -euo pipefail
missing=()
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages for the tests: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})" >&2
  exit 1
fi
