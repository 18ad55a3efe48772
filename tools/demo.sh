#!/usr/bin/env bash
# The main job on the embedded default store (./lumbung-data): generate a synthetic Kabupaten
# Bekasi (32.16) at its real size, load it, and show stats and a few lookups.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product lumbung >&2
lumbung=".build/release/lumbung"
export LUMBUNG_STORE="${LUMBUNG_STORE:-./lumbung-data}"
rm -rf "$LUMBUNG_STORE"
"$lumbung" init
"$lumbung" generate --kabupaten 32.16
"$lumbung" stats --wilayah 32.16
"$lumbung" get --id 1
nik=$("$lumbung" get --id 2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["anggota"][0]["nik"])')
"$lumbung" get --nik "$nik"
"$lumbung" find --wilayah 32.16.01 --program PKH --desil-max 2 --limit 5
"$lumbung" check
echo "store: $LUMBUNG_STORE. Try: $lumbung --help" >&2
