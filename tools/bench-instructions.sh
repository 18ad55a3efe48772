#!/usr/bin/env bash
# Instructions executed by the same CLI commands under two release binaries (valgrind's
# callgrind): a before/after comparison that holds on a shared, noisy machine, since the count
# does not depend on the load. BENCHMARKS.md, "Instructions executed".
#
#   tools/bench-instructions.sh OLD_LUMBUNG NEW_LUMBUNG [WORKDIR]
# Needs valgrind (apt-get install valgrind). Inputs are made in WORKDIR (default
# /tmp/lumbung-instructions) by the old binary: a 1M-household store, its CSV, 20,000 NIKs.
set -euo pipefail
old="$1" new="$2" dir="${3:-/tmp/lumbung-instructions}"
command -v valgrind > /dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
mkdir -p "$dir"
# valgrind cannot read the release binaries' debug info: count stripped copies.
objcopy --strip-debug "$old" "$dir/old.bin"; objcopy --strip-debug "$new" "$dir/new.bin"
[ -f "$dir/s1m/data.mdb" ] || "$old" generate --households 1000000 --seed 1 --store "$dir/s1m" > /dev/null 2>&1
[ -s "$dir/h50k.csv" ] || "$old" generate --kabupaten 32.16 --households 50000 --seed 1 --out "$dir/h50k.csv" > /dev/null 2>&1
[ -s "$dir/h10k.csv" ] || "$old" generate --kabupaten 32.16 --households 10000 --seed 1 --out "$dir/h10k.csv" > /dev/null 2>&1
[ -s "$dir/niks.txt" ] || "$old" find --store "$dir/s1m" --json --limit 5000 2> /dev/null \
  | python3 -c 'import json,sys; [print(m["nik"]) for l in sys.stdin for m in json.loads(l)["anggota"] if m.get("nik")]' | head -20000 > "$dir/niks.txt"

count() { # which binary, label, arguments…
  local bin="$1" label="$2"; shift 2
  valgrind --tool=callgrind --callgrind-out-file="$dir/$bin.$label.out" "$dir/$bin.bin" "$@" > /dev/null 2> "$dir/$bin.$label.log"
  grep -E '^(summary|totals):' "$dir/$bin.$label.out" | head -1 | awk '{print $2}'
}
run() { # which binary: the commands, each on its own fresh copies
  local bin="$1" w="$dir/$1"
  rm -rf "$w" && mkdir -p "$w"
  echo "generate20k $(count "$bin" generate20k generate --households 20000 --seed 1 --store "$w/g")"
  echo "import10k $(count "$bin" import10k import "$dir/h10k.csv" --store "$w/i")"
  echo "reimport10k $(count "$bin" reimport10k import "$dir/h10k.csv" --store "$w/i")"
  echo "import50k $(count "$bin" import50k import "$dir/h50k.csv" --store "$w/i50")"
  echo "check20k $(count "$bin" check20k check --store "$w/g")"
  echo "export20k $(count "$bin" export20k export --store "$w/g" --out "$w/e.csv")"
  echo "snapcreate20k $(count "$bin" snapcreate20k snapshot create 2026-10 --store "$w/g")"
  echo "snapverify20k $(count "$bin" snapverify20k snapshot verify 2026-10 --store "$w/g")"
  echo "snapdifflive20k $(count "$bin" snapdifflive20k snapshot diff 2026-10 live --store "$w/g")"
  echo "compact20k $(count "$bin" compact20k compact --store "$w/g")"
  echo "match20k $(count "$bin" match20k match "$dir/niks.txt" --store "$dir/s1m")"
  echo "find $(count "$bin" find find --store "$dir/s1m" --wilayah 32.16.01 --program PKH --desil-max 3 --limit 50)"
  echo "stats $(count "$bin" stats stats --store "$dir/s1m" --wilayah 32.16)"
  echo "findjson3000 $(count "$bin" findjson3000 find --json --store "$dir/s1m" --wilayah 32.16.01 --limit 3000)"
  echo "genout20k $(count "$bin" genout20k generate --kabupaten 32.16 --households 20000 --out "$w/g.csv")"
}
# Both at once: counts do not depend on the load.
run old > "$dir/old.txt" & run new > "$dir/new.txt"; wait
echo "command old new new/old"
paste -d' ' "$dir/old.txt" "$dir/new.txt" | awk '{printf "%s %s %s %.3f\n", $1, $2, $4, $4/$2}'
