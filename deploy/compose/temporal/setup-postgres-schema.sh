#!/bin/sh
# Creates Temporal's two databases and applies the versioned schema with temporal-sql-tool, as
# Temporal's own compose examples do since the auto-setup image was deprecated. Safe to re-run:
# "create" of an existing database fails harmlessly and update-schema only applies what is missing.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
port="${DB_PORT:-5432}"
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" "$@"; }

until nc -z -w 5 "$POSTGRES_SEEDS" "$port"; do echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$port"; sleep 2; done

for db in temporal temporal_visibility; do
  schema=temporal
  [ "$db" = temporal_visibility ] && schema=visibility
  tool --db "$db" create || echo "database $db already exists"
  tool --db "$db" setup-schema -v 0.0 || echo "database $db already has a schema version"
  tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "Temporal schema is up to date"
