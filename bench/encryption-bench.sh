#!/usr/bin/env bash
# encryption-bench.sh - what encryption at rest (age, issue 15) costs a full odoo-ops backup of the shared
# benchmark dataset: the same full backup twice in one run, each into a fresh local store with a fresh catalog
# (so neither reuses a pack or skips as unchanged), first plaintext, then with an `encryption:` block (one X25519
# recipient made by age-keygen for this run); prints both wall times, the ratio and the cost in percent.
#
#   SCALE=100 bench/encryption-bench.sh      (default; dataset ~1.7 GB DB + ~3 GB files, built if missing)
#   SCALE=10  bench/encryption-bench.sh      (quick)
#
# Target (issue 15): encryption costs less than 10 % of the backup. The two wall times compare whole runs (on a
# machine others share, their difference carries that noise); the encrypted run's own encrypt-packs and
# encrypt-artifact steps are printed as a share of it too, and the time spent encrypting packs inside archive-filestore
# (which runs beside pg_dump, so it costs the run only where the filestore half is the longer one). Also checks that the encrypted store holds
# only age files besides the manifests (a count, not a proof: flows/EncryptionTest is the proof).
# Needs age, age-keygen, /usr/bin/time and bc (the last two installed when missing). Nothing is asserted but the
# runs' success.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v age >/dev/null && command -v age-keygen >/dev/null || { echo "age and age-keygen are needed (apt-get install age)" >&2; exit 1; }
bench_setup

fresh_store() {  # a new catalog, store, evidence and work directory: the next backup is a first one
  psql -U postgres -q -c "drop database if exists $BENCH_CATALOG with (force)"
  rm -rf "$BENCH_ROOT"/{store,evidence,work}
  mkdir -p "$BENCH_ROOT"/{store,work}
}

store_figures() {  # -> "objects bytes not_age" of the local store
  local objects=0 bytes=0 plain=0 f
  while IFS= read -r -d '' f; do
    objects=$((objects + 1)); bytes=$((bytes + $(stat -c %s "$f")))
    # plain text by design: the manifests, the sha256sum lists (sums of the stored bytes), a repack's notes
    [[ $(basename "$f") == manifest.json || $(basename "$f") == *.sha256 || $(basename "$f") == *.moved ]] && continue
    [[ $(head -c 21 "$f" | tr -d '\0') == "age-encryption.org/v1" ]] || plain=$((plain + 1))
  done < <(find "$BENCH_ROOT/store" -type f -print0)
  echo "$objects $bytes $plain"
}

fresh_store
drop_caches
echo "odoo-ops backup, plaintext ..." >&2
read -r plain_s plain_kib < <(odoo_ops backup-plain backup --project perf --env src)
read -r plain_objects plain_bytes plain_not_age < <(store_figures)

# the same environment, encrypted to one recipient; the identity is only needed to read (a restore), not here,
# but is configured as an operator would (a secret of the secrets file, never printed)
age-keygen -o "$BENCH_ROOT/key.txt" 2> /dev/null
chmod 600 "$BENCH_ROOT/key.txt"
recipient=$(age-keygen -y "$BENCH_ROOT/key.txt")
printf 'perf_age_identity=%s\n' "$(grep '^AGE-SECRET-KEY-' "$BENCH_ROOT/key.txt")" >> "$BENCH_ROOT/config/secrets.properties"
{ printf 'encryption:\n  recipients: [%s]\n  identity: "${secret:perf_age_identity}"\n' "$recipient"
  cat "$BENCH_ROOT/config/environments.yaml"; } > "$BENCH_ROOT/config/environments.yaml.new"
mv "$BENCH_ROOT/config/environments.yaml.new" "$BENCH_ROOT/config/environments.yaml"

fresh_store
drop_caches
echo "odoo-ops backup, encrypted (age, 1 recipient) ..." >&2
read -r enc_s enc_kib < <(odoo_ops backup-encrypted backup --project perf --env src)
read -r enc_objects enc_bytes enc_not_age < <(store_figures)
ev=$(ls -d "$BENCH_ROOT"/evidence/*/backup/*)

db_bytes=$(psql -U postgres -Atc "select pg_database_size('$PERF_DB')")
fs_bytes=$(du -sb "$FS_DIR" | cut -f1)
printf '\nencryption benchmark, SCALE=%s: database %s MB, filestore %s MB (%s cores)\n' "$SCALE" \
  $((db_bytes / 1000000)) $((fs_bytes / 1000000)) "$(nproc)"
printf '%-40s %10s %12s %10s %12s %10s\n' "" "wall s" "peak RSS MB" "objects" "stored MB" "not age"
printf '%-40s %10s %12s %10s %12s %10s\n' "full backup, plaintext" "$plain_s" $((plain_kib / 1024)) "$plain_objects" \
  $((plain_bytes / 1000000)) "-"
printf '%-40s %10s %12s %10s %12s %10s\n' "full backup, encrypted (age)" "$enc_s" $((enc_kib / 1024)) "$enc_objects" \
  $((enc_bytes / 1000000)) "$enc_not_age"
printf 'ratio encrypted / plaintext (wall time): %s\n' "$(echo "scale=3; $enc_s / $plain_s" | bc)"
printf 'cost of encryption: %s %% of the plaintext backup (target < 10 %%)\n' \
  "$(echo "scale=1; ($enc_s - $plain_s) * 100 / $plain_s" | bc)"
printf 'encrypted run: pg_dump %s s and filestore %s s (concurrent); total run %s s\n' \
  "$(ms "$ev/db.dump.meta.json" duration_ms)" "$(ms "$ev/filestore.meta.json" duration_ms)" "$(ms "$ev/final_status.json" duration_ms)"
# the encryption steps inside the encrypted run, from its events (less exposed to a loaded machine than two wall times)
step_s() {  # node, the node before it -> seconds between their step_completed events
  psql -U postgres -d "$BENCH_CATALOG" -Atc "select round(extract(epoch from (max(created_at) filter (where step = '$1') - \
    max(created_at) filter (where step = '$2')))::numeric, 1) from ops.run_events where event_type = 'step_completed'"
}
packs_s=$(step_s encrypt-packs dump-and-archive)
bundle_s=$(step_s encrypt-artifact snapshot-config)
run_s=$(ms "$ev/final_status.json" duration_ms)
printf 'encrypted run: encrypt-packs %s s + encrypt-artifact %s s = %s %% of its run (%s s)\n' "$packs_s" "$bundle_s" \
  "$(echo "scale=1; ($packs_s + $bundle_s) * 100 / $run_s" | bc)" "$run_s"
# since issue 15's encfast: the packs are encrypted inside archive-filestore as tar writes them (beside pg_dump), so
# encrypt-packs above only checks them; the time age and the hash of its output took there, overlapping the dump:
printf 'encrypted run: packs encrypted inside archive-filestore (overlapping pg_dump): %s s\n' \
  "$(ms "$ev/filestore.meta.json" encrypt_ms)"
(( enc_not_age == 0 )) || echo "WARNING: $enc_not_age stored object(s) besides the manifests do not start with the age header" >&2
