#!/usr/bin/env bash
# restore-bench.sh - wall time and peak memory of an odoo-ops restore of the shared benchmark dataset,
# side by side with the same restore done by hand (createdb + pg_restore -j 2, then zstd -d | tar -x), as a ratio.
#
#   SCALE=100 bench/restore-bench.sh     (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10 PERF_DB=perf_small BENCH_ROOT=/var/tmp/odoo-ops-bench-small bench/restore-bench.sh
#
# It first backs the dataset up with odoo-ops (the artifact to restore), then restores it by hand into a
# scratch database and directory, then restores it with odoo-ops into the dataset's own environment
# (same content back; never in place: new database + swap). odoo-ops also fetches and checks the artifact,
# takes the mandatory pre-restore safety backup (a full backup), verifies row counts and the tree digest.
# The dataset is not a complete Odoo database (no ir_model_data, res_users), so the restore runs with
# --no-verify and validate-env is timed on its own afterwards. Prints a table; nothing is asserted.
# The downtime line is the restore's downtime.json: from quiesce (maintenance on) to maintenance lifted; the
# safety backup, pg_restore and the new filestore run before it, while the environment still serves. The
# benchmark's environment has no odoo control block, so Odoo's own start is not in it.
# Then (STANDBY=1, the default) the warm standby: a drill keeping it, and the undo (the newest artifact restored
# again) renaming it in.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup

echo "odoo-ops backup (the artifact) ..." >&2
odoo_ops backup backup --project perf --env src >/dev/null
artifact=$(grep -o '"artifact_id":"[^"]*"' "$BENCH_ROOT/backup.out" | cut -d'"' -f4)
stored=$(ls -d "$BENCH_ROOT"/store/perf/src/"$artifact")

echo "by hand: createdb + pg_restore -j 2, then zstd -d | tar -x ..." >&2
by_hand_restore_once "$stored/db.dump" "$stored/filestore.tar.zst"
db_s=$mdb_s fs_s=$mfs_s manual_s=$by_hand_s manual_kib=$by_hand_kib

drop_caches
echo "odoo-ops restore ..." >&2
read -r ops_s ops_kib < <(odoo_ops odoo-ops-restore restore --project perf --env src --artifact "$artifact" --odoo-version 17.0 \
  --confirm perf/src --no-verify)
read -r val_s val_kib < <(measure validate java -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" validate-env \
  --env perf/src --artifact "$artifact" --config "$BENCH_ROOT/config")

ev=$(ls -d "$BENCH_ROOT"/evidence/*-*/restore/*)

# the warm standby (issue 16, section 3; STANDBY=0 skips it): drills.standby on, the drill of the newest backup keeps
# its copies closed beside the live ones; then something is written to the environment and undone, i.e. the same
# artifact restored again (the newest), which renames the standby in instead of running pg_restore
if [[ "${STANDBY:-1}" == 1 ]]; then
  sed -i 's/actions: \[backup, restore\]/actions: [backup, restore, drill]/' "$BENCH_ROOT/config/environments.yaml"
  printf 'drills: {standby: true, work_dir: %s}\n' "$BENCH_ROOT/work" >> "$BENCH_ROOT/config/environments.yaml"
  echo "odoo-ops drill keeping the warm standby ..." >&2
  read -r drill_s drill_kib < <(measure drill java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" \
    drill --env perf/src --artifact "$artifact" --config "$BENCH_ROOT/config")
  grep -q '"kept" : true' "$BENCH_ROOT/drill.out" || { cat "$BENCH_ROOT/drill.out"; tail -n 20 "$BENCH_ROOT/drill.err"; } >&2
  standby_mb=$(( $(grep -o '"bytes" : [0-9]*' "$BENCH_ROOT/drill.out" | head -n1 | grep -o '[0-9]*$') / 1000000 ))
  PGPASSWORD=perf_bench psql -U perf_bench -d "$PERF_DB" -qc "create table if not exists bench_undo_marker(x int); \
    insert into bench_undo_marker values (1)"
  drop_caches
  echo "odoo-ops undo (restore of the newest artifact) with the warm standby ..." >&2
  read -r undo_s undo_kib < <(odoo_ops odoo-ops-undo restore --project perf --env src --artifact "$artifact" --odoo-version 17.0 \
    --confirm perf/src --no-verify)
  undo_ev=$(ls -td "$BENCH_ROOT"/evidence/*-*/restore/* | head -n1)
fi
safety_ev=$(grep -o '"backup_evidence_dir" : "[^"]*"' "$ev/pre_restore_backup.json" | cut -d'"' -f4)
printf '\nrestore benchmark, SCALE=%s: artifact %s MB (%s cores)\n' "$SCALE" $(( $(du -sb "$stored" | cut -f1) / 1000000 )) "$(nproc)"
printf '%-52s %10s %12s\n' "" "wall s" "peak RSS MB"
printf '%-52s %10s %12s\n' "by hand: pg_restore -j2 + zstd -d|tar -x (sequential)" "$manual_s" $((manual_kib / 1024))
printf '%-52s %10s %12s\n' "odoo-ops restore (full, --no-verify)" "$ops_s" $((ops_kib / 1024))
printf '%-52s %10s %12s\n' "odoo-ops validate-env (7 checks)" "$val_s" $((val_kib / 1024))
printf 'ratio odoo-ops restore / by hand (wall time): %s\n' "$(echo "scale=2; $ops_s / $manual_s" | bc)"
if [[ "${STANDBY:-1}" == 1 ]]; then
  printf '%-52s %10s %12s\n' "odoo-ops drill keeping the warm standby ($standby_mb MB)" "$drill_s" $((drill_kib / 1024))
  printf '%-52s %10s %12s\n' "odoo-ops undo with the warm standby (full, --no-verify)" "$undo_s" $((undo_kib / 1024))
  printf 'ratio undo with the standby / by hand (wall time): %s (target <= 0.5); standby used: %s; downtime %s s; safety backup %s s\n' \
    "$(echo "scale=2; $undo_s / $manual_s" | bc)" "$(grep -o '"standby" : [a-z]*' "$undo_ev/standby.json" | head -n1 | grep -o '[a-z]*$')" \
    "$(ms "$undo_ev/downtime.json" downtime_ms)" \
    "$(ms "$(grep -o '"backup_evidence_dir" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)/final_status.json" duration_ms)"
fi
printf 'odoo-ops phases: safety backup %s s; pg_restore %s s + row counts %s s + swap %s s; extract %s s + tree digest %s s + swap %s s\n' \
  "$(ms "$safety_ev/final_status.json" duration_ms)" \
  "$(ms "$ev/db_restore_duration.json" pg_restore_ms)" "$(ms "$ev/db_restore_duration.json" verify_ms)" \
  "$(ms "$ev/db_restore_duration.json" swap_ms)" "$(ms "$ev/filestore_restore_duration.json" extract_ms)" \
  "$(ms "$ev/filestore_restore_duration.json" verify_ms)" "$(ms "$ev/filestore_restore_duration.json" swap_ms)"
printf 'by hand phases: database %s s, filestore %s s\n' "$db_s" "$fs_s"
# the environment's downtime (quiesce to maintenance lifted): everything else ran while it still served
down_s=$(ms "$ev/downtime.json" downtime_ms)
printf 'odoo-ops downtime (quiesce to maintenance lifted): %s s of the %s s run; ratio downtime / by hand: %s\n' \
  "$down_s" "$ops_s" "$(echo "scale=2; $down_s / $manual_s" | bc)"
printf 'downtime parts: %s\n' "$(tr -d '\n ' < "$ev/downtime.json" | grep -o '"parts":{[^}]*}' | sed 's/"parts"://; s/"//g')"
printf 'validate-env on this dataset: %s\n' "$(tr -d '\n' < "$BENCH_ROOT/validate.out" | grep -o '"name" : "[a-z_]*", *"status" : "[a-z]*"' | \
  sed 's/"name" : "\([a-z_]*\)", *"status" : "\([a-z]*\)"/\1=\2/' | tr '\n' ' ')"
