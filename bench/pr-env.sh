#!/usr/bin/env bash
# pr-env.sh - how long odoo-ops takes to make a pull-request environment of the shared benchmark dataset, side by
# side with a pg_restore of the same dump (createdb + pg_restore -j 2, the database alone), as a ratio.
#
#   SCALE=100 bench/pr-env.sh     (default; the issue's target: a PR environment in under 15 s)
#   SCALE=10 PERF_DB=perf_prenv BENCH_ROOT=/var/tmp/odoo-ops-bench-prenv BENCH_CATALOG=odoo_ops_bench_prenv bench/pr-env.sh
#
# It backs the dataset up with odoo-ops and marks that artifact sanitized_snapshot in the benchmark's own catalog (the
# snapshot operation's anonymisation is not what is measured here; its own benchmark is). Then:
#   1. by hand: createdb + pg_restore -j 2 of the artifact's db.dump (the database alone, no filestore);
#   2. pr-env create --pr 1: the first one loads the snapshot into the project's template (fetch, pg_restore, unpack
#      the filestore), then copies it (CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY, hard links);
#   3. pr-env create --pr 2: the template is there: only the copy and the links (the case the target is about);
#   4. pr-env delete of both.
# Prints a table; nothing is asserted. Check the free disk first: the template and each PR database are a copy of the
# dataset's database (the filestore is hard-linked, not copied).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
free=$(df -B1 --output=avail /var/tmp | tail -n 1)
if (( free < 4 * db_bytes )); then echo "not enough disk under /var/tmp: $free bytes free, need 4 x $db_bytes" >&2; exit 1; fi

# PR environments of project perf: database perf_pr_<N>, filestore beside the dataset's (hard links need one file system)
sed -i 's/actions: \[backup, restore\]/actions: [backup, restore, pr-env]/' "$BENCH_ROOT/config/environments.yaml"
cat >> "$BENCH_ROOT/config/environments.yaml" <<YAML
    pr_environments:
      database: {user: perf_bench, password: "\${secret:perf_db_password}"}
      filestore: $PERF_ROOT/filestore/perf_pr_{pr}
      odoo_conf: $BENCH_ROOT/odoo.conf
      env_dir: $BENCH_ROOT/env
YAML
for n in 1 2 template template_next; do psql -U postgres -qc "drop database if exists perf_pr_$n with (force)"; done
rm -rf "$PERF_ROOT"/filestore/perf_pr_*

echo "odoo-ops backup (the snapshot) ..." >&2
odoo_ops backup backup --project perf --env src >/dev/null
artifact=$(grep -o '"artifact_id":"[^"]*"' "$BENCH_ROOT/backup.out" | cut -d'"' -f4)
stored=$(ls -d "$BENCH_ROOT"/store/perf/src/"$artifact")
# stands in for a sanitised snapshot (snapshot --sanitize makes real ones)
psql -U postgres -d "$BENCH_CATALOG" -qc "update ops.artifacts set kind = 'sanitized_snapshot' where id = '$artifact'"

drop_caches
echo "by hand: createdb + pg_restore -j 2 of the same dump ..." >&2
psql -U postgres -qc "drop database if exists perf_manual_restore with (force)"
read -r manual_s manual_kib < <(measure manual-db bash -c "PGPASSWORD=perf_bench createdb -U perf_bench perf_manual_restore && \
  PGPASSWORD=perf_bench pg_restore -U perf_bench --exit-on-error --no-owner --no-acl -j 2 -d perf_manual_restore '$stored/db.dump'")
psql -U postgres -qc "drop database perf_manual_restore with (force)"

pr_ops() {  # name, args... -> "seconds peak_kib"; fails when the run did not succeed (pr-env prints indented JSON)
  local name=$1; shift
  local t; t=$(measure "$name" java ${ODOO_OPS_JAVA_OPTS:-} -Dodoo.ops.home="$home" -jar "$home/target/odoo-ops.jar" "$@" \
    --config "$BENCH_ROOT/config")
  grep -q '"status" : "success"' "$BENCH_ROOT/$name.out" || { cat "$BENCH_ROOT/$name.out"; tail -n 20 "$BENCH_ROOT/$name.err"; } >&2
  grep -q '"status" : "success"' "$BENCH_ROOT/$name.out" || return 1
  echo "$t"
}

drop_caches
echo "odoo-ops pr-env create --pr 1 (loads the template) ..." >&2
read -r cold_s cold_kib < <(pr_ops pr-env-1 pr-env create --project perf --pr 1)
echo "odoo-ops pr-env create --pr 2 (template ready) ..." >&2
read -r warm_s warm_kib < <(pr_ops pr-env-2 pr-env create --project perf --pr 2)
read -r del_s del_kib < <(pr_ops pr-env-delete pr-env delete --project perf --pr 2)
pr_ops pr-env-delete-1 pr-env delete --project perf --pr 1 >/dev/null

# the template is the next create's cache: a benchmark leaves none behind
psql -U postgres -qc "drop database if exists perf_pr_template with (force)"
rm -rf "$PERF_ROOT/filestore/perf_pr_template" "$PERF_ROOT/filestore/perf_pr_template.artifact"

fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
step() { grep -o "\"$2\" : [0-9]*" "$BENCH_ROOT/$1.out" | head -n1 | grep -o '[0-9]*$' | awk '{printf "%.1f", $1/1000}'; }
printf '\npr-env benchmark, SCALE=%s: database %s MB, filestore %s MB (%s cores)\n' "$SCALE" \
  $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$(nproc)"
printf '%-58s %10s %12s\n' "" "wall s" "peak RSS MB"
printf '%-58s %10s %12s\n' "by hand: createdb + pg_restore -j 2 (database only)" "$manual_s" $((manual_kib / 1024))
printf '%-58s %10s %12s\n' "odoo-ops pr-env create, first (template loaded)" "$cold_s" $((cold_kib / 1024))
printf '%-58s %10s %12s\n' "odoo-ops pr-env create, template ready (the target)" "$warm_s" $((warm_kib / 1024))
printf '%-58s %10s %12s\n' "odoo-ops pr-env delete" "$del_s" $((del_kib / 1024))
printf 'ratio pr-env create (template ready) / pg_restore (wall time): %s\n' "$(echo "scale=2; $warm_s / $manual_s" | bc)"
printf 'phases, template ready: database copy %s s, filestore links %s s (the rest: JVM start, catalog, run)\n' \
  "$(step pr-env-2 database_ms)" "$(step pr-env-2 filestore_ms)"
printf 'phases, first: database (template load + copy) %s s, filestore %s s\n' "$(step pr-env-1 database_ms)" "$(step pr-env-1 filestore_ms)"
