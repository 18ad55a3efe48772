#!/usr/bin/env bash
# Measures Lumbung against the floor (raw LMDB + zstd in C, and SQLite) on the same 1M
# generated households, in one session. Writes figures to stdout; see BENCHMARKS.md.
#
#   tools/bench.sh                  # 1,000,000 households in /tmp/lumbung-bench
#   LUMBUNG_BENCH_HOUSEHOLDS=200000 LUMBUNG_BENCH_DIR=/tmp/b tools/bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
floor_src="${LUMBUNG_FLOOR_SRC:-$root/../shared/bench}"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-bench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-1000000}"
export LUMBUNG_BENCH_DIR="$dir" LUMBUNG_BENCH_HOUSEHOLDS="$n"
mkdir -p "$dir"
cd "$root"
tools/setup.sh
dpkg -s libsqlite3-dev >/dev/null 2>&1 || apt-get install -y -qq libsqlite3-dev >/dev/null
python3 -c 'import lmdb, zstandard' 2>/dev/null || pip install -q lmdb zstandard

echo "== machine"; nproc; free -g | head -2; uname -srm
swift build -c release --product lumbung >&2
lumbung="$root/.build/release/lumbung"

# The input files (`swift package generate-fixtures`, i.e. `lumbung generate --out`, release
# build) and the floor stores take minutes to build: kept between runs unless
# LUMBUNG_BENCH_FRESH=1 (delete $dir to start over).
households="$dir/32.16-$n-seed1.jsonl" households_csv="$dir/32.16-$n-seed1.csv"
if [ "${LUMBUNG_BENCH_FRESH:-0}" = 1 ] || [ ! -s "$dir/floor.niks" ]; then
  echo "== households: $n (Kabupaten Bekasi, seed 1) as JSON Lines and CSV"
  swift package -c release --allow-writing-to-package-directory --allow-writing-to-directory "$dir" \
    generate-fixtures --kabupaten 32.16 --households "$n" --seed 1 --format jsonl --format csv \
    --output "$dir" --force
  ls -l "$households" "$households_csv"
  echo "== floor: build (../shared/bench)"
  python3 "$floor_src/build_floor.py" "$households" "$dir/floor" --sqlite
fi
echo "== floor: lookups"
cc -O2 "$floor_src/floor.c" -o "$dir/floor-bin" -llmdb -lzstd -lsqlite3
"$dir/floor-bin" "$dir/floor" 1000000
echo "floor LMDB env on disk: $(du -s -B1 "$dir/floor.lmdb" | cut -f1) bytes"

echo "== lumbung bulk load (lumbung generate into a fresh store)"
rm -rf "$dir/store"
/usr/bin/time -v "$lumbung" generate --store "$dir/store" --kabupaten 32.16 --households "$n" 2>&1 \
  | grep -E "done|Elapsed|Maximum resident" || true
echo "lumbung store on disk: $(du -s -B1 "$dir/store" | cut -f1) bytes; data.mdb $(stat -c %s "$dir/store/data.mdb") bytes"
"$lumbung" stats --store "$dir/store" --wilayah 32.16 | head -8

echo "== file import/export (issue 3): generate --out, import, re-import, export, round trip, match"
timed() { /usr/bin/time -f "   %e s wall, %U s user, %M KB peak RSS" "$@"; }
timed "$lumbung" generate --kabupaten 32.16 --households "$n" --out "$dir/generated.csv" 2>&1 | tail -1
rm -rf "$dir/imported" "$dir/copy"
echo "-- import of the CSV into a fresh store"
timed "$lumbung" import --store "$dir/imported" "$households_csv" 2>&1 | grep -E "households read|wall"
echo "-- the same file again (every household unchanged)"
timed "$lumbung" import --store "$dir/imported" "$households_csv" 2>&1 | grep -E "households read|wall"
echo "-- export to CSV"
timed "$lumbung" export --store "$dir/imported" --out "$dir/export.csv" 2>&1 | tail -1
echo "-- export | import --match-by id into a fresh store, export again: identical?"
timed "$lumbung" import --store "$dir/copy" --match-by id "$dir/export.csv" 2>&1 | grep -E "households read|wall"
"$lumbung" export --store "$dir/copy" --out "$dir/export2.csv" 2>/dev/null
cmp "$dir/export.csv" "$dir/export2.csv" && echo "   identical, byte for byte"
echo "-- match of the floor's 1,000,000 NIKs, CSV output"
head -n 1000000 "$dir/floor.niks" > "$dir/match.txt"
timed "$lumbung" match --store "$dir/store" "$dir/match.txt" 2>&1 >"$dir/match.out.csv" | tail -1
rm -rf "$dir/imported" "$dir/copy" "$dir/generated.csv" "$dir/export.csv" "$dir/export2.csv" "$dir/match.out.csv"

echo "== lumbung benchmarks (ordo-one/benchmark, same NIK list as the floor)"
swift package --allow-writing-to-directory "$dir" benchmark --target StoreBenchmarks --no-progress
