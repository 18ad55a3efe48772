#!/usr/bin/env bash
# The main job on the embedded default store (./lumbung-data): generate a synthetic Kabupaten
# Bekasi (32.16) at its real size as a flat CSV file, import it (validated, one transaction),
# and show stats, lookups and a find.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product lumbung >&2
lumbung=".build/release/lumbung"
export LUMBUNG_STORE="${LUMBUNG_STORE:-./lumbung-data}"
file="lumbung-demo/bekasi.csv"
mkdir -p lumbung-demo
rm -rf "$LUMBUNG_STORE" "$file" "$file.issues.csv"

step() { printf '\n== %s\n' "$*" >&2; }

step "generate Kabupaten Bekasi (32.16) as a CSV file: $file"
"$lumbung" generate --kabupaten 32.16 --out "$file"
ls -l "$file" >&2
head -3 "$file" | cut -c1-160 >&2

step "create the store and import the file: $LUMBUNG_STORE"
"$lumbung" init
"$lumbung" import "$file"

step "stats for the kabupaten"
"$lumbung" stats --wilayah 32.16

step "get a household by id, then by the NIK of a member of household 2"
"$lumbung" get --id 1
nik=$("$lumbung" get --id 2 --json | grep -o '"nik": *"[0-9]*"' | head -1 | cut -d'"' -f4)
"$lumbung" get --nik "$nik"

step "find: PKH households of desil 1-2 in kecamatan 32.16.01"
"$lumbung" find --wilayah 32.16.01 --program PKH --desil-max 2 --limit 5

step "check every record, index entry and counter"
"$lumbung" check

{
  echo
  echo "The store is $LUMBUNG_STORE (set LUMBUNG_STORE or pass --store for another). Go on with:"
  hint() { printf '  %-58s # %s\n' "$1" "$2"; }
  hint "$lumbung --help" "every command; each has its own --help"
  hint "$lumbung find --wilayah 32.16.08 --status usulan --json" "queries: --wilayah --status --program --desil-min/max"
  hint "$lumbung export --program PKH --out pkh.csv.zst" "a filtered CSV or JSON Lines file"
  hint "$lumbung match niks.txt > hasil.csv" "pemadanan: check a list of NIKs"
  hint "$lumbung import $file" "again: nothing changes (all unchanged)"
} >&2
