#!/usr/bin/env bash
# incremental-bench.sh - the targets of issue #8 in one run, as ratios against the same work by hand and against
# restic (Debian's package, installed when missing), with odoo-ops in the packed filestore format:
#   first full backup; backup of the unchanged environment; daily backup with 1 % new attachments; restore of
#   that recent artifact into its own environment ("undo today"); restore with the filestore gone (disaster
#   recovery); store growth over 30 simulated days at 1 % churn; peak RSS.
#
#   SCALE=100 bench/incremental-bench.sh   (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10  bench/incremental-bench.sh   (quick)
#   DAYS=30                                 (simulated days for the store growth)
#
# By hand: pg_dump -Fc, then tar | zstd -3 -T0 (sequential); restore: createdb + pg_restore -j 2, then
# zstd -d | tar -x. restic: the same pg_dump file and the filestore into one repository (its default
# compression), so its backups do what odoo-ops's do. The dataset is not a complete Odoo database, so restores
# run with --no-verify (as restore-bench.sh); no Odoo server runs, so they state its version (--odoo-version 17.0,
# the dataset's base module series). Prints a table; nothing is asserted.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup
DAYS=${DAYS:-30}
daily_setup

drop_caches
echo "1. first full backup: by hand ..." >&2
read -r dump_s dump_kib < <(measure manual-dump env PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d $PERF_DB -f "$BENCH_ROOT/manual/db.dump")
read -r tar_s tar_kib < <(measure manual-tar bash -c "tar -C '$FS_DIR' -cf - . | zstd -3 -T0 -q -o '$BENCH_ROOT/manual/filestore.tar.zst'")
manual_full=$(echo "$dump_s + $tar_s" | bc)
drop_caches
echo "   odoo-ops (packed) ..." >&2
read -r ops_full ops_full_kib < <(odoo_ops full backup --project perf --env src); track "$ops_full_kib"
full_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/full.out" | cut -d'"' -f4)
drop_caches
echo "   restic ..." >&2
read -r restic_full restic_full_kib < <(measure restic-full bash -c "$(declare -f dump_for_restic); PERF_DB=$PERF_DB BENCH_ROOT=$BENCH_ROOT dump_for_restic && restic backup -q '$FS_DIR' '$BENCH_ROOT/restic-dump'")

echo "2. unchanged environment ..." >&2
read -r ops_same ops_same_kib < <(measure same java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" \
  backup --project perf --env src --config "$BENCH_ROOT/config"); track "$ops_same_kib"
grep -q skipped_unchanged "$BENCH_ROOT/same.out" || { cat "$BENCH_ROOT/same.out" "$BENCH_ROOT/same.err" >&2; exit 1; }
same_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/same.out" | cut -d'"' -f4)
read -r restic_same _ < <(measure restic-same restic backup -q "$FS_DIR" "$BENCH_ROOT/restic-dump")
read -r restic_same_fs _ < <(measure restic-same-fs restic backup -q "$FS_DIR")

echo "3. a day with 1 % new attachments ($new_per_day files) ..." >&2
add_attachments "$new_per_day" 0
read -r ops_day ops_day_kib < <(odoo_ops day backup --project perf --env src); track "$ops_day_kib"
day_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/day.out" | cut -d'"' -f4)
day_artifact=$(grep -o '"artifact_id":"[^"]*"' "$BENCH_ROOT/day.out" | cut -d'"' -f4)
read -r restic_day _ < <(measure restic-day bash -c "$(declare -f dump_for_restic); PERF_DB=$PERF_DB BENCH_ROOT=$BENCH_ROOT dump_for_restic && restic backup -q '$FS_DIR' '$BENCH_ROOT/restic-dump'")
read -r restic_day_fs _ < <(measure restic-day-fs restic backup -q "$FS_DIR")

echo "4. restore of that artifact into its own environment (undo today) ..." >&2
by_hand_restore_once
manual_restore=$by_hand_s
drop_caches
read -r ops_undo ops_undo_kib < <(odoo_ops undo restore --project perf --env src --artifact "$day_artifact" --confirm perf/src --no-verify --odoo-version 17.0)
track "$ops_undo_kib"
undo_ev=$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)

echo "5. restore with the filestore gone (disaster recovery) ..." >&2
rm -rf "$FS_DIR.gone"; mv "$FS_DIR" "$FS_DIR.gone"   # what the restore brings back is the same tree
drop_caches
read -r ops_dr ops_dr_kib < <(odoo_ops dr restore --project perf --env src --artifact "$day_artifact" --confirm perf/src --no-verify --odoo-version 17.0)
track "$ops_dr_kib"
dr_ev=$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)
rm -rf "$FS_DIR.gone"
read -r restic_restore _ < <(measure restic-restore restic restore latest --target "$BENCH_ROOT/restic-restored" -q)
rm -rf "$BENCH_ROOT/restic-restored"

echo "6. $DAYS days at 1 % churn (filestore_only backups) ..." >&2
packs_before=$(du -sb "$BENCH_ROOT/store/perf/_packs" | cut -f1)
restic_before=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)
new_bytes=0
for ((d = 1; d <= DAYS; d++)); do
  add_attachments "$new_per_day" "$d"
  new_bytes=$(( new_bytes + new_per_day * avg_size ))
  read -r _ kib < <(odoo_ops "day$d" backup --project perf --env src --type filestore_only); track "$kib"
  restic backup -q "$FS_DIR" >/dev/null
done
packs_after=$(du -sb "$BENCH_ROOT/store/perf/_packs" | cut -f1)
store_after=$(du -sb "$BENCH_ROOT/store" | cut -f1)
restic_after=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)
first_fs=$(grep -o '"total_bytes" : [0-9]*' "$full_ev/filestore.meta.json" | head -n1 | grep -o '[0-9]*$')

r() { echo "scale=2; $1 / $2" | bc; }
printf '\nincremental benchmark, SCALE=%s: %s files, %s new per day of %s bytes (%s cores), packed filestore\n' \
  "$SCALE" "$files" "$new_per_day" "$avg_size" "$(nproc)"
printf '%-58s %9s %9s %9s %12s\n' "work" "odoo-ops" "by hand" "restic" "ratio/hand"
printf '%-58s %9s %9s %9s %12s\n' "first full backup (s)" "$ops_full" "$manual_full" "$restic_full" "$(r "$ops_full" "$manual_full") (<= 0.85)"
printf '%-58s %9s %9s %9s %12s\n' "backup of the unchanged environment (s)" "$ops_same" "-" "$restic_same" "(<= 2 s)"
printf '%-58s %9s %9s %9s\n' "  of which the run itself (s), restic filestore only (s)" "$(ms "$same_ev/final_status.json" duration_ms)" "-" "$restic_same_fs"
printf '%-58s %9s %9s %9s\n' "daily backup, 1 % new attachments (s)" "$ops_day" "-" "$restic_day"
printf '%-58s %9s %9s %9s %12s\n' "  filestore half (s) / database dump (s) / restic fs only" "$(ms "$day_ev/filestore.meta.json" duration_ms)" \
  "$(ms "$day_ev/db.dump.meta.json" duration_ms)" "$restic_day_fs" "(fs <= 1 s beyond)"
printf '%-58s %9s %9s %9s %12s\n' "restore into its own environment, undo today (s)" "$ops_undo" "$manual_restore" "-" "$(r "$ops_undo" "$manual_restore") (<= 0.6)"
printf '%-58s %9s %9s %9s %12s\n' "restore with the filestore gone (s)" "$ops_dr" "$manual_restore" "$restic_restore" "$(r "$ops_dr" "$manual_restore") (<= 1.1)"
printf '%-58s %9s %9s %9s %12s\n' "store growth over $DAYS days / (one full + new files)" \
  "$(r "$packs_after" "$(( packs_before + new_bytes ))")" "-" "$(r "$((restic_after - restic_before))" "$new_bytes")" "(<= 1.1)"
printf '%-58s %9s\n' "peak RSS of the odoo-ops runs (MB)" "$((peak / 1024))"
printf 'packs: %s MB after the first backup, %s MB after %s days (new content %s MB); whole store %s MB; filestore %s MB\n' \
  $((packs_before / 1000000)) $((packs_after / 1000000)) "$DAYS" $((new_bytes / 1000000)) $((store_after / 1000000)) $((first_fs / 1000000))
printf 'undo today: linked %s, fetched %s files (%s packs); safety backup %s s; pg_restore %s s\n' \
  "$(grep -o '"linked_files" : [0-9]*' "$undo_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(grep -o '"fetched_files" : [0-9]*' "$undo_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(grep -o '"fetched_packs" : [0-9]*' "$undo_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(ms "$(grep -o '"backup_evidence_dir" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)/final_status.json" duration_ms)" \
  "$(ms "$undo_ev/db_restore_duration.json" pg_restore_ms)"
# which settle case the safety-backup reuse applied (README: pre-restore-backup): no Odoo runs in this bench, so
# nothing is connected to the database and a first fingerprint match is final (app_stopped)
printf 'undo today: safety backup %s (settle case %s): %s\n' \
  "$(grep -o '"path" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)" \
  "$(grep -o '"settle_case" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)" \
  "$(grep -o '"why" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)"
printf 'disaster recovery: fetched %s files; assemble %s s, verify %s s; pg_restore %s s\n' \
  "$(grep -o '"fetched_files" : [0-9]*' "$dr_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(ms "$dr_ev/filestore_restore_duration.json" assemble_ms)" "$(ms "$dr_ev/filestore_restore_duration.json" verify_ms)" \
  "$(ms "$dr_ev/db_restore_duration.json" pg_restore_ms)"
