#!/usr/bin/env bash
# Starts a local PostgreSQL for the server's tests and prints its URL (a role `sekisho` that may
# create databases; each test creates its own). Debian's `postgresql` (installed by setup.sh);
# its first cluster is started with pg_ctlcluster. Exits non-zero, saying why on stderr, when no
# PostgreSQL can be started: the tests then skip PostgreSQL with that reason.
set -euo pipefail
say() { echo "postgres.sh: $*" >&2; }
command -v pg_lsclusters >/dev/null || { say "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  say "creating cluster $version/main"
  pg_createcluster "$version" main >&2
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != "online" ]; then
  # pg_ctlcluster talks on stdout ("Removed stale pid file."): only the URL may go there.
  pg_ctlcluster "$version" "$cluster" start >&2 || { say "pg_ctlcluster $version $cluster start failed"; exit 1; }
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 50); do as_postgres "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1 && break; sleep 0.2; done
as_postgres "psql -p $port -Atqc \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sekisho') THEN CREATE ROLE sekisho LOGIN CREATEDB PASSWORD 'sekisho'; END IF; END \\\$\\\$\"" >/dev/null \
  || { say "could not create the role sekisho"; exit 1; }
echo "postgres://sekisho:sekisho@127.0.0.1:$port/postgres"
