#!/usr/bin/env bash
# anonymize.sh - the anonymisation of a sanitised snapshot (issue 14, section 1) side by side with the pg_restore
# it follows: time of `createdb + pg_restore` of a -Fc dump of the shared dataset into a scratch database, then
# time of the anonymisation engine (postgres.Anonymizer, default rules) on that scratch database and a scratch
# (hard-linked) copy of the filestore. Prints the figures and the ratio (target: anonymise <= 0.5 x restore).
# Nothing is asserted.
#
#   SCALE=10 PERF_DB=perf_anon bench/anonymize.sh      (~170 MB DB + ~300 MB files, built if missing)
#   SCALE=100 bench/anonymize.sh                       (the issue's figure; ~1.7 GB DB + ~3 GB files)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCALE=${SCALE:-100}
PERF_DB=${PERF_DB:-perf_src}
PERF_ROOT=/var/tmp/perf
DATASET=${DATASET:-$home/../shared/bench/make-dataset.sh}
[ -f "$DATASET" ] || DATASET=/work/shared/bench/make-dataset.sh
WORK=${WORK:-/var/tmp/odoo-ops-bench-anon-$PERF_DB}
SCRATCH=${PERF_DB}_anon_scratch
JOBS=${JOBS:-2}
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=perf_bench PGPASSWORD=perf_bench

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
command -v bc >/dev/null || { apt-get update -q >&2 && apt-get install -y -q bc >&2; }

SCALE=$SCALE PERF_DB=$PERF_DB bash "$DATASET" >&2
(cd "$home" && mvn -B -q -o -DskipTests package && mvn -B -q -o test-compile) >&2

rm -rf "$WORK"; mkdir -p "$WORK"
echo "pg_dump -Fc $PERF_DB ..." >&2
pg_dump -Fc -d "$PERF_DB" -f "$WORK/db.dump"
dump_bytes=$(stat -c %s "$WORK/db.dump")

sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
echo "createdb + pg_restore -j $JOBS into $SCRATCH ..." >&2
dropdb --if-exists "$SCRATCH"
t0=$(now)
createdb "$SCRATCH"
pg_restore --exit-on-error --no-owner --no-acl -j "$JOBS" -d "$SCRATCH" "$WORK/db.dump"
t1=$(now)
restore_s=$(secs "$t0" "$t1")

echo "scratch filestore (hard links, not timed) ..." >&2
mkdir -p "$WORK/filestore"
cp -al "$PERF_ROOT/filestore/$PERF_DB" "$WORK/filestore/$SCRATCH"
files_before=$(find "$WORK/filestore/$SCRATCH" -type f | wc -l)

echo "anonymise $SCRATCH ..." >&2
t2=$(now)
JOBS=$JOBS java -cp "$home/target/odoo-ops.jar:$home/target/test-classes" dev.odooops.support.AnonymizeMain \
  "jdbc:postgresql://127.0.0.1:5432/$SCRATCH" perf_bench "$WORK/filestore/$SCRATCH" "bench-$(date +%s)" \
  > "$WORK/evidence.json"
t3=$(now)
anon_s=$(secs "$t2" "$t3")
engine_ms=$(grep -o 'anonymize_ms=[0-9]*' "$WORK/evidence.json" | cut -d= -f2)
files_after=$(find "$WORK/filestore/$SCRATCH" -type f | wc -l)
unbalanced=$(psql -X -qAt -d "$SCRATCH" -c "SELECT count(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id HAVING sum(debit) <> sum(credit)) x")

printf '\n%-44s %s\n' "dataset" "$PERF_DB (SCALE=$SCALE), dump $dump_bytes bytes"
printf '%-44s %8.1f s\n' "createdb + pg_restore -j $JOBS (database)" "$restore_s"
printf '%-44s %8.1f s  (engine %s ms, rest = JVM start)\n' "anonymisation, $JOBS connections (db + files)" "$anon_s" "$engine_ms"
printf '%-44s %8.2f  (target <= 0.50)\n' "ratio anonymise / restore" "$(echo "scale=4; $anon_s / $restore_s" | bc)"
printf '%-44s %8.2f\n' "ratio engine only / restore" "$(echo "scale=4; $engine_ms / 1000 / $restore_s" | bc)"
printf '%-44s %s -> %s\n' "filestore files" "$files_before" "$files_after"
printf '%-44s %s\n' "unbalanced journal entries after" "$unbalanced"
python3 - "$WORK/evidence.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
e = json.loads(text[:text.rindex("anonymize_ms")])
print("engine steps (ms):", ", ".join("%s %d rows %d" % (r["name"], r["rows"], r["ms"])
      for r in e["rules"] + e["amounts"].get("tables", [])), "| attachments %s rows %s" % (
      e["attachments"].get("rows"), e["attachments"].get("ms")), "| total", e["ms"])
PY
echo "evidence: $WORK/evidence.json" >&2

dropdb "$SCRATCH"
rm -rf "$WORK/filestore" "$WORK/db.dump"
