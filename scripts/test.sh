#!/usr/bin/env bash
# `npm test`: bootstrap, a fresh throw-away database, then every tier. Stops at the first
# failing tier and exits non-zero. TEST_TIERS="sql node" runs a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/bootstrap.sh
[ -z "${DATABASE_URL:-}" ] && bash scripts/pg.sh start
# shellcheck source=scripts/test-env.sh
. scripts/test-env.sh
node -e 'console.log(`test: node ${process.version}, database ${new URL(process.env.DATABASE_URL).pathname.slice(1)}`)'

tiers=${TEST_TIERS:-"lint typecheck db sql node e2e"}
passed=0
failed=0
run_tier() {
  local name=$1
  shift
  echo
  echo "=== tier: $name ==="
  local t0
  t0=$(date +%s)
  if "$@"; then
    passed=$((passed + 1))
    echo "=== tier $name passed in $(($(date +%s) - t0))s ==="
  else
    failed=$((failed + 1))
    echo "=== tier $name FAILED ==="
    echo "tiers: $passed passed, $failed failed"
    exit 1
  fi
}

for tier in $tiers; do
  case $tier in
    lint) run_tier lint npm run --silent lint ;;
    typecheck) run_tier typecheck npm run --silent typecheck ;;
    db) run_tier db node scripts/db.ts reset ;;
    sql) run_tier sql bash scripts/test-sql.sh ;;
    node) run_tier node node --test --test-concurrency=1 --test-reporter=spec 'tests/**/*.test.ts' 'lib/**/*.test.ts' ;;
    e2e) run_tier e2e bash scripts/test-e2e.sh ;;
    *) echo "unknown tier $tier" >&2; exit 2 ;;
  esac
done
echo
echo "all tiers green in $(($(date +%s) - started))s"
echo "tiers: $passed passed, $failed failed"
