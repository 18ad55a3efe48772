#!/usr/bin/env bash
# Times `lumbung snapshot create`, `verify` and `diff` on a 1M-household store (BENCHMARKS.md,
# "Snapshots"). Each step is timed with /usr/bin/time -v (wall clock and peak RSS).
#
#   tools/bench-snapshot.sh                     # 1,000,000 households in /tmp/lumbung-snapbench
#   LUMBUNG_BENCH_HOUSEHOLDS=100000 tools/bench-snapshot.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-snapbench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-1000000}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
store="$dir/store"

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

# An existing store (LUMBUNG_BENCH_STORE=DIR, e.g. the 10M store of bench-national.sh): only
# `snapshot create` and `verify`, LUMBUNG_BENCH_ROUNDS times (default 3), each round the baseline
# binary LUMBUNG_BASELINE_BIN first (when given), then this one; each line gives the wall clock,
# CPU, and the peak anonymous memory (`measured`'s RssAnon: the store's mapped pages are not
# counted). The snapshots are removed after each run.
if [ -n "${LUMBUNG_BENCH_STORE:-}" ]; then
  store="$LUMBUNG_BENCH_STORE"; dir=$(mktemp -d)
  echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), store $store ($(stat -c %s "$store/data.mdb") bytes)"
  for round in $(seq "${LUMBUNG_BENCH_ROUNDS:-3}"); do
    for bin in ${LUMBUNG_BASELINE_BIN:-} "$lumbung"; do
      rm -rf "$store/snapshots/2026-10"
      for command in create verify; do
        read -r wall cpu peak anon < <(measured "$bin" snapshot "$command" 2026-10 --store "$store")
        echo "round $round $bin snapshot $command: $wall s wall, $cpu s cpu, $peak MiB peak RSS with the mapped store, $anon MiB peak anonymous, load $(cut -d' ' -f1 /proc/loadavg)"
      done
    done
  done
  rm -rf "$store/snapshots/2026-10" "$dir"
  exit 0
fi
rm -rf "$dir" && mkdir -p "$dir"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$lumbung" generate --store "$store" --kabupaten 32.16 --households "$n" 2>&1 | tail -1
timed "snapshot create 2026-10" "$lumbung" snapshot create 2026-10 --store "$store"
ls -l "$store/snapshots/2026-10/data.mdb" | awk '{print "snapshot data.mdb: " $5 " bytes"}'
timed "snapshot verify 2026-10" "$lumbung" snapshot verify 2026-10 --store "$store"

# Change 1% of the households: a desil and an address each, through `import --on-existing update`.
changes=$((n / 100))
python3 "$root/tools/change-households.py" "$lumbung" "$store" "$changes" "$dir/changed.jsonl"
"$lumbung" import "$dir/changed.jsonl" --store "$store" --match-by id --on-existing update 2>&1 | tail -1
timed "snapshot create 2026-11" "$lumbung" snapshot create 2026-11 --store "$store"
timed "snapshot diff 2026-10 2026-11" "$lumbung" snapshot diff 2026-10 2026-11 --store "$store"
head -3 "$dir/out.txt"
timed "snapshot diff 2026-10 live" "$lumbung" snapshot diff 2026-10 live --store "$store"
timed "snapshot verify 2026-11" "$lumbung" snapshot verify 2026-11 --store "$store"
# Disaster recovery and compaction on the same store (no other process has it open).
timed "snapshot restore 2026-10" "$lumbung" snapshot restore 2026-10 --store "$store"
timed "compact" "$lumbung" compact --store "$store"
cat "$dir/out.txt"
