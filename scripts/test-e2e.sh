#!/usr/bin/env bash
# Browser tests: build the app, start the gateway on the test port, run Playwright against
# it with Debian's Chromium, and always stop the gateway afterwards. Expects
# `. scripts/test-env.sh` to have been sourced (scripts/test.sh does), so DATABASE_URL
# names the throw-away test database (migrated by the `db` tier, or `node scripts/db.ts
# reset`) and PUBLIC_URL the test gateway's origin.
# Extra arguments go to `playwright test` (e.g. --project=chromium-no-js, -g "second person").
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?source scripts/test-env.sh first}"
: "${TEST_GATEWAY_PORT:?source scripts/test-env.sh first}"
: "${PUBLIC_URL:?source scripts/test-env.sh first}"
# Never fetch a browser: the config points Playwright at Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "test-e2e: no Chromium at $chromium (scripts/bootstrap.sh installs Debian's chromium)" >&2
  exit 1
fi
if [ ! -f gateway/src/main.ts ]; then
  echo "test-e2e: gateway/src/main.ts is missing" >&2
  exit 1
fi

mkdir -p artifacts/screenshots artifacts/logs
gateway_log=artifacts/logs/e2e-gateway.log

echo "test-e2e: building the app"
# NODE_ENV=production for the build only: test-env.sh exports NODE_ENV=test, under which
# Svelte compiles in dev mode (runtime checks, source locations; ~8% more JavaScript), so
# the browser tests and the budgets would not see the build that ships.
NODE_ENV=production npm run --silent build --workspace app >artifacts/logs/e2e-build.log 2>&1 || {
  cat artifacts/logs/e2e-build.log >&2
  exit 1
}
gateway_pid=
capture_pid=
worker_pid=
oidc_pid=
stop_one() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
stop_all() {
  stop_one "$gateway_pid"
  stop_one "$worker_pid"
  stop_one "$capture_pid"
  stop_one "$oidc_pid"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Emails: a capture SMTP server of this run's own (ports derived from the gateway's, so
# parallel checkouts with their own TEST_GATEWAY_PORT do not clash) and a real worker that
# sends the identity emails (auth__mail) to it. Specs read them with tests/e2e/support/mail.ts.
# The worker runs auth__mail only: other specs assume a queue nobody drains.
export E2E_SMTP_PORT=${E2E_SMTP_PORT:-$((TEST_GATEWAY_PORT + 1000))}
export E2E_MAIL_HTTP_PORT=${E2E_MAIL_HTTP_PORT:-$((TEST_GATEWAY_PORT + 2000))}
export SMTP_URL="smtp://127.0.0.1:$E2E_SMTP_PORT"
MAIL_CAPTURE_PORT=$E2E_MAIL_HTTP_PORT node scripts/mail-capture.ts >artifacts/logs/e2e-mail-capture.log 2>&1 &
capture_pid=$!
WORKER_TASKS=auth__mail node workers/src/main.ts >artifacts/logs/e2e-worker.log 2>&1 &
worker_pid=$!

# A real OpenID Provider for "Continue with …" (tests/e2e/oauth.spec.ts), on a free port;
# the gateway reads its discovery document at start, so it must be up first.
oidc_env=artifacts/logs/e2e-oidc.env
rm -f "$oidc_env"
node scripts/oidc-dev-provider.ts --port 0 --write-env "$oidc_env" --exit-with-parent >artifacts/logs/e2e-oidc.log 2>&1 &
oidc_pid=$!
for _ in $(seq 1 100); do [ -s "$oidc_env" ] && break; sleep 0.1; done
[ -s "$oidc_env" ] || { echo "test-e2e: the OpenID Provider did not start:" >&2; cat artifacts/logs/e2e-oidc.log >&2; exit 1; }
set -a
# shellcheck disable=SC1090
. "$oidc_env"
set +a

PORT=$TEST_GATEWAY_PORT LOG_LEVEL=${E2E_LOG_LEVEL:-info} node gateway/src/main.ts >"$gateway_log" 2>&1 &
gateway_pid=$!

health="http://127.0.0.1:$TEST_GATEWAY_PORT/healthz"
for _ in $(seq 1 150); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$health"; then
    break
  fi
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    echo "test-e2e: the gateway exited before it was healthy; its log:" >&2
    cat "$gateway_log" >&2
    exit 1
  fi
  sleep 0.2
done
mail_api="http://127.0.0.1:$E2E_MAIL_HTTP_PORT/api/messages"
if ! kill -0 "$capture_pid" 2>/dev/null || ! node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$mail_api"; then
  echo "test-e2e: the mail capture server is not answering at $mail_api; its log:" >&2
  cat artifacts/logs/e2e-mail-capture.log >&2
  exit 1
fi
if ! kill -0 "$worker_pid" 2>/dev/null; then
  echo "test-e2e: the worker exited; its log:" >&2
  cat artifacts/logs/e2e-worker.log >&2
  exit 1
fi
if ! node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$health"; then
  echo "test-e2e: the gateway did not become healthy at $health; its log:" >&2
  cat "$gateway_log" >&2
  exit 1
fi

status=0
npx playwright test "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "test-e2e: failed; gateway log in $gateway_log, screenshots in artifacts/screenshots, traces in test-results/" >&2
fi
# The performance budgets (JS size, Lighthouse) on the same build and gateway: on a full
# run (no arguments), or when BUDGETS=1. A broken budget fails the run.
if [ "$status" -eq 0 ] && { [ $# -eq 0 ] || [ "${BUDGETS:-0}" = 1 ]; }; then
  echo "test-e2e: checking performance budgets"
  node scripts/check-budgets.ts || status=$?
fi
exit "$status"
