#!/usr/bin/env bash
# cli-bench.sh - how fast the command line answers (issue 15 section 5), as an operator runs it (./odoo-ops, the
# launcher, with its class-data archive), each figure the median of N runs and a ratio to restic doing the like:
# `restic snapshots` for the answers and views, `restic backup` of an unchanged tree of the same size (the
# environment's filestore and a dump of its database) for a backup of an unchanged environment.
#
#   bench/cli-bench.sh                 (SCALE=1: a demo-sized environment, ~27 MB database, ~30 MB files; N=5)
#   N=9 SCALE=10 bench/cli-bench.sh
#
# Targets: --help and a rejected option well under 1 s, artifacts / runs / run under 1 s, the unchanged backup
# under 2 s. Prints a table; nothing is asserted. Each odoo-ops figure is also given without the archive
# (ODOO_OPS_CDS=off). Needs restic, /usr/bin/time and bc (the latter two installed when missing).
export SCALE=${SCALE:-1}
export PERF_DB=${PERF_DB:-perf_cli}
export BENCH_ROOT=${BENCH_ROOT:-/var/tmp/odoo-ops-cli-bench}
export BENCH_CATALOG=${BENCH_CATALOG:-odoo_ops_cli_bench}
N=${N:-5}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v restic >/dev/null || { echo "cli-bench: restic is needed (apt-get install restic)" >&2; exit 2; }
bench_setup
export ODOO_OPS_CDS_DIR="$BENCH_ROOT/cds"
conf=(--config "$BENCH_ROOT/config")
ops() { "$home/odoo-ops" "$@"; }

# seconds of one run of a command (its output discarded; its exit code ignored: a rejection exits 2)
seconds() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 </dev/null || true
  echo "$EPOCHREALTIME - $start" | bc
}
median() {  # N runs of a command -> the median seconds
  local i times=()
  for ((i = 0; i < N; i++)); do times+=("$(seconds "$@")"); done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'
}

echo "first backup (the environment's one artifact) ..." >&2
ops backup --env perf/src "${conf[@]}" > "$BENCH_ROOT/first.out" 2> "$BENCH_ROOT/first.err" \
  || { tail -n 20 "$BENCH_ROOT/first.err" >&2; exit 1; }
run_id=$(grep -o '"run_id":"[^"]*"' "$BENCH_ROOT/first.out" | cut -d'"' -f4)
grep -q '"status":"success"' "$BENCH_ROOT/first.out" || { cat "$BENCH_ROOT/first.out" >&2; exit 1; }

echo "class-data archive: the launcher's training run ..." >&2
rm -rf "$ODOO_OPS_CDS_DIR"
ops runs --env perf/src "${conf[@]}" >/dev/null 2>&1
for ((i = 0; i < 120; i++)); do compgen -G "$ODOO_OPS_CDS_DIR/odoo-ops-*.jsa" >/dev/null && break; sleep 0.5; done
archive=$(compgen -G "$ODOO_OPS_CDS_DIR/odoo-ops-*.jsa" || echo "(none made)")

echo "restic: a repository and an unchanged tree of the same size ..." >&2
export RESTIC_PASSWORD=cli-bench RESTIC_REPOSITORY="$BENCH_ROOT/restic" RESTIC_CACHE_DIR="$BENCH_ROOT/restic-cache"
tree="$BENCH_ROOT/tree"
mkdir -p "$tree"
env PGPASSWORD=perf_bench pg_dump -Fc -U perf_bench -d "$PERF_DB" -f "$tree/db.dump"
restic init -q
restic backup -q "$tree" "$FS_DIR" >/dev/null

echo "measuring (N=$N) ..." >&2
rs=$(median restic snapshots)
rb=$(median restic backup -q "$tree" "$FS_DIR")
declare -A with without
names=(help rejected artifacts runs run backup-unchanged)
cmd_help=(--help)
cmd_rejected=(artifacts --env perf/src --jsn)
cmd_artifacts=(artifacts --env perf/src "${conf[@]}")
cmd_runs=(runs --env perf/src "${conf[@]}")
cmd_run=(run "$run_id" "${conf[@]}")
cmd_backup_unchanged=(backup --env perf/src "${conf[@]}")
for name in "${names[@]}"; do
  declare -n cmd="cmd_${name//-/_}"
  with[$name]=$(median ops "${cmd[@]}")
  without[$name]=$(ODOO_OPS_CDS=off median ops "${cmd[@]}")
  unset -n cmd
done
ops backup --env perf/src "${conf[@]}" 2>/dev/null | grep -q '"status":"skipped_unchanged"' \
  || echo "warning: the unchanged backup was not skipped_unchanged" >&2

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
printf '\ncommand line benchmark, SCALE=%s: database %s MB, filestore %s MB; median of %s runs; %s cores, load %s\n' \
  "$SCALE" $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$N" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'class-data archive: %s\n' "$archive"
printf 'restic snapshots: %s s; restic backup of the unchanged tree (%s MB): %s s\n\n' "$rs" \
  $(( $(du -sbc "$tree" "$FS_DIR" | tail -n1 | cut -f1) / 1000000 )) "$rb"
printf '%-34s %9s %9s %12s %9s %6s\n' "odoo-ops" "wall s" "ratio" "no archive s" "target s" "met"
for name in "${names[@]}"; do
  declare -n cmd="cmd_${name//-/_}"
  base=$rs; target=1; [[ $name == backup-unchanged ]] && { base=$rb; target=2; }
  label="${cmd[*]}"; label="${label%% --config*}"; label="${label//$run_id/ID}"
  met=$(echo "${with[$name]} < $target" | bc)
  printf '%-34s %9s %9s %12s %9s %6s\n' "$label" "${with[$name]}" "$(echo "scale=1; ${with[$name]} / $base" | bc)x" \
    "${without[$name]}" "$target" "$([[ $met == 1 ]] && echo yes || echo NO)"
  unset -n cmd
done
printf '\nratio: to restic snapshots, the unchanged backup to restic backup of the unchanged tree\n'
