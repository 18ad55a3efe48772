#!/usr/bin/env bash
# Times `lumbung desil import` of a 1M-household ranking into a 1M-household store (issue 13:
# at most 10 s), with a baseline in the same session: `lumbung import` of the same store's
# export into an empty store (the generic write path over the same households). A and B run in
# turn, RUNS times each; each run is timed alone with /usr/bin/time -v (the store copy a desil
# run starts from is made before its timing). Prints each run and the medians.
#
#   tools/bench-desil.sh                          # release build at .build/release/lumbung
#   LUMBUNG=/path/to/lumbung RUNS=5 tools/bench-desil.sh
#
# The 1M store (`lumbung generate --households 1000000 --seed 1`) is generated once by the binary
# under test, so its records are in that binary's format, and copied for each run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lumbung="${LUMBUNG:-$root/.build/release/lumbung}"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-bench-desil}"
runs="${RUNS:-3}"
mkdir -p "$dir"
echo "== machine"; nproc; free -g | head -2; uname -srm; date -u; uptime
if [ ! -s "$dir/base/data.mdb" ]; then
  "$lumbung" generate --store "$dir/base" --households 1000000 --seed 1 >/dev/null
fi
if [ ! -s "$dir/export.csv" ]; then
  "$lumbung" export --store "$dir/base" --format csv --out "$dir/export.csv"
fi
kk_column=$(head -1 "$dir/export.csv" | tr ',' '\n' | grep -n '^nomor_kk$' | cut -d: -f1)
if [ ! -s "$dir/ranking.csv" ]; then
  # Every household but 1 in 100 (reported absent), desil spread 1..10 by line.
  awk -F, -v k="$kk_column" 'NR > 1 && $k != last { last = $k; n++; if (n % 100 != 0) print $k "," (n * 7 % 10) + 1 }' "$dir/export.csv" \
    | (echo "nomor_kk,desil"; cat) > "$dir/ranking.csv"
fi
echo "ranking rows: $(($(wc -l < "$dir/ranking.csv") - 1))"

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

: > "$dir/a.txt"; : > "$dir/b.txt"
echo "== desil import (A) and import of the export into an empty store (B), in turn, $runs runs each"
for i in $(seq "$runs"); do
  rm -rf "$dir/a" && cp -r "$dir/base" "$dir/a" && sync
  a=$(measured "$lumbung" desil import "$dir/ranking.csv" --version 2026-01-23 --store "$dir/a")
  rm -rf "$dir/b"
  b=$(measured "$lumbung" import "$dir/export.csv" --store "$dir/b")
  echo "run $i  A: $a   B: $b   (wall s, cpu s, peak RSS MiB, peak anon MiB; load $(cut -d' ' -f1 /proc/loadavg))"
  echo "$a" >> "$dir/a.txt"; echo "$b" >> "$dir/b.txt"
done
for side in a b; do
  echo "$side median: wall $(cut -d' ' -f1 "$dir/$side.txt" | median) s, cpu $(cut -d' ' -f2 "$dir/$side.txt" | median) s, peak RSS $(cut -d' ' -f3 "$dir/$side.txt" | median) MiB, peak anon $(cut -d' ' -f4 "$dir/$side.txt" | median) MiB"
done
