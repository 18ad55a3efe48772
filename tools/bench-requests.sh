#!/bin/bash
# Change requests at scale (issue 14): N households generated, R `keluar` requests (one
# stored attachment each) submitted in one transaction, verified and approved in one batch a
# desa, applied in one transaction; then one desa's open-request page, timed as a process
# (median of 21) beside `find` on the same desa with the same binary and with BASELINE's.
# Between submit and verify (every request diajukan), the same page over HTTP: `lumbung serve`
# with a desa_operator token of the desa, wrk on one connection, ROUNDS rounds (3 unless set)
# of `GET /v1/requests?desa=D&state=diajukan` (a page of 50 with its total) alternated with
# the baseline `GET /v1/households/{id}` (a point read of a household of that desa), each round
# DURATION long (10s unless set); each round's p50s and their ratio, then the medians.
# Usage: BIN=… BASELINE=… DIR=… HOUSEHOLDS=1000000 REQUESTS=100000 tools/bench-requests.sh
# Under a shared lock, use `flock -o LOCK tools/bench-requests.sh` (-o: the script, and the
# server it starts, do not hold the lock's descriptor); the server is stopped on any exit.
set -euo pipefail
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; true' EXIT
bin=${BIN:-.build-release/release/lumbung}
base=${BASELINE:-}
dir=${DIR:-/tmp/lumbung-bench-requests}
n=${HOUSEHOLDS:-1000000}; r=${REQUESTS:-100000}
. "$(dirname "$0")/timed.sh"
rm -rf "$dir"; mkdir -p "$dir"
s="$dir/store"
echo "generate $n: $(measured "$bin" generate --store "$s" --households "$n" --seed 1)"
if [ -n "$base" ]; then echo "generate $n (baseline binary): $(measured "$base" generate --store "$dir/base" --households "$n" --seed 1)"; rm -rf "$dir/base"; fi
"$bin" export --store "$s" --status ditetapkan --out "$dir/listed.csv" 2>/dev/null
# Evidence named in a request must be stored: EVIDENCE distinct small JPEGs (1,000 unless set),
# request i naming file i mod EVIDENCE (an add costs an fsync a file, so 100,000 distinct files
# would time the disk, not the requests).
e=${EVIDENCE:-1000}
mkdir -p "$dir/photos"
python3 - "$dir/photos" "$e" <<'PY'
import sys
d, e = sys.argv[1], int(sys.argv[2])
for i in range(e):
    open(f"{d}/{i}.jpg", "wb").write(b"\xff\xd8\xff\xe0" + i.to_bytes(4, "big") + bytes(2000))
PY
t_add=$(date +%s.%N)
(cd "$dir/photos" && ls | sort -n | xargs -n 1000 "$bin" evidence add --store "$s" --json) > "$dir/photos.jsonl"
echo "evidence add $e files: $(awk -v a="$t_add" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
python3 - "$dir" "$r" <<'PY'
import csv, sys, json
d, r = sys.argv[1], int(sys.argv[2])
photos = {}
for line in open(f"{d}/photos.jsonl"):
    p = json.loads(line); photos[int(p["file"].split(".")[0])] = p
e = len(photos)
seen, desa = [], {}
with open(f"{d}/listed.csv") as f:
    last = None
    for row in csv.DictReader(f):
        if row["id"] == last: continue
        last = row["id"]; seen.append(int(row["id"])); desa[row["kode_wilayah"]] = 1
        if len(seen) == r: break
with open(f"{d}/requests.jsonl", "w") as out:
    for n, i in enumerate(seen):
        p = photos[n % e]
        out.write(json.dumps({"jenis": "keluar", "rumah_tangga_id": i, "alasan": "mampu",
            "bukti": [{"sha256": p["digest"], "media_type": p["media_type"], "ukuran": p["size"], "jenis": "foto_rumah"}]}) + "\n")
open(f"{d}/desa.txt", "w").write("\n".join(sorted(desa)) + "\n")
PY
echo "$(wc -l < "$dir/desa.txt") desa"
start=$(date +%s.%N)
echo "submit $r (one transaction): $(measured "$bin" request submit "$dir/requests.jsonl" --store "$s")"
t1=$(date +%s.%N)
http_page() {
  local d port token hid url rounds duration
  d=$(head -1 "$dir/desa.txt"); port=${PORT:-18181}; rounds=${ROUNDS:-3}; duration=${DURATION:-10s}
  token=$("$bin" token create --store "$s" --actor "desa:$d" --role desa_operator --scope "$d" 2> /dev/null)
  hid=$(awk -F, -v d="$d" 'NR > 1 && $0 ~ d { print $1; exit }' "$dir/listed.csv")
  "$bin" serve --store "$s" --host 127.0.0.1 --port "$port" --log-level warning 2> "$dir/server.log" &
  server=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$port"
  curl -sf -H "Authorization: Bearer $token" "$url/v1/requests?desa=$d&state=diajukan" \
    | python3 -c 'import json,sys; p=json.load(sys.stdin); print("page: %d requests of %d diajukan in the desa" % (len(p["requests"]), p["total"]))'
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url/v1/households/$hid" || { echo "point read of $hid failed" >&2; kill $server; return 1; }
  wrk -t1 -c1 -d3s -H "Authorization: Bearer $token" "$url/v1/requests?desa=$d&state=diajukan" > /dev/null  # warm-up
  : > "$dir/p50.txt"
  for round in $(seq "$rounds"); do
    page=$(wrk -t1 -c1 -d"$duration" --latency -H "Authorization: Bearer $token" "$url/v1/requests?desa=$d&state=diajukan" | awk '/ 50%/ { print $2 }')
    point=$(wrk -t1 -c1 -d"$duration" --latency -H "Authorization: Bearer $token" "$url/v1/households/$hid" | awk '/ 50%/ { print $2 }')
    echo "$round $page $point" | tee -a "$dir/p50.txt" | awk '{ printf "round %s: page p50 %s, point read p50 %s\n", $1, $2, $3 }'
  done
  kill -TERM $server; wait $server 2> /dev/null || true
  server=""
  # wrk prints 1.23ms or 812.00us: to milliseconds; the median round of each.
  python3 - "$dir/p50.txt" <<'PY'
import statistics, sys
def ms(v): return float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-2]) if v.endswith("ms") else float(v[:-1]) * 1000
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
page, point = statistics.median(ms(r[1]) for r in rows), statistics.median(ms(r[2]) for r in rows)
print(f"HTTP page of 50 (desa, diajukan, with total): median p50 {page:.3f} ms; point read median p50 {point:.3f} ms; ratio {page / point:.2f}")
PY
}
h0=$(date +%s.%N)
http_page
h1=$(date +%s.%N)
while read -r d; do "$bin" request verify --desa "$d" --as verifikator --actor v --store "$s" > /dev/null; done < "$dir/desa.txt"
t2=$(date +%s.%N)
while read -r d; do "$bin" request approve --desa "$d" --as kepala_opd --actor k --store "$s" > /dev/null; done < "$dir/desa.txt"
t3=$(date +%s.%N)
# One desa's open-request page (every request approved and not yet applied), before the apply.
page_desa=$(head -1 "$dir/desa.txt")
for i in $(seq 21); do measured "$bin" request list --wilayah "$page_desa" --open --limit 50 --store "$s" | cut -d' ' -f1; done | median | sed 's/^/request list page (process, median of 21): /; s/$/ s/'
for i in $(seq 21); do measured "$bin" find --wilayah "$page_desa" --limit 50 --store "$s" | cut -d' ' -f1; done | median | sed 's/^/find page, same binary (process, median of 21): /; s/$/ s/'
if [ -n "$base" ]; then for i in $(seq 21); do measured "$base" find --wilayah "$page_desa" --limit 50 --store "$s" | cut -d' ' -f1; done | median | sed 's/^/find page, baseline binary (median of 21): /; s/$/ s/'; fi
a0=$(date +%s.%N)
echo "apply all (one transaction): $(measured "$bin" request apply --as kepala_opd --actor k --store "$s")"
end=$(date +%s.%N)
# The HTTP page's time (h0 to h1) is no part of the life cycle.
awk -v a="$start" -v b="$h1" -v c="$t2" -v d="$t3" -v e="$end" -v f="$a0" -v g="$h0" 'BEGIN { printf "verify per desa %.1f s, approve per desa %.1f s, life cycle total %.1f s\n", c-b, d-c, (g-a) + (d-b) + (e-f) }'
du -sh "$s"
