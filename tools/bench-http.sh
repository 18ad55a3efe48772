#!/usr/bin/env bash
# Load benchmark of `lumbung serve` with wrk on loopback (BENCHMARKS.md, "HTTP server"):
#   1.+2. GET /health (the same server's ceiling) and GET /v1/persons/{nik} on random NIKs of a
#      1M-household store, alternated for $LUMBUNG_BENCH_ROUNDS rounds (3 by default) so that
#      both see the same machine; each round's ratio, then the median round
#   2b. persons again at a steady offered load ($LUMBUNG_BENCH_RATE a second, 20,000 unless
#      set; each connection pauses between answer and request): its latency below the ceiling
#   3. a mix of 90% persons and 10% PUT /v1/households/{id} on every connection
#   4. reads and writes at once on separate connections (persons on most, PUT on a few), each
#      reported apart: how reads fare while writes go on
#   5. the DCI search (POST /registry/sync/search): by NIK, a desa's poorest (desil 1-3, a page
#      of 20), a whole kecamatan sorted by KK number (a page of 50), a kecamatan's households
#      with desil 1-4 and a child under 6 (a page of 50); the regions are those of 2,000 seeded
#      random households of the whole store (desa-sample.txt), NIKs 200,000 random ones (niks.txt)
# LUMBUNG_BENCH_ONLY=dci runs step 5 alone (after the warm-up), $LUMBUNG_BENCH_ROUNDS times;
# LUMBUNG_BENCH_DCI_KINDS picks its searches (default: nik desa kecamatan anak).
#
#   tools/bench-http.sh
#   LUMBUNG_BENCH_HOUSEHOLDS=100000 LUMBUNG_BENCH_DURATION=10s tools/bench-http.sh
# Needs wrk (apt-get install wrk). The store is kept in $LUMBUNG_BENCH_DIR between runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LUMBUNG_BENCH_DIR:-/tmp/lumbung-httpbench}"
n="${LUMBUNG_BENCH_HOUSEHOLDS:-1000000}"
connections="${LUMBUNG_BENCH_CONNECTIONS:-64}"
write_connections="${LUMBUNG_BENCH_WRITE_CONNECTIONS:-4}"
duration="${LUMBUNG_BENCH_DURATION:-20s}"
rounds="${LUMBUNG_BENCH_ROUNDS:-3}"
threads="${LUMBUNG_BENCH_THREADS:-1}"
port="${LUMBUNG_BENCH_PORT:-18080}"
lumbung="${LUMBUNG_BIN:-$root/.build/release/lumbung}"
scripts="$root/tools/http-bench"
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x "$lumbung" ] || swift build -c release --product lumbung >&2
store="$dir/store"
mkdir -p "$dir"

if [ "$(cat "$dir/households" 2>/dev/null)" != "$n" ] || [ ! -f "$store/data.mdb" ]; then
  rm -rf "$store" "$dir/households" "$dir/niks.txt" "$dir/desa-sample.txt"
  "$lumbung" generate --store "$store" --kabupaten 32.16 --households "$n" 2>&1 | tail -1
  echo "$n" > "$dir/households"
fi
# The request lists, from the store's export (also for a store made elsewhere that lacks them):
# 200,000 random NIKs, and the desa of 2,000 random households, so the region searches fall
# all over the store in proportion to its households (both seeded: the same store, the same lists).
if [ ! -f "$dir/niks.txt" ] || [ ! -f "$dir/desa-sample.txt" ]; then
  "$lumbung" export --store "$store" --out "$dir/all.csv" 2>&1 | tail -1
  python3 - "$dir/all.csv" "$dir/niks.txt" "$dir/desa-sample.txt" <<'PY'
import csv, random, sys
niks, desa = [], {}
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        if len(row["anggota.nik"]) == 16:
            niks.append(row["anggota.nik"])
        desa.setdefault(row["id"], row["kode_wilayah"])
random.seed(1)
with open(sys.argv[2], "w") as out:
    out.write("\n".join(random.sample(niks, min(200_000, len(niks)))) + "\n")
households = random.Random(2).sample(sorted(desa, key=int), min(2_000, len(desa)))
with open(sys.argv[3], "w") as out:
    out.write("\n".join(desa[h] for h in households) + "\n")
PY
  rm -f "$dir/all.csv"
fi
token="$("$lumbung" token create --store "$store" --actor bench --role admin --scope '*' 2> /dev/null)"

"$lumbung" serve --store "$store" --host 127.0.0.1 --port "$port" --log-level warning --reads "${LUMBUNG_BENCH_READS:-inline}" 2> "$dir/server.log" &
server=$!
trap 'kill -TERM $server 2> /dev/null; wait $server 2> /dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/households?limit=200&desil_max=10" \
  | python3 -c 'import json,sys; [print(json.dumps(h, ensure_ascii=False, separators=(",", ":"))) for h in json.load(sys.stdin)["households"]]' \
  > "$dir/households.jsonl"
export TOKEN="$token" NIK_FILE="$dir/niks.txt" HOUSEHOLD_FILE="$dir/households.jsonl" DESA_FILE="$dir/desa-sample.txt"
url="http://127.0.0.1:$port"

# One DCI search kind under wrk, then the server's CPU time (user + system, /proc/PID/stat)
# over the run divided by the requests answered: the figure the machine's load disturbs least.
dci_run() {
  local ticks_before ticks_after
  ticks_before=$(awk '{print $14 + $15}' "/proc/$server/stat")
  DCI_KIND=$1 wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$scripts/dci-search.lua" "$url" | tee "$dir/wrk.out"
  ticks_after=$(awk '{print $14 + $15}' "/proc/$server/stat")
  awk -v ticks=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v kind="$1" '/requests in/{n = $1}
    END {if (n > 0) printf "-- server CPU a request (%s): %.3f ms (%d requests, load %s)\n", kind, 1000 * ticks / hz / n, n, load}' \
    load="$(cut -d' ' -f1 /proc/loadavg)" "$dir/wrk.out"
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); store: $n households, $(du -h "$store/data.mdb" | cut -f1)"
echo "== warm-up (10s of persons, not reported)"
wrk -t"$threads" -c"$connections" -d10s -s "$scripts/persons.lua" "$url" > /dev/null
if [ "${LUMBUNG_BENCH_ONLY:-}" = dci ]; then
  for round in $(seq 1 "$rounds"); do
    for kind in ${LUMBUNG_BENCH_DCI_KINDS:-nik desa kecamatan anak}; do
      echo "== round $round: DCI search: $kind, $connections connections, $duration"
      dci_run "$kind"
    done
  done
  "$lumbung" token revoke --store "$store" "$(echo "$token" | cut -c5-16)" > /dev/null
  exit 0
fi
summary="$dir/rounds.txt"
: > "$summary"
for round in $(seq 1 "$rounds"); do
  for script in health persons; do
    echo "== round $round: $([ $script = health ] && echo 'GET /health' || echo 'GET /v1/persons/{nik}, random NIKs'), $connections connections, $duration"
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$scripts/$script.lua" "$url" | tee "$dir/wrk.out"
    awk -v round="$round" -v script="$script" '/Requests\/sec/{rps=$2} / 50%/{p50=$2} / 99%/{p99=$2} END{print round, script, rps, p50, p99}' "$dir/wrk.out" >> "$summary"
  done
done
echo "== health and persons by round (requests/s, p50, p99; persons as a share of the same round's /health)"
awk '$2 == "health" {h[$1] = $3; hl[$1] = $4 " / " $5} $2 == "persons" {p[$1] = $3; pl[$1] = $4 " / " $5}
  END {for (r in h) printf "round %s: health %.0f/s (p50/p99 %s), persons %.0f/s (p50/p99 %s): %.0f%%\n", r, h[r], hl[r], p[r], pl[r], 100 * p[r] / h[r]}' "$summary" | sort
awk '$2 == "health" {h[$1] = $3} $2 == "persons" {p[$1] = $3} END {for (r in h) print 100 * p[r] / h[r]}' "$summary" | sort -n \
  | awk '{v[NR] = $1} END {printf "median of %d rounds: persons at %.0f%% of /health\n", NR, v[int((NR + 1) / 2)]}'
rate="${LUMBUNG_BENCH_RATE:-20000}"
echo "== GET /v1/persons/{nik} at a steady offered load of about $rate a second on $connections connections, $duration"
SCRIPTS_DIR="$scripts" CONNECTIONS="$connections" RATE="$rate" \
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$scripts/persons-paced.lua" "$url"
echo "== mix: 90% GET /v1/persons/{nik}, 10% PUT /v1/households/{id}, $connections connections, $duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$scripts/mixed.lua" "$url"
echo "== apart: persons on $((connections - write_connections)) connections and PUT /v1/households/{id} on $write_connections, at once, $duration"
wrk -t1 -c"$write_connections" -d"$duration" --latency -s "$scripts/writes.lua" "$url" > "$dir/writes.txt" &
writer=$!
wrk -t"$threads" -c"$((connections - write_connections))" -d"$duration" --latency -s "$scripts/persons.lua" "$url"
wait $writer
echo "-- the writes of the mixed run:"
cat "$dir/writes.txt"
for kind in ${LUMBUNG_BENCH_DCI_KINDS:-nik desa kecamatan anak}; do
  echo "== DCI search: $kind, $connections connections, $duration"
  dci_run "$kind"
done
reads=$(curl -sf -H "Authorization: Bearer $token" "$url/metrics" | awk -F' ' '/^hb_requests\{http_route="\/v1\/persons\/\{nik\}",http_request_method="GET",http_response_status_code="200"\}/{print $2}')
writes=$(curl -sf -H "Authorization: Bearer $token" "$url/metrics" | awk -F' ' '/^hb_requests\{http_route="\/v1\/households\/\{id\}",http_request_method="PUT",http_response_status_code="200"\}/{print $2}')
echo "== server totals (all runs): persons 200s: ${reads:-?}; PUT 200s: ${writes:-?}"
"$lumbung" token revoke --store "$store" "$(echo "$token" | cut -c5-16)" > /dev/null
