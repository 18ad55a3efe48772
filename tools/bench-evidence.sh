#!/usr/bin/env bash
# Evidence attachments (BENCHMARKS.md, "Evidence attachments"): 10,000 photos of about 200 KB,
# half of them duplicates (5,000 distinct files, each also under a second name), added with
# `lumbung evidence add`; the store's growth against the distinct bytes, and the time. Beside
# it, in the same run: copying the same 10,000 files into a directory (storing each upload as
# its own file) and `sha256sum` over them (the hashing floor).
#
#   tools/bench-evidence.sh                       # in /tmp/lumbung-evidencebench, 3 rounds
#   LUMBUNG_BENCH_DIR=/scratch/ev LUMBUNG_BENCH_ROUNDS=5 tools/bench-evidence.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-evidencebench}"
rounds="${LUMBUNG_BENCH_ROUNDS:-3}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
rm -rf "$dir" && mkdir -p "$dir/photos"

# shellcheck source=tools/timed.sh
. "$root/tools/timed.sh"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
# 5,000 distinct "photos": a JPEG signature, then 150-250 KB of random bytes (incompressible,
# like a JPEG's payload); each also linked under a second name, and the 10,000 names shuffled.
python3 - "$dir/photos" <<'PY'
import os, random, sys
folder = sys.argv[1]
random.seed(14)
names = []
for i in range(5000):
    size = random.randint(150_000, 250_000)
    path = os.path.join(folder, f"foto-{i:05d}.jpg")
    with open(path, "wb") as f:
        f.write(b"\xff\xd8\xff\xe0" + os.urandom(size - 4))
    os.link(path, os.path.join(folder, f"salinan-{i:05d}.jpg"))
    names += [path, os.path.join(folder, f"salinan-{i:05d}.jpg")]
random.shuffle(names)
with open(os.path.join(folder, "..", "list.txt"), "w") as f:
    f.write("\n".join(names) + "\n")
PY
unique=$(find "$dir/photos" -name 'foto-*' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "photos: $(wc -l < "$dir/list.txt") names, 5000 distinct, $unique distinct bytes"


for round in $(seq 1 "$rounds"); do
  rm -rf "$dir/copy" "$dir/store" && mkdir -p "$dir/copy"
  read -r wall cpu peak _ < <(measured sh -c "xargs -d '\n' -a '$dir/list.txt' cp -t '$dir/copy'")
  echo "round $round copy:      ${wall} s wall, ${cpu} s CPU, ${peak} MiB peak; growth $(du -sb "$dir/copy" | cut -f1) B apparent, $(du -s --block-size=1 "$dir/copy" | cut -f1) B allocated"
  read -r wall cpu peak _ < <(measured sh -c "xargs -d '\n' -a '$dir/list.txt' sha256sum > /dev/null")
  echo "round $round sha256sum: ${wall} s wall, ${cpu} s CPU, ${peak} MiB peak"
  rm -rf "$dir/copy"
  "$lumbung" init --store "$dir/store" > /dev/null 2>&1
  before_apparent=$(du -sb "$dir/store" | cut -f1)
  before_allocated=$(du -s --block-size=1 "$dir/store" | cut -f1)
  read -r wall cpu peak _ < <(measured sh -c "xargs -d '\n' -n 2500 -a '$dir/list.txt' '$lumbung' evidence add --store '$dir/store'")
  apparent=$(( $(du -sb "$dir/store" | cut -f1) - before_apparent ))
  allocated=$(( $(du -s --block-size=1 "$dir/store" | cut -f1) - before_allocated ))
  files=$(find "$dir/store/evidence" -type f -not -path '*/.incoming/*' | wc -l)
  echo "round $round lumbung:   ${wall} s wall, ${cpu} s CPU, ${peak} MiB peak; $files files; growth $apparent B apparent ($(awk -v a="$apparent" -v u="$unique" 'BEGIN {printf "%.4f", a / u}')x distinct), $allocated B allocated ($(awk -v a="$allocated" -v u="$unique" 'BEGIN {printf "%.4f", a / u}')x)"
  read -r wall cpu peak _ < <(measured "$lumbung" gc --store "$dir/store" --dry-run --min-age 0 --json)
  echo "round $round gc --dry-run: ${wall} s wall, ${cpu} s CPU, ${peak} MiB peak: $(cat "$dir/out.txt")"
done
rm -rf "$dir"
