#!/usr/bin/env bash
# Times `lumbung publish` of a 1M-household snapshot into a throwaway PostgreSQL 15 cluster
# (BENCHMARKS.md, "National roll-up"), then a rerun (the partition replaced), and the DuckDB
# query set over the same snapshot's package. Needs Debian's postgresql and `pip install duckdb`.
#
#   tools/bench-publish.sh                      # 1,000,000 households in /tmp/lumbung-pubbench
#   LUMBUNG_BENCH_HOUSEHOLDS=100000 tools/bench-publish.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-pubbench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-1000000}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
pg=/usr/lib/postgresql/15/bin
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
rm -rf "$dir" && mkdir -p "$dir/pg" "$dir/sock"
store="$dir/store" port=54329

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

# postgres refuses root: the cluster belongs to nobody.
as_owner() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir/pg" "$dir/sock"
as_owner "$pg/initdb" -D "$dir/pg" -U lumbung --auth=trust -E UTF8 --no-sync --no-instructions >/dev/null
# Durable settings (fsync on): the figure is what a real server pays.
as_owner "$pg/postgres" -D "$dir/pg" -k "$dir/sock" -p "$port" -c listen_addresses= \
  -c max_wal_size=8GB -c shared_buffers=1GB >"$dir/pg.log" 2>&1 &
pgpid=$!
trap 'kill -INT $pgpid 2>/dev/null; wait $pgpid 2>/dev/null || true' EXIT
until psql -X -h "$dir/sock" -p "$port" -U lumbung -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; do sleep 0.2; done
url="postgresql://lumbung@/postgres?host=$dir/sock&port=$port"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $(psql --version)"
"$lumbung" generate --store "$store" --kabupaten 32.16 --households "$n" 2>&1 | tail -1
"$lumbung" snapshot create 2026-11 --store "$store" >/dev/null 2>&1
timed "publish 2026-11 (first)" "$lumbung" publish --store "$store" --postgres "$url" 2026-11
cat "$dir/out.txt"
timed "publish 2026-11 (rerun, replaces)" "$lumbung" publish --store "$store" --postgres "$url" 2026-11
psql -X -h "$dir/sock" -p "$port" -U lumbung -d postgres -Atc \
  "SELECT 'postgres: ' || pg_size_pretty(pg_total_relation_size('lumbung_household_3216_2026_11') + pg_total_relation_size('lumbung_member_3216_2026_11'))"
if python3 -c 'import duckdb' 2>/dev/null; then
  "$lumbung" snapshot export 2026-11 --store "$store" --out "$dir/package" >/dev/null 2>&1
  timed "duckdb query set (1 package)" python3 "$root/tools/national/national.py" "$dir/package"
fi
