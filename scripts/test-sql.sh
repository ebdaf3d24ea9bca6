#!/usr/bin/env bash
# The SQL tier: pgTAP tests in tests/sql/NN-*.test.sql, run by pg_prove against the
# migrated throw-away database DATABASE_URL names (scripts/test-env.sh sets it; run
# `node scripts/db.ts reset` first). Each test file is one transaction that rolls back, so
# the files are independent and the database is left as it was (plus pgTAP and the
# helpers in schema `tests`).
#   bash scripts/test-sql.sh                       every file
#   bash scripts/test-sql.sh tests/sql/21-*.sql    some files
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL is not set: source scripts/test-env.sh first}"
# pgTAP and the helpers are installed into the database: never into a real one.
db_name=$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$DATABASE_URL")
case $db_name in
  *test*) ;;
  *) echo "test-sql: refusing to install test helpers into database '$db_name' (its name must contain 'test')" >&2; exit 2 ;;
esac

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_quiet=(psql --dbname "$DATABASE_URL" --no-psqlrc --quiet --set ON_ERROR_STOP=1)

# pgTAP lives in `extensions` like every other extension. The first migration revokes
# execute on new functions from PUBLIC, so the tests' own roles are granted pgTAP's
# functions explicitly: assertions run while the session is anon or authenticated.
"${psql_quiet[@]}" <<'SQL'
create extension if not exists pgtap with schema extensions;
do $$
declare
  v_fn regprocedure;
begin
  for v_fn in
    select d.objid::regprocedure from pg_depend d
    where d.classid = 'pg_proc'::regclass and d.refclassid = 'pg_extension'::regclass
      and d.refobjid = (select oid from pg_extension where extname = 'pgtap') and d.deptype = 'e'
  loop
    execute format('grant execute on function %s to anon, authenticated', v_fn);
  end loop;
end
$$;
SQL
"${psql_quiet[@]}" --file tests/sql/helpers.sql

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=(tests/sql/[0-9]*.test.sql)
fi
# --failures prints the failing assertions with their diagnostics; passing files are one line each.
pg_prove --dbname "$DATABASE_URL" --failures --nocolor "${files[@]}"
