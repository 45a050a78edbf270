#!/usr/bin/env bash
# serve-bench.sh - odoo-ops serve under load: start-up to ready, idle RSS, and GET /api/v1/runs latency for 50
# concurrent clients while a full backup of the shared benchmark dataset runs in the same process.
#
#   SCALE=100 bench/serve-bench.sh      (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10  bench/serve-bench.sh      (quick)
#
# The latency is measured twice, idle and during the backup, so the figures compare the two in one run
# (the targets of issue #7: p99 under 50 ms during the backup, idle RSS under 300 MB, ready under 5 s).
# Prints a table; nothing is asserted. Needs ab (apache2-utils, installed when missing) for the load, and bc.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup
command -v ab >/dev/null || { apt-get update -q >&2 && apt-get install -y -q apache2-utils >&2; }
CLIENTS=${CLIENTS:-50}
SECONDS_PER_PHASE=${SECONDS_PER_PHASE:-15}   # each client requests in a loop for this long
PORT=${PORT:-18780}
TOKEN=bench-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >> "$BENCH_ROOT/config/application.properties" <<PROPS
http.port=$PORT
jms.embedded-port=$((PORT + 1))
jms.embedded-data-dir=$BENCH_ROOT/artemis
PROPS
printf 'bench_token=%s\n' "$TOKEN" >> "$BENCH_ROOT/config/secrets.properties"
sed -i 's|users: \[{name: operator, permissions|users: [{name: operator, api_token: "${secret:bench_token}", permissions|' \
  "$BENCH_ROOT/config/environments.yaml"

start=$(date +%s.%N)
java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" serve --config "$BENCH_ROOT/config" \
  > "$BENCH_ROOT/serve.out" 2> "$BENCH_ROOT/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q "odoo-ops serve: ready" "$BENCH_ROOT/serve.err"; do
  kill -0 $pid 2>/dev/null || { cat "$BENCH_ROOT/serve.err" >&2; exit 1; }
  sleep 0.05
done
ready_s=$(echo "$(date +%s.%N) - $start" | bc)
ready_ms=$(grep -o "ready in [0-9]* ms" "$BENCH_ROOT/serve.err" | grep -o "[0-9]*")
sleep 10
idle_rss_mb=$(( $(ps -o rss= -p $pid) / 1024 ))

# a catalog with history, so that the list holds its 20 rows: 60 earlier daily backups of perf/src
psql -U postgres -d "$BENCH_CATALOG" -q -c "delete from ops.runs where created_by = 'bench-history'" \
  -c "insert into ops.runs(run_id, project, environment_id, operation_type, status, created_by, created_at, started_at,
        finished_at, evidence_dir, metadata)
      select gen_random_uuid(), 'perf', 'perf/src', 'backup', 'success', 'bench-history', now() - i * interval '1 day',
        now() - i * interval '1 day', now() - i * interval '1 day' + interval '70 seconds',
        '$BENCH_ROOT/evidence/history/' || i, jsonb_build_object('artifact_id', 'perf-src-history-' || i)
      from generate_series(1, 60) as i"

load() {  # -> "p50_ms p99_ms max_ms requests errors", from ab (keep-alive, $CLIENTS at once, $SECONDS_PER_PHASE s)
  # closed loop: each of the $CLIENTS clients sends its next request as soon as the previous one is answered
  ab -q -k -c "$CLIENTS" -t "$SECONDS_PER_PHASE" -n 10000000 -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/runs?env=perf/src&limit=20" > "$BENCH_ROOT/ab-$1.txt" 2>&1 || true
  awk '/Complete requests:/ {n=$3} /Failed requests:/ {f=$3} /Non-2xx responses:/ {f+=$3}
       / 50% / {p50=$2} / 99% / {p99=$2} /100% / {mx=$2}
       END {printf "%s %s %s %s %s\n", p50, p99, mx, n, f+0}' "$BENCH_ROOT/ab-$1.txt"
}

echo "warming up (5 s, not counted: the JIT compiles the request path) ..." >&2
SECONDS_PER_PHASE=5 load warmup > /dev/null
echo "GET /api/v1/runs, $CLIENTS clients for $SECONDS_PER_PHASE s, idle ..." >&2
read -r i50 i99 imax in ierr < <(load idle)

curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"environment": "perf/src", "type": "full"}' "http://127.0.0.1:$PORT/api/v1/backups" > "$BENCH_ROOT/post.json"
run=$(python3 -c "import json; print(json.load(open('$BENCH_ROOT/post.json'))['run_id'])")
sleep 2
echo "GET /api/v1/runs, $CLIENTS clients for $SECONDS_PER_PHASE s, while backup run $run runs ..." >&2
read -r b50 b99 bmax bn berr < <(load backup)
still=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/runs/$run" | grep -o '"status":"[a-z_]*"' | head -n1)
while curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/runs/$run" | grep -q '"status":"\(queued\|running\)"'; do sleep 1; done
final=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/runs/$run" | grep -o '"status":"[a-z_]*"' | head -n1)
peak_rss_mb=$(( $(grep VmHWM /proc/$pid/status | awk '{print $2}') / 1024 ))
kill -TERM $pid; wait $pid 2>/dev/null || true
trap - EXIT

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
printf '\nserve benchmark, SCALE=%s: database %s MB, filestore %s MB (%s cores)\n' "$SCALE" \
  $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$(nproc)"
printf 'start-up to ready: %s ms (process start to the ready line: %.1f s; target < 5 s)\n' "$ready_ms" "$ready_s"
printf 'idle RSS: %s MB (target < 300 MB); peak RSS during the backup: %s MB\n' "$idle_rss_mb" "$peak_rss_mb"
printf '%-40s %8s %8s %8s %9s %7s\n' "GET /api/v1/runs, $CLIENTS clients" "p50 ms" "p99 ms" "max ms" "requests" "errors"
printf '%-40s %8s %8s %8s %9s %7s\n' "idle" "$i50" "$i99" "$imax" "$in" "$ierr"
printf '%-40s %8s %8s %8s %9s %7s\n' "during a full backup (run ${still#*:})" "$b50" "$b99" "$bmax" "$bn" "$berr"
printf 'ratio p99 during the backup / idle: %s (target: p99 < 50 ms)\n' "$(echo "scale=2; $b99 / $i99" | bc)"
printf 'the backup ended %s\n' "${final#*:}"
