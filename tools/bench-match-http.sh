#!/bin/bash
# Issue 16: `POST /v1/match` of a NIK list against `lumbung match` of the same file, in turn,
# RUNS rounds (the CSV answer to a file both ways; the server's answer checked byte-identical).
#   STORE=/work/data/s1m DIR=/scratch LUMBUNG=.build-release/release/lumbung RUNS=3 N=100000 tools/bench-match-http.sh
# STORE is read only: it is copied into DIR once (the server's token is a write). The list: N
# NIKs drawn (seed 1) from the members of kecamatan 32.16.01 and 32.16.02 (`lumbung export`).
# curl is told not to send `Expect: 100-continue` (it would wait 1 s for a 100 the server does not send).
set -euo pipefail
source_store="${STORE:?STORE is the 1M store (lumbung generate --households 1000000 --seed 1)}"
dir="${DIR:?DIR is a scratch directory}"
lumbung="${LUMBUNG:-.build-release/release/lumbung}"
runs="${RUNS:-3}" n="${N:-100000}" port="${PORT:-18093}"
mkdir -p "$dir"
store="$dir/store"
[ -d "$store" ] || cp -r "$source_store" "$store"
if [ ! -s "$dir/match-$n.txt" ]; then
  for kecamatan in 32.16.01 32.16.02; do
    "$lumbung" export --store "$store" --wilayah "$kecamatan" --out "$dir/kec-$kecamatan.csv" 2> /dev/null
  done
  python3 - "$dir" "$n" <<'PY'
import csv, glob, random, sys
niks = []
for path in sorted(glob.glob(sys.argv[1] + "/kec-*.csv")):
    niks += [row["anggota.nik"] for row in csv.DictReader(open(path, encoding="utf-8")) if row["anggota.nik"]]
random.seed(1)
open(f"{sys.argv[1]}/match-{sys.argv[2]}.txt", "w").write("\n".join(random.sample(niks, int(sys.argv[2]))) + "\n")
PY
  rm -f "$dir"/kec-*.csv
fi
list="$dir/match-$n.txt"
token="$("$lumbung" token create --store "$store" --actor bench --role viewer --scope '*' 2> /dev/null)"
"$lumbung" serve --store "$store" --host 127.0.0.1 --port "$port" --log-level warning 2> "$dir/server.log" &
server=$!
trap 'kill -TERM $server 2> /dev/null; wait $server 2> /dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(wc -l < "$list") NIKs"
wall() { grep 'Elapsed (wall' "$1" | awk '{print $NF}'; }
for round in $(seq 1 "$runs"); do
  echo "== round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -v "$lumbung" match --store "$store" "$list" > "$dir/cli.csv" 2> "$dir/time-cli.txt"
  printf 'lumbung match: %s wall, %s s CPU, %s KB peak RSS, %s\n' "$(wall "$dir/time-cli.txt")" \
    "$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$dir/time-cli.txt")" \
    "$(grep 'Maximum resident' "$dir/time-cli.txt" | awk '{print $NF}')" "$(grep '^matched' "$dir/time-cli.txt")"
  ticks=$(awk '{print $14 + $15}' "/proc/$server/stat")
  /usr/bin/time -v curl -sS -o "$dir/http.csv" -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' \
    -H 'Expect:' --data-binary "@$list" "http://127.0.0.1:$port/v1/match?format=csv" 2> "$dir/time-http.txt"
  ticks=$(( $(awk '{print $14 + $15}' "/proc/$server/stat") - ticks ))
  printf 'POST /v1/match: %s wall (curl), server CPU %s s, server peak RSS so far %s\n' "$(wall "$dir/time-http.txt")" \
    "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')" "$(grep VmHWM "/proc/$server/status" | awk '{print $2, $3}')"
  cmp "$dir/cli.csv" "$dir/http.csv" && echo "answers identical"
done
rm -f "$dir/cli.csv" "$dir/http.csv" "$dir"/time-*.txt
