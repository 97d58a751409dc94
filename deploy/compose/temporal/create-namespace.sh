#!/bin/sh
# Registers the Temporal namespace opsflow uses once the frontend is healthy (idempotent).
set -eu
address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${DEFAULT_NAMESPACE:-default}"
attempt=1
until temporal operator cluster health --address "$address"; do
  [ "$attempt" -ge 60 ] && { echo "Temporal at $address did not become healthy"; exit 1; }
  attempt=$((attempt + 1)); sleep 2
done
if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace $namespace exists"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention 72h
  echo "namespace $namespace created"
fi
