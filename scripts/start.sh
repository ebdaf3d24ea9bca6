#!/usr/bin/env bash
# `npm start`: install what is missing, start the project-managed Postgres (unless
# DATABASE_URL names your own), migrate, load demo data (development only), build the
# app and run the gateway (http://localhost:54321) and the worker. Ctrl-C stops it all;
# running it again is quick and keeps your data (it lives in .data/).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export PATH="$PWD/node_modules/.bin:$PATH"
set -a
# shellcheck disable=SC1091
. ./.env
set +a
node -e 'console.log(`start: node ${process.version}`)'

own_cluster=0
if [ -z "${DATABASE_URL:-}" ]; then
  bash scripts/pg.sh start
  own_cluster=1
fi
stop_cluster() { [ "$own_cluster" = 1 ] && bash scripts/pg.sh stop; }
trap stop_cluster EXIT

node scripts/db.ts migrate
[ "${NODE_ENV:-development}" = development ] && node scripts/seed.ts

# Rebuild the app only when its sources changed since the last build.
stamp=app/build/.source-hash
hash=$(find app/src app/vite.config.ts app/package.json lib -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -f app/build/handler.js ] || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
  npm run --silent build
  echo "$hash" >"$stamp"
fi

echo "start: TaskMaster on ${PUBLIC_URL:-http://localhost:54321} (Ctrl-C stops)"
[ "${NODE_ENV:-development}" = development ] && echo "start: emails are caught, not sent: read them at http://localhost:${MAIL_CAPTURE_PORT:-54324}"
node scripts/serve.ts
