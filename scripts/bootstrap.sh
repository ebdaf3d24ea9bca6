#!/usr/bin/env bash
# Installs whatever this machine lacks to run TaskMaster: Debian packages for the
# PostgreSQL extensions and browser tests, npm dependencies (which bring the pinned
# Node 24), and a .env with freshly generated secrets. Quick when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql-15 postgresql-client-15
  postgresql-15-partman postgresql-15-cron postgresql-15-pgaudit postgresql-15-pgtap
  libtap-parser-sourcehandler-pgtap-perl postgresql-15-wal2json postgresql-15-repack
  postgresql-15-hypopg
  wrk # npm run bench:api's load generator (C: leaves the cores to what it measures)
)
[ "${TASKMASTER_BROWSER:-1}" = 1 ] && APT_PACKAGES+=(chromium fonts-dejavu-core)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  }
fi

# npm dependencies: reinstall when the lockfile changed since the last install.
stamp=node_modules/.taskmaster-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# .env: copied from .env.example on first run, each <generated> replaced by a secret.
if [ ! -f .env ]; then
  echo "bootstrap: writing .env with generated secrets"
  umask 077
  while IFS= read -r line; do
    if [[ "$line" == *"<generated>"* ]]; then
      line=${line//<generated>/$(openssl rand -hex 32)}
    fi
    printf '%s\n' "$line"
  done <.env.example >.env
fi
