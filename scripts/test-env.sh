#!/usr/bin/env bash
# Sourced by the test scripts: the environment of a throw-away test database. The test
# database lives beside the development one (same cluster, or your DATABASE_URL's
# server) and is dropped and recreated on every `npm test`.
set -a
# shellcheck disable=SC1091
[ -f .env ] && . ./.env
set +a
export NODE_ENV=test
export LOG_LEVEL="${TEST_LOG_LEVEL:-warn}"
if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="postgres://postgres:${POSTGRES_PASSWORD}@127.0.0.1:${PGPORT:-54322}/taskmaster_test"
  export TASKMASTER_LOCAL_DB=1
else
  # Same server, a database of its own: never the one DATABASE_URL names.
  DATABASE_URL=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/taskmaster_test"; console.log(u.toString())' "$DATABASE_URL")
  export DATABASE_URL
fi
# The whole suite shares one client IP (127.0.0.1) and reuses users: production rate
# limits would refuse it. tests/api/gateway-rate-limit.test.ts tests the limits with
# gateways configured for that.
export RATE_LIMIT_ANON_PER_MINUTE="${RATE_LIMIT_ANON_PER_MINUTE:-1000000}"
export RATE_LIMIT_USER_PER_MINUTE="${RATE_LIMIT_USER_PER_MINUTE:-1000000}"
export RATE_LIMIT_API_KEY_PER_MINUTE="${RATE_LIMIT_API_KEY_PER_MINUTE:-1000000}"
# Identity abuse protection (per IP, per account, delays and lockout): the suite reuses
# accounts and one IP; tests/integration/auth-abuse.test.ts starts auth with low limits.
export AUTH_RATE_LIMIT_IP="${AUTH_RATE_LIMIT_IP:-1000000}"
export AUTH_RATE_LIMIT_ACCOUNT="${AUTH_RATE_LIMIT_ACCOUNT:-1000000}"
export AUTH_DELAY_AFTER_FAILURES="${AUTH_DELAY_AFTER_FAILURES:-1000}"
export AUTH_LOCKOUT_THRESHOLD="${AUTH_LOCKOUT_THRESHOLD:-1000}"
export TEST_GATEWAY_PORT="${TEST_GATEWAY_PORT:-54331}"
export PUBLIC_URL="http://localhost:${TEST_GATEWAY_PORT}"
export PATH="$PWD/node_modules/.bin:$PATH"
