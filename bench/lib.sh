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
  # the catalog is made before anything is measured, as an installation's is (odoo-ops migrate): the first full
  # backup is the environment's first, not odoo-ops's
  "$home/odoo-ops" migrate --config "$BENCH_ROOT/config" >&2
  # and the launcher's class-data archive, which an installation makes at its first read-only view (runs, artifacts):
  # every measured run then starts as it would there
  "$home/odoo-ops" runs --env perf/src --config "$BENCH_ROOT/config" > /dev/null 2>&1 || true
  local jar="$home/target/odoo-ops.jar" i
  local archive="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/odoo-ops/odoo-ops-$(stat -c %s-%Y "$jar").jsa"
  for ((i = 0; i < 120; i++)); do [ -s "$archive" ] && break; sleep 0.5; done
  [ -s "$archive" ] || echo "bench: no class-data archive was made ($archive): runs start without it" >&2
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

# The by-hand restore of DUMP and ARCHIVE (default manual/db.dump and manual/filestore.tar.zst; createdb + pg_restore
# -j 2, then zstd -d | tar -x), from cold caches, into a database and directory removed after: sets mdb_s, mfs_s,
# by_hand_s (their sum) and by_hand_kib (the larger peak RSS).
by_hand_restore_once() {
  local dump=${1:-$BENCH_ROOT/manual/db.dump} archive=${2:-$BENCH_ROOT/manual/filestore.tar.zst} db_kib fs_kib
  drop_caches
  psql -U postgres -qc "drop database if exists perf_manual_restore with (force)"
  mkdir -p "$BENCH_ROOT/manual/filestore"
  read -r mdb_s db_kib < <(measure manual-db bash -c "PGPASSWORD=perf_bench createdb -U perf_bench perf_manual_restore && \
    PGPASSWORD=perf_bench pg_restore -U perf_bench --exit-on-error --no-owner --no-acl -j 2 -d perf_manual_restore '$dump'")
  read -r mfs_s fs_kib < <(measure manual-fs bash -c "zstd -d -q -c '$archive' | tar -x -C '$BENCH_ROOT/manual/filestore'")
  by_hand_s=$(echo "$mdb_s + $mfs_s" | bc)
  by_hand_kib=$(( db_kib > fs_kib ? db_kib : fs_kib ))
  psql -U postgres -qc "drop database perf_manual_restore with (force)"
  rm -rf "$BENCH_ROOT/manual/filestore"
}

# The by-hand first full backup (pg_dump -Fc, then tar | zstd -3 -T0, one after the other) into manual/, from cold
# caches: sets dump_s, tar_s and by_hand_full_s (their sum).
by_hand_full_once() {
  drop_caches
  rm -f "$BENCH_ROOT/manual/db.dump" "$BENCH_ROOT/manual/filestore.tar.zst"  # (zstd -o never overwrites)
  read -r dump_s _ < <(measure manual-dump env PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d "$PERF_DB" -f "$BENCH_ROOT/manual/db.dump")
  read -r tar_s _ < <(measure manual-tar bash -c "tar -C '$FS_DIR' -cf - . | zstd -3 -T0 -q -o '$BENCH_ROOT/manual/filestore.tar.zst'")
  by_hand_full_s=$(echo "$dump_s + $tar_s" | bc)
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

measure() {  # name, command... -> "seconds peak_kib"
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$BENCH_ROOT/$name.time" "$@" > "$BENCH_ROOT/$name.out" 2> "$BENCH_ROOT/$name.err" || true
  tail -n 1 "$BENCH_ROOT/$name.time"  # (time writes "Command exited with non-zero status" first when it fails)
}

odoo_ops() {  # name, args... -> "seconds peak_kib"; fails when the run did not succeed
  local name=$1; shift
  # through the launcher an operator runs (its JVM options: the serial collector, C2 for long-hot code only)
  local t; t=$(measure "$name" "$home/odoo-ops" "$@" --config "$BENCH_ROOT/config")
  grep -qE '"status" *: *"success"' "$BENCH_ROOT/$name.out" || { tail -n 20 "$BENCH_ROOT/$name.err" >&2; return 1; }
  echo "$t"
}

ms() { grep -o "\"$2\" : [0-9]*" "$1" | head -n1 | grep -o '[0-9]*$' | awk '{printf "%.1f", $1/1000}'; }

# The daily-backup benchmarks' shared set-up (incremental-bench.sh, proof-bench.sh), after bench_setup: odoo-ops with
# the packed filestore, a restic repository beside it, the dataset's figures (files, new_per_day = 1 %, avg_size),
# peak-RSS tracking (track KIB; peak), add_attachments COUNT DAY (new Odoo attachments: random content named by its
# SHA-1, with its ir_attachment row), dump_for_restic, and cleanup_dataset on exit (what the benchmark added, files
# and rows, the by-hand restore's database, a filestore moved aside put back).
daily_setup() {
  command -v restic >/dev/null || { apt-get update -q >&2 && apt-get install -y -q restic >&2; }
  cat >> "$BENCH_ROOT/config/application.properties" <<PROPS
backup.filestore-format=packed
PROPS
  export RESTIC_REPOSITORY=$BENCH_ROOT/restic RESTIC_PASSWORD=bench-only RESTIC_CACHE_DIR=$BENCH_ROOT/restic-cache
  restic init -q >/dev/null
  files=$(find "$FS_DIR" -type f | wc -l)
  new_per_day=$(( files / 100 ))
  avg_size=$(( $(du -sb "$FS_DIR" | cut -f1) / files ))
  peak=0
  track() { local kib=$1; (( kib > peak )) && peak=$kib; true; }

  # new Odoo attachments: random content named by its SHA-1, with its ir_attachment row (the database changes too)
  add_attachments() {  # count day
    local n=$1 day=$2 i tmp sha rows=()
    for ((i = 0; i < n; i++)); do
      tmp=$(mktemp -p "$BENCH_ROOT/work")
      head -c "$avg_size" /dev/urandom > "$tmp"
      sha=$(sha1sum "$tmp" | cut -c1-40)
      mkdir -p "$FS_DIR/${sha:0:2}"
      mv "$tmp" "$FS_DIR/${sha:0:2}/$sha"
      rows+=("('bench-day$day-$i', '${sha:0:2}/$sha', '$sha', $avg_size)")
    done
    local IFS=,
    psql -U postgres -d "$PERF_DB" -qc "insert into ir_attachment(id, name, store_fname, checksum, file_size)
      select (select coalesce(max(id), 0) from ir_attachment) + row_number() over (), v.*
      from (values ${rows[*]}) as v(name, store_fname, checksum, file_size)"
  }

  cleanup_dataset() {  # the attachments this benchmark added, files and rows (also when it fails)
    psql -U postgres -d "$PERF_DB" -Atc "select store_fname from ir_attachment where name like 'bench-day%'" 2>/dev/null | \
      while read -r f; do rm -f "$FS_DIR/$f"; done
    psql -U postgres -d "$PERF_DB" -qc "delete from ir_attachment where name like 'bench-day%'" 2>/dev/null || true
    [ -d "$FS_DIR.gone" ] && [ ! -d "$FS_DIR" ] && mv "$FS_DIR.gone" "$FS_DIR"
    psql -U postgres -qc "drop database if exists perf_manual_restore with (force)" 2>/dev/null || true
    true
  }
  trap cleanup_dataset EXIT

  dump_for_restic() { PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d "$PERF_DB" -f "$BENCH_ROOT/restic-dump/db.dump"; }
  mkdir -p "$BENCH_ROOT/restic-dump"
}
