# Shared set-up of the benchmarks (sourced): the dataset, an odoo-ops config pointing at it with a local
# store under $BENCH_ROOT, the jar, and measure().
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCALE=${SCALE:-100}
BENCH_ROOT=${BENCH_ROOT:-/var/tmp/odoo-ops-bench}
DATASET=${DATASET:-$home/../shared/bench/make-dataset.sh}
PERF_ROOT=/var/tmp/perf
PERF_DB=${PERF_DB:-perf_src}
FS_DIR=$PERF_ROOT/filestore/$PERF_DB
BENCH_CATALOG=${BENCH_CATALOG:-odoo_ops_bench}
export PGHOST=127.0.0.1 PGPORT=5432

bench_setup() {
  command -v /usr/bin/time >/dev/null || { apt-get update -q >&2 && apt-get install -y -q time >&2; }
  command -v bc >/dev/null || { apt-get update -q >&2 && apt-get install -y -q bc >&2; }
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
  # a catalog of its own, new each run: the store under $BENCH_ROOT is new too, and no earlier artifact may
  # stand for an unchanged environment (skip if unchanged) unless the benchmark makes it
  psql -U postgres -q -c "drop database if exists $BENCH_CATALOG with (force)"
  cat >> "$BENCH_ROOT/config/application.properties" <<PROPS
ops.db.url=jdbc:postgresql://127.0.0.1:5432/$BENCH_CATALOG
ops.evidence-root=$BENCH_ROOT/evidence
ops.work-dir=$BENCH_ROOT/work
PROPS
  printf 'perf_db_password=perf_bench\n' > "$BENCH_ROOT/config/secrets.properties"
  cat > "$BENCH_ROOT/config/environments.yaml" <<YAML
store: {type: local, local: {path: $BENCH_ROOT/store}}
users: [{name: operator, permissions: [{project: "*", actions: [backup, restore, drill]}]}]
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
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

measure() {  # name, command... -> "seconds peak_kib"
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$BENCH_ROOT/$name.time" "$@" > "$BENCH_ROOT/$name.out" 2> "$BENCH_ROOT/$name.err" || true
  tail -n 1 "$BENCH_ROOT/$name.time"  # (time writes "Command exited with non-zero status" first when it fails)
}

odoo_ops() {  # name, args... -> "seconds peak_kib"; fails when the run did not succeed
  local name=$1; shift
  local t; t=$(measure "$name" java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" "$@" \
    --config "$BENCH_ROOT/config")
  grep -qE '"status" *: *"success"' "$BENCH_ROOT/$name.out" || { tail -n 20 "$BENCH_ROOT/$name.err" >&2; return 1; }
  echo "$t"
}

ms() { grep -o "\"$2\" : [0-9]*" "$1" | head -n1 | grep -o '[0-9]*$' | awk '{printf "%.1f", $1/1000}'; }
