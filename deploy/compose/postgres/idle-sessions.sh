#!/bin/sh
# Opens idle sessions as role "app" (psql waiting on a pipe that never writes), so PostgreSQL
# crosses POSTGRES_CONN_THRESHOLD and the walkthrough has something to heal. Each psql exits when
# opsflow terminates its session; the container then ends. Start it again to re-create the load.
set -u
count="${SESSIONS:-10}"
i=0
while [ "$i" -lt "$count" ]; do
  (sleep 100000 | PGPASSWORD=app psql -h postgres -U app -d opsflow -q >/dev/null 2>&1) &
  i=$((i + 1))
done
echo "$count idle sessions open as role app"
wait
