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
# (ODOO_OPS_CDS=off). Needs restic, /usr/bin/time and bc (the latter two installed when missing). The dataset script
# is ../shared/bench/make-dataset.sh beside the checkout (lib.sh); from elsewhere set DATASET=/path/to/make-dataset.sh.
# Builds the jar (mvn package) like the other benchmarks; its own catalog, store and archive under $BENCH_ROOT.
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
ops="$home/odoo-ops"

# "wall cpu" seconds of one run of a command (its output discarded; its exit code ignored: a rejection exits 2);
# cpu is user + system of the process and its children: what the start costs, less swayed by a loaded machine
seconds() {
  local start=$EPOCHREALTIME t
  t=$(mktemp)
  /usr/bin/time -f '%U %S' -o "$t" "$@" >/dev/null 2>&1 </dev/null || true
  echo "$(echo "$EPOCHREALTIME - $start" | bc) $(tail -n 1 "$t" | awk '{print $1 + $2}')"
  rm -f "$t"
}
median() {  # N runs of a command -> "median-wall median-cpu"
  local i runs=()
  for ((i = 0; i < N; i++)); do runs+=("$(seconds "$@")"); done
  local wall cpu
  wall=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}')
  cpu=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f2 | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}')
  echo "$wall $cpu"
}

echo "first backup (the environment's one artifact) ..." >&2
"$ops" backup --env perf/src "${conf[@]}" > "$BENCH_ROOT/first.out" 2> "$BENCH_ROOT/first.err" \
  || { tail -n 20 "$BENCH_ROOT/first.err" >&2; exit 1; }
run_id=$(grep -o '"run_id":"[^"]*"' "$BENCH_ROOT/first.out" | cut -d'"' -f4)
grep -q '"status":"success"' "$BENCH_ROOT/first.out" || { cat "$BENCH_ROOT/first.out" >&2; exit 1; }

echo "class-data archive: the launcher's training run ..." >&2
rm -rf "$ODOO_OPS_CDS_DIR"
"$ops" runs --env perf/src "${conf[@]}" >/dev/null 2>&1
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
read -r rs rs_cpu < <(median restic snapshots)
read -r rb rb_cpu < <(median restic backup -q "$tree" "$FS_DIR")
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
  with[$name]=$(median "$ops" "${cmd[@]}")
  without[$name]=$(median env ODOO_OPS_CDS=off "$ops" "${cmd[@]}")
  unset -n cmd
done
"$ops" backup --env perf/src "${conf[@]}" 2>/dev/null | grep -q '"status":"skipped_unchanged"' \
  || echo "warning: the unchanged backup was not skipped_unchanged" >&2

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
printf '\ncommand line benchmark, SCALE=%s: database %s MB, filestore %s MB; median of %s runs; %s cores, load %s\n' \
  "$SCALE" $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$N" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'class-data archive: %s\n' "$archive"
printf 'restic snapshots: %s s (cpu %s s); restic backup of the unchanged tree (%s MB): %s s (cpu %s s)\n\n' "$rs" "$rs_cpu" \
  $(( $(du -sbc "$tree" "$FS_DIR" | tail -n1 | cut -f1) / 1000000 )) "$rb" "$rb_cpu"
printf '%-34s %8s %7s %7s %13s %9s %5s\n' "odoo-ops" "wall s" "ratio" "cpu s" "no archive s" "target s" "met"
for name in "${names[@]}"; do
  declare -n cmd="cmd_${name//-/_}"
  base=$rs; target=1; [[ $name == backup-unchanged ]] && { base=$rb; target=2; }
  label="${cmd[*]}"; label="${label%% --config*}"; label="${label//$run_id/ID}"
  [[ $name == rejected ]] && label="$label (rejected)"
  read -r w c <<< "${with[$name]}"
  read -r wo _ <<< "${without[$name]}"
  met=$(echo "$w < $target" | bc)
  printf '%-34s %8s %7s %7s %13s %9s %5s\n' "$label" "$w" "$(echo "scale=2; $w / $base" | bc)x" "$c" "$wo" "$target" \
    "$([[ $met == 1 ]] && echo yes || echo NO)"
  unset -n cmd
done
printf '\nratio: wall time to restic snapshots; the unchanged backup to restic backup of the unchanged tree. On a loaded\n'
printf 'machine (see load above) the wall times stretch; the ratios and cpu seconds are the comparable figures.\n'
