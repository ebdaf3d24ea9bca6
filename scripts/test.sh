#!/usr/bin/env bash
# `npm test`: bootstrap, a fresh throw-away database, then every tier. Stops at the first
# failing tier and exits non-zero. TEST_TIERS="sql node" runs a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/bootstrap.sh
# A cluster this run had to start is stopped again at the end, so the port is free for
# the next checkout (CI clones afresh on the same machine).
started_cluster=0
if [ -z "${DATABASE_URL:-}" ]; then
  bash scripts/pg.sh status >/dev/null 2>&1 || started_cluster=1
  bash scripts/pg.sh start
fi
# shellcheck source=scripts/test-env.sh
. scripts/test-env.sh
node -e 'console.log(`test: node ${process.version}, database ${new URL(process.env.DATABASE_URL).pathname.slice(1)}`)'

tiers=${TEST_TIERS:-"lint typecheck db sql node e2e"}
passed=0
tests_passed=0
tests_failed=0
out=$(mktemp)
cleanup() {
  rm -f "$out"
  if [ "$started_cluster" = 1 ]; then bash scripts/pg.sh stop; fi
}
trap cleanup EXIT

# Adds up what each runner says it ran (pg_prove, node --test, Playwright).
count_tests() {
  local n
  n=$(grep -Eo 'Files=[0-9]+, Tests=[0-9]+' "$out" | grep -Eo '[0-9]+$' | tail -1) && tests_passed=$((tests_passed + n))
  n=$(grep -Eo '^ℹ pass [0-9]+' "$out" | grep -Eo '[0-9]+' | tail -1) && tests_passed=$((tests_passed + n))
  n=$(grep -Eo '^ℹ fail [0-9]+' "$out" | grep -Eo '[0-9]+' | tail -1) && tests_failed=$((tests_failed + n))
  n=$(grep -Eo '^ +[0-9]+ passed' "$out" | grep -Eo '[0-9]+' | tail -1) && tests_passed=$((tests_passed + n))
  n=$(grep -Eo '^ +[0-9]+ failed' "$out" | grep -Eo '[0-9]+' | tail -1) && tests_failed=$((tests_failed + n))
  return 0
}

run_tier() {
  local name=$1
  shift
  echo
  echo "=== tier: $name ==="
  local t0
  t0=$(date +%s)
  if "$@" 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    count_tests
    passed=$((passed + 1))
    echo "=== tier $name passed in $(($(date +%s) - t0))s ==="
  else
    count_tests
    echo "=== tier $name FAILED ==="
    echo "tests: $tests_passed passed, $((tests_failed > 0 ? tests_failed : 1)) failed"
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
echo "all $passed tiers green in $(($(date +%s) - started))s"
echo "tests: $tests_passed passed, $tests_failed failed"
