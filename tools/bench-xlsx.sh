#!/usr/bin/env bash
# .xlsx import and export against the CSV baseline, measured in the same run (BENCHMARKS.md, "Excel"):
#   1. export of N households (100,000 unless LUMBUNG_BENCH_HOUSEHOLDS) as .csv and as .xlsx
#   2. import of those two files into fresh stores (--match-by id)
#   3. export of LUMBUNG_BENCH_LARGE households (1,000,000 unless set) as .csv and .xlsx: with
#      step 1's, peak RSS at N and at 10×N shows whether export memory is constant (the store's
#      pages, mapped by LMDB and touched by the read, count in RSS for both formats alike)
# Each step runs $LUMBUNG_BENCH_ROUNDS times (3 by default), CSV and .xlsx alternated so both see
# the same machine; the script prints every run's wall time and peak RSS (/usr/bin/time -v), then
# the medians and the .xlsx/CSV ratios.
#
#   tools/bench-xlsx.sh
#   LUMBUNG_BENCH_HOUSEHOLDS=20000 LUMBUNG_BENCH_LARGE=200000 LUMBUNG_BENCH_ROUNDS=1 tools/bench-xlsx.sh
# Needs /usr/bin/time (apt-get install time). Stores are kept in $LUMBUNG_BENCH_DIR between runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-xlsxbench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-100000}"
large="${LUMBUNG_BENCH_LARGE:-1000000}"
rounds="${LUMBUNG_BENCH_ROUNDS:-3}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 1; }
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
mkdir -p "$dir"
results="$dir/results.tsv"
: > "$results"

store_of() {  # a generated store of $1 households, kept between runs
  local store="$dir/store-$1"
  if [ ! -f "$store/data.mdb" ] || [ "$(cat "$store.households" 2>/dev/null)" != "$1" ]; then
    rm -rf "$store"
    "$lumbung" generate --store "$store" --kabupaten 32.16 --households "$1" --seed 7 2>&1 | tail -1 >&2
    echo "$1" > "$store.households"
  fi
  echo "$store"
}

measure() {  # measure NAME COMMAND...: one run, its wall seconds and peak RSS (KiB) into $results
  local name="$1"; shift
  local log="$dir/time.log"
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")"
  rss="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")"
  printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" | tee -a "$results"
}

small="$(store_of "$n")"
big="$(store_of "$large")"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lumbung: $lumbung"
printf 'step\tseconds\tpeak_rss_kib\n'
for round in $(seq 1 "$rounds"); do
  measure "export-csv-$n" "$lumbung" export --store "$small" --out "$dir/all.csv"
  measure "export-xlsx-$n" "$lumbung" export --store "$small" --out "$dir/all.xlsx"
  rm -rf "$dir/in-csv" "$dir/in-xlsx"
  measure "import-csv-$n" "$lumbung" import --store "$dir/in-csv" --match-by id "$dir/all.csv"
  measure "import-xlsx-$n" "$lumbung" import --store "$dir/in-xlsx" --match-by id "$dir/all.xlsx"
  measure "export-csv-$large" "$lumbung" export --store "$big" --out "$dir/large.csv"
  measure "export-xlsx-$large" "$lumbung" export --store "$big" --out "$dir/large.xlsx"
done
ls -l "$dir/all.csv" "$dir/all.xlsx" "$dir/large.xlsx" | awk '{ print $5, $9 }'
rm -f "$dir/large.xlsx" "$dir/large.csv"

python3 - "$results" "$n" "$large" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
n, large = sys.argv[2], sys.argv[3]
def med(name, column):
    values = [float(r[column]) for r in rows if r[0] == name]
    return statistics.median(values) if values else float("nan")
print("\nmedians (seconds, peak RSS MiB) and ratios")
for step in ("export", "import"):
    csv, xlsx = f"{step}-csv-{n}", f"{step}-xlsx-{n}"
    print(f"{step} {n}: csv {med(csv, 1):.2f} s {med(csv, 2) / 1024:.0f} MiB; xlsx {med(xlsx, 1):.2f} s {med(xlsx, 2) / 1024:.0f} MiB;"
          f" xlsx/csv time {med(xlsx, 1) / med(csv, 1):.2f}x, RSS {med(xlsx, 2) / med(csv, 2):.2f}x")
big = f"export-xlsx-{large}"
bigcsv = f"export-csv-{large}"
print(f"export {large}: csv {med(bigcsv, 1):.2f} s {med(bigcsv, 2) / 1024:.0f} MiB; xlsx {med(big, 1):.2f} s {med(big, 2) / 1024:.0f} MiB"
      f" (at {n}: csv {med(f'export-csv-{n}', 2) / 1024:.0f} MiB, xlsx {med(f'export-xlsx-{n}', 2) / 1024:.0f} MiB)")
PY
