#!/usr/bin/env bash
# National scale on one machine (issue 17, item 3): builds a store of N households spread over a
# provinsi and times each step with /usr/bin/time -v (wall clock, CPU and peak RSS per step):
# bulk load, store size, check, snapshot create/verify/diff with 1% of the households changed,
# export, match of 1M NIKs, NIK lookups p50/p99 cold (page cache dropped) and warm, then CSV import
# of an N-household file of another provinsi into an empty store and into the store holding N.
# The steps that break or run out of memory are reported and the run goes on.
#
#   tools/bench-national.sh                                   # N = 10,000,000 in /tmp/lumbung-national
#   LUMBUNG_BENCH_HOUSEHOLDS=20000 LUMBUNG_BENCH_DIR=/big/dir tools/bench-national.sh
#
# Settings (environment): LUMBUNG_BENCH_HOUSEHOLDS (N), LUMBUNG_BENCH_DIR (everything is written
# there and removed at the end unless LUMBUNG_BENCH_KEEP=1), LUMBUNG_BIN (the lumbung binary),
# LUMBUNG_BENCH_WILAYAH (the store's provinsi, space-separated; default "32 33 35 31"),
# LUMBUNG_BENCH_IMPORT_WILAYAH (the CSV's, other ones; default "36 51 52 53"), LUMBUNG_BENCH_MATCH (NIKs matched, 1M),
# LUMBUNG_BENCH_LOOKUPS (NIKs looked up one by one, 100,000), LUMBUNG_BENCH_IMPORT_FILE (a CSV .zst of
# N households of other provinsi, as this script would make it, read instead of made). Cold lookups need root (they write
# /proc/sys/vm/drop_caches, which empties the whole machine's page cache); without it, or with
# LUMBUNG_BENCH_COLD=0, they are reported as not measured. Needs zstd and shuf.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-10000000}"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-national}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
# N is spread over several provinsi, one bulk load (one transaction) each, N / (their number)
# households apiece; each kabupaten's share must stay within the NIK scheme's bound (3,039,696).
wilayah="${LUMBUNG_BENCH_WILAYAH:-32 33 35 31}"
import_wilayah="${LUMBUNG_BENCH_IMPORT_WILAYAH:-36 51 52 53}"
matches="${LUMBUNG_BENCH_MATCH:-1000000}"
lookups="${LUMBUNG_BENCH_LOOKUPS:-100000}"
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
store="$dir/store"
rm -rf "$dir" && mkdir -p "$dir"
[ "${LUMBUNG_BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$dir/store" "$dir/empty" "$dir"/*.zst "$dir"/*.txt "$dir"/*.jsonl' EXIT

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

# `step LABEL COMMAND…`: one timed step, its line "LABEL: WALL s wall, CPU s cpu, PEAK MiB peak RSS,
# ANON MiB peak anon" (or the failure) printed and added to $dir/steps.tsv (label, wall, cpu, peak
# RSS, peak anonymous memory; or "failed N").
step() {
  local label="$1" result status=0; shift
  result=$(measured "$@") || status=$?
  if [ "$status" = 0 ]; then
    read -r wall cpu peak anon <<< "$result"
    printf '%-44s %9s s wall %9s s cpu %7s MiB peak RSS %7s MiB peak anon\n' "$label" "$wall" "$cpu" "$peak" "$anon"
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$wall" "$cpu" "$peak" "$anon" >> "$dir/steps.tsv"
  else
    printf '%-44s FAILED (exit %s%s)\n' "$label" "$status" "$( [ "$status" = 137 ] && echo ', killed: out of memory?' )"
    printf '%s\tfailed %s\n' "$label" "$status" >> "$dir/steps.tsv"
  fi
  return 0
}

echo "== bench-national: N = $n households (store: wilayah $wilayah), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $lumbung"

# `parts "W1 W2 …"`: a line "W HOUSEHOLDS" for each provinsi, N split evenly (the first takes the rest).
parts() { local i=0 count; count=$(wc -w <<< "$1")
  for w in $1; do echo "$w $(( n / count + (i == 0 ? n % count : 0) ))"; i=$((i + 1)); done; }
# shellcheck disable=SC2046,SC2016
step "bulk load (generate --wilayah ${wilayah// /, })" bash -c 'set -e; store=$1 lumbung=$2; shift 2
  while [ $# -gt 0 ]; do "$lumbung" generate --store "$store" --wilayah "$1" --households "$2"; shift 2; done' _ "$store" "$lumbung" $(parts "$wilayah")
bytes=$(stat -c %s "$store/data.mdb")
echo "store size: $bytes bytes (data.mdb), $((bytes / n)) bytes a household; store directory $(du -sb "$store" | cut -f1) bytes"
step "check" "$lumbung" check --store "$store"
tail -3 "$dir/out.txt"

step "snapshot create 2026-10" "$lumbung" snapshot create 2026-10 --store "$store"
step "snapshot verify 2026-10" "$lumbung" snapshot verify 2026-10 --store "$store"
changes=$((n / 100))
python3 "$root/tools/change-households.py" "$lumbung" "$store" "$changes" "$dir/changed.jsonl"
step "import of the 1% changed (update)" "$lumbung" import "$dir/changed.jsonl" --store "$store" --match-by id --on-existing update
step "snapshot create 2026-11" "$lumbung" snapshot create 2026-11 --store "$store"
step "snapshot diff 2026-10 2026-11" "$lumbung" snapshot diff 2026-10 2026-11 --store "$store"
head -3 "$dir/out.txt"

step "export (CSV, zstd)" "$lumbung" export --store "$store" --out "$dir/export.csv.zst"
# The NIKs: every k-th member of the export, so they come from the whole store.
header=$(zstd -dc "$dir/export.csv.zst" 2>/dev/null | head -1 || true)
column=$(tr ',' '\n' <<< "$header" | grep -n '^anggota.nik$' | cut -d: -f1)
members=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["members"])' "$store/snapshots/2026-11/manifest.json")
every=$(( members / matches > 1 ? members / matches : 1 ))
zstd -dc "$dir/export.csv.zst" | awk -F, -v c="$column" -v k="$every" -v m="$matches" \
  'NR > 1 && (NR - 2) % k == 0 && length($c) == 16 && $c ~ /^[0-9]+$/ && count < m { print $c; count++ }' > "$dir/niks.txt"
rm -f "$dir/export.csv.zst"
step "match of $(wc -l < "$dir/niks.txt") NIKs" "$lumbung" match --store "$store" "$dir/niks.txt"
shuf -n "$lookups" --random-source=<(yes) "$dir/niks.txt" > "$dir/lookups.txt"
if [ "${LUMBUNG_BENCH_COLD:-1}" = 1 ] && sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then
  step "NIK lookups, cold" "$lumbung" get --store "$store" --latency "$dir/lookups.txt"
  echo "  cold: $(cat "$dir/out.txt")"
else
  echo "NIK lookups, cold: not measured (LUMBUNG_BENCH_COLD=0, or /proc/sys/vm/drop_caches not writable)"
fi
step "NIK lookups, warm" "$lumbung" get --store "$store" --latency "$dir/lookups.txt"
echo "  warm: $(cat "$dir/out.txt")"

# The N-household CSV of other provinsi: one header, then each provinsi's rows (or the file
# LUMBUNG_BENCH_IMPORT_FILE names, made so before: it is only read).
import_file="${LUMBUNG_BENCH_IMPORT_FILE:-$dir/import.csv.zst}"
[ -n "${LUMBUNG_BENCH_IMPORT_FILE:-}" ] || parts "$import_wilayah" | { first=1; while read -r w count; do
  "$lumbung" generate --wilayah "$w" --households "$count" --format csv --out - 2>/dev/null | if [ $first = 1 ]; then cat; else tail -n +2; fi
  first=0
done; } | zstd -q -o "$import_file"
step "CSV import of N into an empty store" "$lumbung" import "$import_file" --store "$dir/empty"
grep -m1 "households read" "$dir/time.txt" || true
rm -rf "$dir/empty"
step "CSV import of N into the store holding N" "$lumbung" import "$import_file" --store "$store"
grep -m1 "households read" "$dir/time.txt" || true
echo "== steps (label, wall s, cpu s, peak RSS MiB, peak anon MiB): $dir/steps.tsv"
