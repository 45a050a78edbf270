#!/usr/bin/env bash
# proof-bench.sh - every figure of issue #16 in one run, as ratios against the same work by hand (and restic for
# the daily backup), with odoo-ops in its defaults (packed filestore):
#   first full backup; daily backup with 1 % new attachments; restore of that newest artifact into its own
#   environment ("undo today"); restore with the filestore gone (disaster recovery); peak RSS of odoo-ops;
#   and the rows of the drill RTO, the restore's downtime and the undo with a warm standby, which print
#   "n/a (not built yet)" while the command or field they read is missing.
#
#   SCALE=100 bench/proof-bench.sh   (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10 PERF_DB=perf_small BENCH_ROOT=/var/tmp/odoo-ops-bench-small bench/proof-bench.sh   (quick)
#
# By hand: pg_dump -Fc (its default compression), then tar | zstd -3 -T0 (sequential); restore: createdb +
# pg_restore -j 2, then zstd -d | tar -x. restic: the same pg_dump file and the filestore into one repository
# (its default compression), so its daily backup does what odoo-ops's does. The dataset is not a complete Odoo
# database, so restores run with --no-verify and state the Odoo version (as incremental-bench.sh). The load
# average before and after is printed: other work on the machine makes every figure noisier. Nothing is asserted.
# The rows that both sides can repeat (first full backup, by-hand restore, disaster recovery) run REPEAT times (3 by
# default), by hand and odoo-ops alternating, and report medians (each run's figure is printed too): on a 2-core
# machine one `tar | zstd` took 10 to 24 s from run to run. A repeated first full backup goes to a catalog and store
# of its own each time (it must be the environment's first); the one the daily backup builds on is the last.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
REPEAT=${REPEAT:-3}
bench_setup
daily_setup
# a first full backup into a catalog and store of their own (dropped after): the environment's first each time
full_elsewhere() {  # i -> "seconds peak_kib"
  local i=$1 cfg="$BENCH_ROOT/config-rep$1"
  rm -rf "$cfg" "$BENCH_ROOT/store-rep$i"; cp -r "$BENCH_ROOT/config" "$cfg"; mkdir -p "$BENCH_ROOT/store-rep$i"
  sed -i "s#^ops.db.url=.*#ops.db.url=jdbc:postgresql://127.0.0.1:5432/${BENCH_CATALOG}_rep$i#" "$cfg/application.properties"
  sed -i "s#path: $BENCH_ROOT/store}#path: $BENCH_ROOT/store-rep$i}#" "$cfg/environments.yaml"
  psql -U postgres -q -c "drop database if exists ${BENCH_CATALOG}_rep$i with (force)"
  "$home/odoo-ops" migrate --config "$cfg" >&2
  drop_caches
  local t; t=$(measure "full-rep$i" "$home/odoo-ops" backup --project perf --env src --config "$cfg")
  grep -qE '"status" *: *"success"' "$BENCH_ROOT/full-rep$i.out" || { tail -n 20 "$BENCH_ROOT/full-rep$i.err" >&2; return 1; }
  psql -U postgres -q -c "drop database if exists ${BENCH_CATALOG}_rep$i with (force)"
  rm -rf "$cfg" "$BENCH_ROOT/store-rep$i"
  echo "$t"
}

manual_fulls=(); ops_fulls=()
for ((rep = 1; rep <= REPEAT; rep++)); do
  echo "1. first full backup ($rep/$REPEAT): by hand ..." >&2
  by_hand_full_once
  manual_fulls+=("$by_hand_full_s")
  echo "   odoo-ops ..." >&2
  if (( rep < REPEAT )); then
    read -r s kib < <(full_elsewhere "$rep"); track "$kib"
  else
    drop_caches
    read -r s kib < <(odoo_ops full backup --project perf --env src); track "$kib"
  fi
  ops_fulls+=("$s")
done
manual_full=$(median "${manual_fulls[@]}"); ops_full=$(median "${ops_fulls[@]}")
full_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/full.out" | cut -d'"' -f4)
drop_caches
echo "   restic (its first backup, the base of the daily one) ..." >&2
read -r restic_full _ < <(measure restic-full bash -c "$(declare -f dump_for_restic); PERF_DB=$PERF_DB BENCH_ROOT=$BENCH_ROOT dump_for_restic && restic backup -q '$FS_DIR' '$BENCH_ROOT/restic-dump'")

echo "2. a day with 1 % new attachments ($new_per_day files) ..." >&2
add_attachments "$new_per_day" 0
drop_caches
read -r ops_day kib < <(odoo_ops day backup --project perf --env src); track "$kib"
day_ev=$(grep -o '"evidence_dir":"[^"]*"' "$BENCH_ROOT/day.out" | cut -d'"' -f4)
day_artifact=$(grep -o '"artifact_id":"[^"]*"' "$BENCH_ROOT/day.out" | cut -d'"' -f4)
drop_caches
read -r restic_day _ < <(measure restic-day bash -c "$(declare -f dump_for_restic); PERF_DB=$PERF_DB BENCH_ROOT=$BENCH_ROOT dump_for_restic && restic backup -q '$FS_DIR' '$BENCH_ROOT/restic-dump'")

manual_restores=()
by_hand_restore() {  # appends to manual_restores
  by_hand_restore_once
  manual_restores+=("$by_hand_s")
}
echo "3. by hand restore (the reference of every restore row; again beside each disaster recovery) ..." >&2
by_hand_restore

# the drill (another helper builds it): its RTO when the command exists
drill_row="n/a (not built yet)"
# (an unknown command's --help prints the usage too: the command must be in the usage's list of commands)
if java -jar "$home/target/odoo-ops.jar" --help 2>&1 | grep -qE '^ +drill( |$)'; then
  echo "4. drill of the newest artifact ..." >&2
  if read -r drill_s kib < <(odoo_ops drill drill --env perf/src --artifact "$day_artifact"); then
    track "$kib"
    rto=$(grep -o '"rto_ms" *: *[0-9]*' "$BENCH_ROOT/drill.out" | head -n1 | grep -o '[0-9]*$' || true)
    [ -n "$rto" ] && drill_s=$(echo "scale=1; $rto / 1000" | bc)
    drill_row="$drill_s"
  else
    drill_row="n/a (drill failed: $BENCH_ROOT/drill.err)"
  fi
fi

echo "5. restore of that artifact into its own environment (undo today) ..." >&2
drop_caches
read -r ops_undo kib < <(odoo_ops undo restore --project perf --env src --artifact "$day_artifact" --confirm perf/src --no-verify --odoo-version 17.0)
track "$kib"
undo_ev=$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)
downtime=$(grep -o '"downtime_ms" *: *[0-9]*' "$BENCH_ROOT/undo.out" | head -n1 | grep -o '[0-9]*$' || true)

ops_drs=()
for ((rep = 1; rep <= REPEAT; rep++)); do
  echo "6. restore with the filestore gone (disaster recovery, $rep/$REPEAT) ..." >&2
  rm -rf "$FS_DIR.gone"; mv "$FS_DIR" "$FS_DIR.gone"   # what the restore brings back is the same tree
  drop_caches
  read -r s kib < <(odoo_ops dr restore --project perf --env src --artifact "$day_artifact" --confirm perf/src --no-verify --odoo-version 17.0)
  track "$kib"; ops_drs+=("$s")
  dr_ev=$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)
  rm -rf "$FS_DIR.gone"
  if (( rep < REPEAT )); then by_hand_restore; fi
done
ops_dr=$(median "${ops_drs[@]}"); manual_restore=$(median "${manual_restores[@]}")

# the warm standby: a drill with drills.standby keeps its copies, a write makes the environment differ from the
# artifact, and the undo of that artifact renames the standby in instead of pg_restore
standby_row="n/a (not built yet)"
if [ "$drill_row" != "n/a (not built yet)" ]; then
  echo "7. undo with the warm standby: drill keeping it, a write, the restore ..." >&2
  echo "        drills: {standby: true}" >> "$BENCH_ROOT/config/environments.yaml"
  if read -r keep_s kib < <(odoo_ops keep drill --env perf/src --artifact "$day_artifact"); then
    track "$kib"
    psql -U postgres -d "$PERF_DB" -qc "insert into ir_attachment(id, name) select coalesce(max(id), 0) + 1, 'bench-write' from ir_attachment"
    drop_caches
    if read -r ops_undo_sb kib < <(odoo_ops undo-standby restore --project perf --env src --artifact "$day_artifact" --confirm perf/src --no-verify --odoo-version 17.0); then
      track "$kib"
      # (final_status.json is pretty-printed: "standby" : {...} over several lines)
      used=$(tr -d '\n' < "$(ls -td "$BENCH_ROOT"/evidence/*/restore/* | head -n1)/final_status.json" | grep -o '"standby" *: *{[^}]*}' | head -n1 || true)
      case "$used" in *'"standby" : true'*|*'"standby": true'*|*'"standby":true'*) standby_row="$ops_undo_sb" ;; *) standby_row="n/a (standby not used: $used)" ;; esac
      sb_downtime=$(grep -o '"downtime_ms" *: *[0-9]*' "$BENCH_ROOT/undo-standby.out" | head -n1 | grep -o '[0-9]*$' || true)
    else
      standby_row="n/a (restore failed: $BENCH_ROOT/undo-standby.err)"
    fi
  else
    standby_row="n/a (drill keeping the standby failed: $BENCH_ROOT/keep.err)"
  fi
  psql -U postgres -d "$PERF_DB" -qc "delete from ir_attachment where name = 'bench-write'" 2>/dev/null || true
fi

r() { echo "scale=2; $1 / $2" | bc; }
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\nproof benchmark (issue #16), SCALE=%s: %s files, %s new per day of %s bytes (%s cores), packed filestore\n' \
  "$SCALE" "$files" "$new_per_day" "$avg_size" "$(nproc)"
printf 'load average before %s, after %s\n' "$load_before" "$load_after"
printf '%-52s %9s %9s %9s %16s\n' "work" "odoo-ops" "by hand" "restic" "ratio (target)"
printf '%-52s %9s %9s %9s %16s\n' "first full backup (s)" "$ops_full" "$manual_full" "$restic_full" "$(r "$ops_full" "$manual_full") (<= 0.8)"
printf '%-52s %9s %9s %9s %16s\n' "daily backup, 1 % new attachments (s), / restic" "$ops_day" "-" "$restic_day" "$(r "$ops_day" "$restic_day") (<= 1.0)"
printf '%-52s %9s %9s %9s %16s\n' "disaster recovery, the filestore gone (s)" "$ops_dr" "$manual_restore" "-" "$(r "$ops_dr" "$manual_restore") (<= 1.3)"
printf '%-52s %9s %9s %9s %16s\n' "restore of the newest artifact, undo today (s)" "$ops_undo" "$manual_restore" "-" "$(r "$ops_undo" "$manual_restore")"
case "$standby_row" in
  n/a*) printf '%-52s %s\n' "  the same with the warm standby (s)" "$standby_row" ;;
  *) printf '%-52s %9s %9s %9s %16s\n' "  the same with the warm standby (s)" "$standby_row" "$manual_restore" "-" "$(r "$standby_row" "$manual_restore") (<= 0.5)"
     [ -n "${sb_downtime:-}" ] && printf '%-52s %9s\n' "    its downtime (s)" "$(echo "scale=1; $sb_downtime / 1000" | bc)" ;;
esac
if [ -n "$downtime" ]; then
  printf '%-52s %9s %9s %9s %16s\n' "restore downtime, quiesce to maintenance lifted (s)" "$(echo "scale=1; $downtime / 1000" | bc)" \
    "$manual_restore" "-" "$(r "$(echo "scale=3; $downtime / 1000" | bc)" "$manual_restore") (< 10 s)"
else
  printf '%-52s %9s\n' "restore downtime, quiesce to maintenance lifted (s)" "n/a (not built yet)"
fi
case "$drill_row" in
  n/a*) printf '%-52s %s\n' "drill RTO, start to validated (s)" "$drill_row" ;;
  *) printf '%-52s %9s %9s %9s %16s\n' "drill RTO, start to validated (s)" "$drill_row" "$manual_restore" "-" "$(r "$drill_row" "$manual_restore")" ;;
esac
printf '%-52s %9s\n' "peak RSS of the odoo-ops runs (MB)" "$((peak / 1024))"
printf 'medians of %s runs each: first full backup odoo-ops %s, by hand %s; disaster recovery %s; by-hand restore %s\n' \
  "$REPEAT" "${ops_fulls[*]}" "${manual_fulls[*]}" "${ops_drs[*]}" "${manual_restores[*]}"
printf 'full backup: run %s s (the rest is the JVM starting); pg_dump %s s (%s, %s MB; by hand %s s, %s MB) and filestore %s s, concurrent\n' \
  "$(ms "$full_ev/final_status.json" duration_ms)" \
  "$(ms "$full_ev/db.dump.meta.json" duration_ms)" \
  "$(grep -o '"compression" : "[^"]*"' "$full_ev/db.dump.meta.json" | cut -d'"' -f4)" \
  $(( $(grep -o '"size_bytes" : [0-9]*' "$full_ev/db.dump.meta.json" | grep -o '[0-9]*$') / 1000000 )) \
  "$dump_s" $(( $(stat -c %s "$BENCH_ROOT/manual/db.dump") / 1000000 )) \
  "$(ms "$full_ev/filestore.meta.json" duration_ms)"
printf 'daily backup: filestore %s s, database dump %s s\n' "$(ms "$day_ev/filestore.meta.json" duration_ms)" \
  "$(ms "$day_ev/db.dump.meta.json" duration_ms)"
printf 'undo today: linked %s, fetched %s files; safety backup %s s; pg_restore %s s\n' \
  "$(grep -o '"linked_files" : [0-9]*' "$undo_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(grep -o '"fetched_files" : [0-9]*' "$undo_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(ms "$(grep -o '"backup_evidence_dir" : "[^"]*"' "$undo_ev/pre_restore_backup.json" | cut -d'"' -f4)/final_status.json" duration_ms)" \
  "$(ms "$undo_ev/db_restore_duration.json" pg_restore_ms)"
printf 'disaster recovery: fetched %s files from %s packs; assemble %s s, verify %s s; pg_restore %s s; safety backup %s s\n' \
  "$(grep -o '"fetched_files" : [0-9]*' "$dr_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(grep -o '"fetched_packs" : [0-9]*' "$dr_ev/filestore_restore_duration.json" | grep -o '[0-9]*$')" \
  "$(ms "$dr_ev/filestore_restore_duration.json" assemble_ms)" "$(ms "$dr_ev/filestore_restore_duration.json" verify_ms)" \
  "$(ms "$dr_ev/db_restore_duration.json" pg_restore_ms)" \
  "$(ms "$(grep -o '"backup_evidence_dir" : "[^"]*"' "$dr_ev/pre_restore_backup.json" | cut -d'"' -f4)/final_status.json" duration_ms)"
printf 'by hand: pg_dump %s s, tar|zstd %s s; restore database %s s, filestore %s s\n' "$dump_s" "$tar_s" "$mdb_s" "$mfs_s"
