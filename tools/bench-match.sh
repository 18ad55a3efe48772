#!/bin/sh
# Issue 15 item 5: `lumbung match` of 1M NIKs (the floor's list) against the 1M store, CSV
# output included, beside the floor's per-NIK lookup time, in turn, RUNS rounds; optionally the
# one-at-a-time match of an older build (BEFORE=path/to/lumbung) in the same rounds.
#   DIR=/scratch LUMBUNG=.build/release/lumbung RUNS=3 [FLOOR_N=200000] tools/bench-match.sh
# DIR holds `store` (lumbung generate --households 1000000 --seed 1), `floor.*` (build_floor.py
# over the same households' JSON Lines) and `floor-bin` (cc -O2 floor.c); see BENCHMARKS.md.
set -eu
dir="${DIR:?DIR holds store, floor.* and floor-bin}"
lumbung="${LUMBUNG:-.build/release/lumbung}"
runs="${RUNS:-3}"
head -n 1000000 "$dir/floor.niks" > "$dir/match.txt"
for round in $(seq 1 "$runs"); do
  echo "== round $round ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  "$dir/floor-bin" "$dir/floor" "${FLOOR_N:-1000000}" 2>/dev/null | grep "lmdb+zstd" || true
  /usr/bin/time -v "$lumbung" match --store "$dir/store" "$dir/match.txt" > "$dir/match.out.csv" 2> "$dir/time.txt"
  printf 'match: %s s wall, %s KB peak RSS, %s\n' "$(grep 'Elapsed (wall' "$dir/time.txt" | awk '{print $NF}')" \
    "$(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}')" "$(grep '^matched' "$dir/time.txt")"
  if [ -n "${BEFORE:-}" ]; then
    /usr/bin/time -v "$BEFORE" match --store "$dir/store" "$dir/match.txt" > "$dir/match.before.csv" 2> "$dir/time.txt"
    printf 'before: %s s wall, %s KB peak RSS\n' "$(grep 'Elapsed (wall' "$dir/time.txt" | awk '{print $NF}')" \
      "$(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}')"
    cmp "$dir/match.out.csv" "$dir/match.before.csv" && echo "outputs identical"
  fi
done
rm -f "$dir/match.out.csv" "$dir/match.before.csv" "$dir/time.txt"
