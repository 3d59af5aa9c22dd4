#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1:${CONVEYOR_PG_PORT:-54329} for the store tests
# and prints its URL. Idempotent: an already running cluster is reused.
source "$(dirname "$0")/lib.sh"
port="${CONVEYOR_PG_PORT:-54329}"
url="postgres://conveyor:conveyor@127.0.0.1:$port/conveyor_test"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bin" ] || die "PostgreSQL is not installed (scripts/setup.sh installs postgresql)"
data="/var/tmp/conveyor-pg-$port"
pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -f "$data/PG_VERSION" ]; then
    as_root mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
    pg "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  pg "$bin/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" -l "$data/server.log" -w start >/dev/null
  psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE conveyor LOGIN PASSWORD 'conveyor' CREATEDB" 2>/dev/null || true
  psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE conveyor_test OWNER conveyor" 2>/dev/null || true
fi
echo "$url"
