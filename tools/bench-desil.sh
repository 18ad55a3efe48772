#!/usr/bin/env bash
# Times `lumbung desil import` of a 1M-household ranking into a 1M-household store (issue 13:
# at most 10 s), with a baseline in the same session: `lumbung import` of the same store's
# export into an empty store (the generic write path over the same households).
#
#   tools/bench-desil.sh                          # release build at .build/release/lumbung
#   LUMBUNG=/path/to/lumbung RUNS=3 tools/bench-desil.sh
#
# A prebuilt 1M store (/tmp/bench/s1m, `lumbung generate --households 1000000 --seed 1`) is
# copied, never modified; without it one is generated. Each timed run starts from a fresh copy
# of the store (the copy, about 240 MB, is inside the timing of both commands alike).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lumbung="${LUMBUNG:-$root/.build/release/lumbung}"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-bench-desil}"
runs="${RUNS:-3}"
mkdir -p "$dir"
echo "== machine"; nproc; free -g | head -2; uname -srm; date -u
if [ ! -s "$dir/base/data.mdb" ]; then
  if [ -s /tmp/bench/s1m/data.mdb ]; then
    mkdir -p "$dir/base" && cp /tmp/bench/s1m/data.mdb "$dir/base/"
  else
    "$lumbung" generate --store "$dir/base" --households 1000000 --seed 1
  fi
fi
if [ ! -s "$dir/export.csv" ]; then
  "$lumbung" export --store "$dir/base" --format csv --out "$dir/export.csv"
fi
if [ ! -s "$dir/ranking.csv" ]; then
  # Every household but 1 in 100 (reported absent), desil spread 1..10 by line.
  awk -F, 'NR > 1 && $2 != last { last = $2; n++; if (n % 100 != 0) print $2 "," (n * 7 % 10) + 1 }' "$dir/export.csv" \
    | (echo "nomor_kk,desil"; cat) > "$dir/ranking.csv"
fi
echo "ranking rows: $(($(wc -l < "$dir/ranking.csv") - 1))"
echo "== desil import (A) vs import of the export into an empty store (B), $runs runs each"
farm-bench -n "$runs" --warmup 0 --timeout 900 \
  --vs "sh -c 'rm -rf $dir/b && exec $lumbung import $dir/export.csv --store $dir/b >/dev/null 2>&1'" \
  -- sh -c "rm -rf $dir/a && cp -r $dir/base $dir/a && exec $lumbung desil import $dir/ranking.csv --version 2026-01-23 --store $dir/a >/dev/null 2>&1"
echo "== one run, its summary"
rm -rf "$dir/a" && cp -r "$dir/base" "$dir/a"
/usr/bin/time -v "$lumbung" desil import "$dir/ranking.csv" --version 2026-01-23 --store "$dir/a" --json 2>"$dir/time.txt"
grep -E "Elapsed|Maximum resident" "$dir/time.txt"
