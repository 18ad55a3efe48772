#!/usr/bin/env bash
# Times `lumbung publish` of a 1M-household snapshot into a throwaway PostgreSQL 15 cluster
# (BENCHMARKS.md, "National roll-up"), RUNS times (each run replaces the partition of the one
# before), and the DuckDB query set over the same snapshot's package. With LUMBUNG_BASELINE set,
# the baseline binary and the binary under test publish in turn (B, A, B, A, …) into the same
# cluster (B into a database of its own, from a store of the same households it wrote itself), and the medians of both are printed. Needs Debian's postgresql (and `pip install
# duckdb` for the query set).
#
#   tools/bench-publish.sh                      # 1,000,000 households in /tmp/lumbung-pubbench
#   LUMBUNG_BENCH_HOUSEHOLDS=100000 tools/bench-publish.sh
#   LUMBUNG_BASELINE=/path/to/old/lumbung RUNS=3 DUCKDB=0 tools/bench-publish.sh
#   LUMBUNG_BENCH_STORE=/big/store1m tools/bench-publish.sh   # a store with snapshot 2026-11 already
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-pubbench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-1000000}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
baseline="${LUMBUNG_BASELINE:-}"
runs="${RUNS:-1}"
pg=/usr/lib/postgresql/15/bin
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
rm -rf "$dir" && mkdir -p "$dir/pg" "$dir/sock"
store="${LUMBUNG_BENCH_STORE:-$dir/store}" port=54329

# postgres refuses root: the cluster belongs to nobody.
as_owner() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir/pg" "$dir/sock"
as_owner "$pg/initdb" -D "$dir/pg" -U lumbung --auth=trust -E UTF8 --no-sync --no-instructions >/dev/null
# Durable settings (fsync on): the figure is what a real server pays.
as_owner "$pg/postgres" -D "$dir/pg" -k "$dir/sock" -p "$port" -c listen_addresses= \
  -c max_wal_size=8GB -c shared_buffers=1GB >"$dir/pg.log" 2>&1 &
pgpid=$!
# Stop the postmaster itself ($pgpid is the shell that started it, which would wait for it).
trap 'kill -INT "$(head -1 "$dir/pg/postmaster.pid" 2>/dev/null)" 2>/dev/null; wait $pgpid 2>/dev/null || true' EXIT
until psql -X -h "$dir/sock" -p "$port" -U lumbung -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; do sleep 0.2; done
url="postgresql://lumbung@/postgres?host=$dir/sock&port=$port"
# The baseline publishes into its own database: a newer lumbung adds columns to the tables that
# an older one cannot fill.
psql -X -h "$dir/sock" -p "$port" -U lumbung -d postgres -qc 'CREATE DATABASE baseline'
baseline_url="postgresql://lumbung@/baseline?host=$dir/sock&port=$port"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $(psql --version); $(date -u)"
if [ ! -d "$store/snapshots/2026-11" ]; then
  "$lumbung" generate --store "$store" --kabupaten 32.16 --households "$n" 2>&1 | tail -1
  "$lumbung" snapshot create 2026-11 --store "$store" >/dev/null 2>&1
fi
# The baseline publishes the same households from a store it wrote itself: an older Lumbung
# refuses a store of a newer format.
baseline_store="$dir/baseline-store"
if [ -n "$baseline" ] && [ ! -d "$baseline_store/snapshots/2026-11" ]; then
  "$baseline" generate --store "$baseline_store" --kabupaten 32.16 --households "$n" 2>&1 | tail -1
  "$baseline" snapshot create 2026-11 --store "$baseline_store" >/dev/null 2>&1
fi

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

: > "$dir/a.txt"; : > "$dir/b.txt"
echo "== publish 2026-11: A = $lumbung${baseline:+, B = $baseline (in turn)}; $runs runs each (wall s, cpu s, peak MiB)"
# The server's CPU seconds (its exited backends' user + system time, reaped by the postmaster).
# (The postmaster's pid is the first line of postmaster.pid: $pgpid is the shell that started it.)
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$(head -1 "$dir/pg/postmaster.pid")/stat"; }
for i in $(seq "$runs"); do
  if [ -n "$baseline" ]; then
    before=$(server_cpu)
    b=$(measured "$baseline" publish --store "$baseline_store" --postgres "$baseline_url" 2026-11)
    echo "run $i B: $b   server cpu $(awk -v a="$(server_cpu)" -v b="$before" 'BEGIN { printf "%.2f", a - b }') s (load $(cut -d' ' -f1 /proc/loadavg))"; echo "$b" >> "$dir/b.txt"
  fi
  before=$(server_cpu)
  a=$(measured "$lumbung" publish --store "$store" --postgres "$url" 2026-11)
  echo "run $i A: $a   server cpu $(awk -v a="$(server_cpu)" -v b="$before" 'BEGIN { printf "%.2f", a - b }') s (load $(cut -d' ' -f1 /proc/loadavg))"; echo "$a" >> "$dir/a.txt"
done
cat "$dir/out.txt"
for side in a b; do
  [ -s "$dir/$side.txt" ] || continue
  echo "$side median: wall $(cut -d' ' -f1 "$dir/$side.txt" | median) s, cpu $(cut -d' ' -f2 "$dir/$side.txt" | median) s, peak RSS $(cut -d' ' -f3 "$dir/$side.txt" | median) MiB, peak anon $(cut -d' ' -f4 "$dir/$side.txt" | median) MiB"
done
psql -X -h "$dir/sock" -p "$port" -U lumbung -d postgres -Atc \
  "SELECT 'postgres: ' || pg_size_pretty(pg_total_relation_size('lumbung_household_3216_2026_11') + pg_total_relation_size('lumbung_member_3216_2026_11'))"
if [ "${DUCKDB:-1}" != 0 ] && python3 -c 'import duckdb' 2>/dev/null; then
  "$lumbung" snapshot export 2026-11 --store "$store" --out "$dir/package" >/dev/null 2>&1
  echo "duckdb query set (1 package): $(measured python3 "$root/tools/national/national.py" "$dir/package")"
fi
