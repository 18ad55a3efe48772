#!/bin/bash
# Change requests at scale (issue 14): N households generated, R `keluar` requests (one
# evidence reference each) submitted in one transaction, verified and approved in one batch a
# desa, applied in one transaction; then one desa's open-request page, timed as a process
# (median of 21) beside `find` on the same desa with the same binary and with BASELINE's.
# Usage: BIN=… BASELINE=… DIR=… HOUSEHOLDS=1000000 REQUESTS=100000 tools/bench-requests.sh
set -euo pipefail
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
python3 - "$dir" "$r" <<'PY'
import csv, sys, json, hashlib
d, r = sys.argv[1], int(sys.argv[2])
seen, desa = [], {}
with open(f"{d}/listed.csv") as f:
    last = None
    for row in csv.DictReader(f):
        if row["id"] == last: continue
        last = row["id"]; seen.append(int(row["id"])); desa[row["kode_wilayah"]] = 1
        if len(seen) == r: break
with open(f"{d}/requests.jsonl", "w") as out:
    for i in seen:
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        out.write(json.dumps({"jenis": "keluar", "rumah_tangga_id": i, "alasan": "mampu",
            "bukti": [{"sha256": digest, "media_type": "image/jpeg", "ukuran": 200000, "jenis": "foto_rumah"}]}) + "\n")
open(f"{d}/desa.txt", "w").write("\n".join(sorted(desa)) + "\n")
PY
echo "$(wc -l < "$dir/desa.txt") desa"
start=$(date +%s.%N)
echo "submit $r (one transaction): $(measured "$bin" request submit "$dir/requests.jsonl" --store "$s")"
t1=$(date +%s.%N)
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
awk -v a="$start" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$end" -v f="$a0" 'BEGIN { printf "verify per desa %.1f s, approve per desa %.1f s, life cycle total %.1f s\n", c-b, d-c, (d-a) + (e-f) }'
du -sh "$s"
