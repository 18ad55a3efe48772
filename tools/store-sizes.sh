#!/usr/bin/env bash
# Where a store's bytes go: for each database, how much a compacted copy shrinks when that
# database is emptied (so sub-databases and part-filled pages are counted, which `mdb_stat` does
# not show for DUPSORT indexes), in bytes and bytes a household. Works on copies; the store is
# only read (stop writers first).
#
#   tools/store-sizes.sh STORE_DIR [HOUSEHOLDS]      # HOUSEHOLDS: `lumbung stats` gives it
#
# Needs mdb_copy (lmdb-utils), cc and liblmdb-dev.
set -euo pipefail
store="$1"; households="${2:-0}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/empty-database" "$(dirname "$0")/store-sizes/empty-database.c" -llmdb
mkdir "$work/compact" && mdb_copy -c "$store" "$work/compact"
whole=$(stat -c %s "$work/compact/data.mdb")
echo "compacted copy: $whole bytes$( [ "$households" -gt 0 ] && echo ", $((whole / households)) bytes a household")"
for name in $(mdb_stat -a "$work/compact" | awk '/^Status of/ && $3 != "Main" { print $3 }'); do
  mkdir "$work/emptied" "$work/copy"
  cp "$work/compact/data.mdb" "$work/emptied/"
  "$work/empty-database" "$work/emptied" "$name"
  mdb_copy -c "$work/emptied" "$work/copy"
  bytes=$((whole - $(stat -c %s "$work/copy/data.mdb")))
  printf '%-16s %14d bytes%s\n' "$name" "$bytes" "$( [ "$households" -gt 0 ] && awk -v b="$bytes" -v n="$households" 'BEGIN { printf "  %7.1f bytes a household", b / n }')"
  rm -rf "$work/emptied" "$work/copy"
done
