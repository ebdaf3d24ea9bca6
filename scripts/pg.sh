#!/usr/bin/env bash
# The project-managed PostgreSQL 15 cluster under .data/pg. Postgres refuses to run as
# root, so when we are root the server runs as the `postgres` OS user.
#   pg.sh start   create (first time) and start the cluster, create the database
#   pg.sh stop    stop it (fast shutdown: clients are disconnected, nothing is lost)
#   pg.sh status
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

set -a
# shellcheck disable=SC1091
[ -f .env ] && . ./.env
set +a

BIN=/usr/lib/postgresql/15/bin
DATA="$root/.data/pg"
RUN="$root/.data/run"
PORT="${PGPORT:-54322}"
DB="${PGDATABASE_NAME:-taskmaster}"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

preload_libraries() {
  local libs=(pg_stat_statements) lib
  for lib in pg_cron pgaudit; do
    [ -f "$($BIN/pg_config --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/$lib.so" ] && libs+=("$lib")
  done
  [ -f /usr/lib/postgresql/15/lib/citus.so ] && libs=(citus "${libs[@]}")
  local IFS=,
  echo "${libs[*]}"
}

init() {
  mkdir -p "$root/.data" "$RUN" "$root/.data/log"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$RUN" "$root/.data/log"
    chmod 755 "$root/.data"
  fi
  [ -f "$DATA/PG_VERSION" ] && return 0
  echo "pg: initialising cluster in $DATA"
  mkdir -p "$DATA"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
  local pwfile
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set (run scripts/bootstrap.sh)}" >"$pwfile"
  chmod 644 "$pwfile"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" --auth-host=scram-sha-256 \
    --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 --data-checksums >/dev/null
  rm -f "$pwfile"
  as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<CONF

# --- TaskMaster -------------------------------------------------------------------------
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
shared_preload_libraries = '$(preload_libraries)'
max_connections = 200
shared_buffers = 512MB
work_mem = 16MB
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
cron.database_name = '$DB'
pg_stat_statements.track = all
pgaudit.log = 'role,ddl'
pgaudit.log_relation = on
log_min_duration_statement = 500
log_line_prefix = '%m [%p] %q%u@%d '
timezone = 'UTC'
CONF
}

running() { as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  init
  if ! running; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      echo "pg: port $PORT is taken by another server (another checkout's cluster?); stop it or set PGPORT in .env" >&2
      exit 1
    fi
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$root/.data/log/postgres.log" -w -t 60 start >/dev/null
  fi
  # The application database (pg_cron needs it to exist; it is created once).
  export PGPASSWORD="$POSTGRES_PASSWORD"
  if ! psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "create database \"$DB\"" >/dev/null
    # pg_cron reads cron.database_name at start: restart once so it attaches to the new database.
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$root/.data/log/postgres.log" -w -t 60 restart >/dev/null
  fi
  echo "pg: running on 127.0.0.1:$PORT (data in .data/pg)"
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && running; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "pg: stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && echo running || { echo stopped; exit 3; } ;;
  *) echo "usage: pg.sh start|stop|status" >&2; exit 2 ;;
esac
