#!/usr/bin/env bash
# large-bench.sh - issue #16's rows measured apart at SCALE=300 (about 5 GB of database and 9 GB of files; about
# 15 GB of disk besides the dataset, and a long run): the first full backup, the disaster recovery (the filestore
# gone) and odoo-ops's peak RSS, as ratios against the same work by hand in the same run (as proof-bench.sh: by hand
# pg_dump -Fc then tar | zstd -3 -T0; restore createdb + pg_restore -j 2, then zstd -d | tar -x). REPEAT runs of
# each (1 by default), by hand and odoo-ops alternating. Nothing is asserted.
#
#   bench/large-bench.sh                       (SCALE=300, database perf_large)
#   SCALE=10 PERF_DB=perf_small BENCH_ROOT=/var/tmp/odoo-ops-bench-small bench/large-bench.sh   (quick)
SCALE=${SCALE:-300}
PERF_DB=${PERF_DB:-perf_large}
BENCH_ROOT=${BENCH_ROOT:-/var/tmp/odoo-ops-bench-large}
BENCH_CATALOG=${BENCH_CATALOG:-odoo_ops_bench_large}  # (not proof-bench.sh's catalog: each set-up drops its own)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
REPEAT=${REPEAT:-1}
bench_setup
daily_setup

manual_fulls=(); ops_fulls=(); manual_restores=(); ops_drs=(); artifact=""
for ((rep = 1; rep <= REPEAT; rep++)); do
  echo "1. first full backup ($rep/$REPEAT): by hand ..." >&2
  by_hand_full_once
  manual_fulls+=("$by_hand_full_s")
  echo "   odoo-ops (the environment's first backup: a new catalog and store each time) ..." >&2
  psql -U postgres -q -c "drop database if exists $BENCH_CATALOG with (force)"
  rm -rf "$BENCH_ROOT/store" "$BENCH_ROOT/work"; mkdir -p "$BENCH_ROOT/store" "$BENCH_ROOT/work"
  "$home/odoo-ops" migrate --config "$BENCH_ROOT/config" >&2
  drop_caches
  read -r s kib < <(odoo_ops full backup --project perf --env src); track "$kib"; ops_fulls+=("$s")
  artifact=$(grep -o '"artifact_id":"[^"]*"' "$BENCH_ROOT/full.out" | cut -d'"' -f4)

  echo "2. by hand restore ($rep/$REPEAT) ..." >&2
  by_hand_restore_once
  manual_restores+=("$by_hand_s")
  echo "3. restore with the filestore gone (disaster recovery, $rep/$REPEAT) ..." >&2
  rm -rf "$FS_DIR.gone"; mv "$FS_DIR" "$FS_DIR.gone"
  drop_caches
  read -r s kib < <(odoo_ops dr restore --project perf --env src --artifact "$artifact" --confirm perf/src --no-verify --odoo-version 17.0)
  track "$kib"; ops_drs+=("$s")
  rm -rf "$FS_DIR.gone"
done
ops_full=$(median "${ops_fulls[@]}"); manual_full=$(median "${manual_fulls[@]}")
ops_dr=$(median "${ops_drs[@]}"); manual_restore=$(median "${manual_restores[@]}")
r() { echo "scale=2; $1 / $2" | bc; }
full_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/full.out" | cut -d'"' -f4)
dr_ev=$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)
echo
echo "large benchmark (issue #16), SCALE=$SCALE: $files files, $(du -sb "$FS_DIR" | cut -f1) bytes of files, database $(psql -U postgres -Atc "select pg_database_size('$PERF_DB')") bytes ($(nproc) cores)"
echo "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %9s %9s %16s\n' "work" "odoo-ops" "by hand" "ratio (target)"
printf '%-44s %9s %9s %16s\n' "first full backup (s)" "$ops_full" "$manual_full" "$(r "$ops_full" "$manual_full") (<= 0.8)"
printf '%-44s %9s %9s %16s\n' "disaster recovery, the filestore gone (s)" "$ops_dr" "$manual_restore" "$(r "$ops_dr" "$manual_restore") (<= 1.3)"
printf '%-44s %9s\n' "peak RSS of the odoo-ops runs (MB)" "$(( peak / 1024 ))"
printf 'every run: first full backup odoo-ops %s, by hand %s; disaster recovery %s, by-hand restore %s\n' \
  "${ops_fulls[*]}" "${manual_fulls[*]}" "${ops_drs[*]}" "${manual_restores[*]}"
printf 'full backup: pg_dump %s s and filestore %s s, concurrent; by hand: pg_dump %s s, tar|zstd %s s\n' \
  "$(ms "$full_ev/db.dump.meta.json" duration_ms)" "$(ms "$full_ev/filestore.meta.json" duration_ms)" "$dump_s" "$tar_s"
printf 'disaster recovery: assemble %s s; pg_restore %s s; safety backup %s s; by hand: database %s s, filestore %s s\n' \
  "$(ms "$dr_ev/filestore_restore_duration.json" assemble_ms)" "$(ms "$dr_ev/db_restore_duration.json" pg_restore_ms)" \
  "$(ms "$(grep -o '"backup_evidence_dir" : "[^"]*"' "$dr_ev/pre_restore_backup.json" | cut -d'"' -f4)/final_status.json" duration_ms)" \
  "$mdb_s" "$mfs_s"
