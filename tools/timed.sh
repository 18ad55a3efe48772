# Sourced by the bench scripts: `timed LABEL COMMAND…` runs COMMAND under /usr/bin/time -v with
# its stdout in $dir/out.txt and prints the wall clock and peak RSS (exits on failure).
timed() { # label, command…
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" || { cat "$dir/time.txt"; exit 1; }
  printf '%-34s %s s wall, %s KB peak RSS\n' "$label" \
    "$(grep 'Elapsed (wall' "$dir/time.txt" | awk '{print $NF}')" \
    "$(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}')"
}
