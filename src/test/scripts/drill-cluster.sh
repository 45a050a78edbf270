#!/usr/bin/env bash
# The drill tests' scratch PostgreSQL server: cluster "drills" of the installed major version on 127.0.0.1:5433,
# password (scram) authentication on loopback, and the role odoo_ops_drill (CREATEDB, no superuser) whose password
# the tests know (support/DrillServer.java). Idempotent: creates, starts and fixes what is missing.
set -euo pipefail
PORT=5433
ROLE=odoo_ops_drill
PASSWORD=Dr1ll-Server-Passw0rd
VERSION=$(ls /etc/postgresql | sort -n | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION drills"; then
  pg_createcluster "$VERSION" drills -p "$PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
pg_ctlcluster --skip-systemctl-redirect "$VERSION" drills start 2>/dev/null || true
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
pg_isready -h 127.0.0.1 -p "$PORT"
su postgres -c "psql -q -p $PORT -v ON_ERROR_STOP=1" <<SQL
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = '$ROLE') then
    create role $ROLE login createdb password '$PASSWORD';
  else
    alter role $ROLE login createdb password '$PASSWORD';
  end if;
end \$\$;
SQL
