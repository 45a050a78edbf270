#!/usr/bin/env bash
# backup-bench.sh - wall time and peak memory of a full odoo-ops backup of the shared benchmark dataset,
# side by side with the same work done by hand (pg_dump -Fc, then tar | zstd, sequentially), as a ratio.
#
#   SCALE=100 bench/backup-bench.sh      (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10  bench/backup-bench.sh      (quick)
#
# odoo-ops stores into a local store under $BENCH_ROOT (no network in the way; the upload is a copy) with
# its defaults: read-back SHA-256 of every stored object, row counts, tree digest, pg_restore --list.
# Prints a table; nothing is asserted. Needs /usr/bin/time (Debian package "time").
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCALE=${SCALE:-100}
BENCH_ROOT=${BENCH_ROOT:-/var/tmp/odoo-ops-bench}
DATASET=${DATASET:-$home/../shared/bench/make-dataset.sh}
PERF_ROOT=/var/tmp/perf
PERF_DB=${PERF_DB:-perf_src}
FS_DIR=$PERF_ROOT/filestore/$PERF_DB
export PGHOST=127.0.0.1 PGPORT=5432

command -v /usr/bin/time >/dev/null || { apt-get update -q && apt-get install -y -q time; }
SCALE=$SCALE PERF_DB=$PERF_DB bash "$DATASET" >&2

rm -rf "$BENCH_ROOT"; mkdir -p "$BENCH_ROOT"/{config,store,manual,work}
cat > "$BENCH_ROOT/odoo.conf" <<CONF
[options]
db_host = 127.0.0.1
db_user = perf_bench
db_password = perf_bench
admin_passwd = bench-admin
CONF
cp "$home/config/application.properties" "$BENCH_ROOT/config/"
cat >> "$BENCH_ROOT/config/application.properties" <<PROPS
ops.evidence-root=$BENCH_ROOT/evidence
ops.work-dir=$BENCH_ROOT/work
PROPS
printf 'perf_db_password=perf_bench\n' > "$BENCH_ROOT/config/secrets.properties"
cat > "$BENCH_ROOT/config/environments.yaml" <<YAML
store: {type: local, local: {path: $BENCH_ROOT/store}}
users: [{name: operator, permissions: [{project: "*", actions: [backup]}]}]
projects:
  - name: perf
    environments:
      - name: src
        type: production
        database: {name: $PERF_DB, user: perf_bench, password: "\${secret:perf_db_password}"}
        filestore: $FS_DIR
        odoo_conf: $BENCH_ROOT/odoo.conf
YAML

(cd "$home" && mvn -B -q -DskipTests package) >&2
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true

measure() {  # name, command... -> "seconds peak_kib"
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$BENCH_ROOT/$name.time" "$@" > "$BENCH_ROOT/$name.out" 2> "$BENCH_ROOT/$name.err"
  cat "$BENCH_ROOT/$name.time"
}

echo "by hand: pg_dump -Fc, then tar | zstd -3 -T0 ..." >&2
read -r dump_s dump_kib < <(measure manual-dump env PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d $PERF_DB -f "$BENCH_ROOT/manual/db.dump")
read -r tar_s tar_kib < <(measure manual-tar bash -c "tar -C '$FS_DIR' -cf - . | zstd -3 -T0 -q -o '$BENCH_ROOT/manual/filestore.tar.zst'")
manual_s=$(echo "$dump_s + $tar_s" | bc)
manual_kib=$(( dump_kib > tar_kib ? dump_kib : tar_kib ))

sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
echo "odoo-ops backup ..." >&2
read -r ops_s ops_kib < <(measure odoo-ops java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" \
  backup --project perf --env src --config "$BENCH_ROOT/config")
grep -q '"status":"success"' "$BENCH_ROOT/odoo-ops.out" || { cat "$BENCH_ROOT/odoo-ops.err" >&2; exit 1; }

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
art=$(du -sb "$BENCH_ROOT/store" | cut -f1)
man=$(du -sb "$BENCH_ROOT/manual" | cut -f1)
printf '\nbackup benchmark, SCALE=%s: database %s MB, filestore %s MB (%s cores)\n' "$SCALE" \
  $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$(nproc)"
printf '%-44s %10s %12s %12s\n' "" "wall s" "peak RSS MB" "output MB"
printf '%-44s %10s %12s %12s\n' "by hand: pg_dump -Fc + tar|zstd (sequential)" "$manual_s" $((manual_kib / 1024)) $((man / 1000000))
printf '%-44s %10s %12s %12s\n' "odoo-ops backup (full, local store)" "$ops_s" $((ops_kib / 1024)) $((art / 1000000))
printf 'ratio odoo-ops / by hand (wall time): %s\n' "$(echo "scale=2; $ops_s / $manual_s" | bc)"
ev=$(ls -d "$BENCH_ROOT"/evidence/*/backup/*)
printf 'odoo-ops phases: pg_dump %s s and tar+zstd %s s (concurrent); total run %s s\n' \
  "$(grep -o '"duration_ms" : [0-9]*' "$ev/db.dump.meta.json" | grep -o '[0-9]*$' | awk '{print $1/1000}')" \
  "$(grep -o '"duration_ms" : [0-9]*' "$ev/filestore.meta.json" | grep -o '[0-9]*$' | awk '{print $1/1000}')" \
  "$(grep -o '"duration_ms" : [0-9]*' "$ev/final_status.json" | grep -o '[0-9]*$' | awk '{print $1/1000}')"
printf 'by hand phases: pg_dump %s s, tar|zstd %s s\n' "$dump_s" "$tar_s"
