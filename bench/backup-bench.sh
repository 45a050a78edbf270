#!/usr/bin/env bash
# backup-bench.sh - wall time and peak memory of a full odoo-ops backup of the shared benchmark dataset,
# side by side with the same work done by hand (pg_dump -Fc, then tar | zstd, sequentially), as a ratio;
# then a second backup of the unchanged environment (skip if unchanged: the run ends skipped_unchanged).
#
#   SCALE=100 bench/backup-bench.sh      (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10  bench/backup-bench.sh      (quick)
#
# odoo-ops stores into a local store under $BENCH_ROOT (no network in the way; the upload is a copy) with
# its defaults: read-back SHA-256 of every stored object, row counts, tree digest, pg_restore --list.
# Prints a table; nothing is asserted. Needs /usr/bin/time and bc (installed when missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup
drop_caches

echo "by hand: pg_dump -Fc, then tar | zstd -3 -T0 ..." >&2
read -r dump_s dump_kib < <(measure manual-dump env PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d $PERF_DB -f "$BENCH_ROOT/manual/db.dump")
read -r tar_s tar_kib < <(measure manual-tar bash -c "tar -C '$FS_DIR' -cf - . | zstd -3 -T0 -q -o '$BENCH_ROOT/manual/filestore.tar.zst'")
manual_s=$(echo "$dump_s + $tar_s" | bc)
manual_kib=$(( dump_kib > tar_kib ? dump_kib : tar_kib ))

drop_caches
echo "odoo-ops backup ..." >&2
read -r ops_s ops_kib < <(odoo_ops odoo-ops backup --project perf --env src)
ev=$(ls -d "$BENCH_ROOT"/evidence/*/backup/*)

echo "odoo-ops backup of the unchanged environment (skip if unchanged) ..." >&2
read -r skip_s skip_kib < <(measure odoo-ops-unchanged java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" \
  -jar "$home/target/odoo-ops.jar" backup --project perf --env src --config "$BENCH_ROOT/config")
grep -q '"status":"skipped_unchanged"' "$BENCH_ROOT/odoo-ops-unchanged.out" || { cat "$BENCH_ROOT/odoo-ops-unchanged.out" >&2; exit 1; }
skip_run=$(grep -o '"run_id":"[^"]*"' "$BENCH_ROOT/odoo-ops-unchanged.out" | cut -d'"' -f4)
skip_ev=$(ls -d "$BENCH_ROOT"/evidence/*/backup/"$skip_run")

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
art=$(du -sb "$BENCH_ROOT/store" | cut -f1)
man=$(du -sb "$BENCH_ROOT/manual" | cut -f1)
printf '\nbackup benchmark, SCALE=%s: database %s MB, filestore %s MB (%s cores)\n' "$SCALE" \
  $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$(nproc)"
printf '%-44s %10s %12s %12s\n' "" "wall s" "peak RSS MB" "output MB"
printf '%-44s %10s %12s %12s\n' "by hand: pg_dump -Fc + tar|zstd (sequential)" "$manual_s" $((manual_kib / 1024)) $((man / 1000000))
printf '%-44s %10s %12s %12s\n' "odoo-ops backup (full, local store)" "$ops_s" $((ops_kib / 1024)) $((art / 1000000))
printf '%-44s %10s %12s %12s\n' "odoo-ops backup, unchanged (skipped)" "$skip_s" $((skip_kib / 1024)) 0
printf 'ratio odoo-ops / by hand (wall time): %s\n' "$(echo "scale=2; $ops_s / $manual_s" | bc)"
printf 'unchanged environment: %s s in all (target <= 2 s), of which the run %s s and the fingerprints %s s; the rest is the JVM and Camel starting\n' \
  "$skip_s" "$(ms "$skip_ev/final_status.json" duration_ms)" "$(ms "$skip_ev/unchanged_check.json" duration_ms)"
printf 'odoo-ops phases: pg_dump %s s and tar+zstd %s s (concurrent); total run %s s\n' \
  "$(ms "$ev/db.dump.meta.json" duration_ms)" "$(ms "$ev/filestore.meta.json" duration_ms)" "$(ms "$ev/final_status.json" duration_ms)"
printf 'by hand phases: pg_dump %s s, tar|zstd %s s\n' "$dump_s" "$tar_s"
