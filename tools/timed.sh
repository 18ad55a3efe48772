# Sourced by the bench scripts: `timed LABEL COMMAND…` runs COMMAND under /usr/bin/time -v with
# its stdout in $dir/out.txt and prints the wall clock and peak RSS (exits on failure).
timed() { # label, command…
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" || { cat "$dir/time.txt"; exit 1; }
  printf '%-34s %s s wall, %s KB peak RSS\n' "$label" \
    "$(grep 'Elapsed (wall' "$dir/time.txt" | awk '{print $NF}')" \
    "$(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}')"
}

# `measured COMMAND…` runs COMMAND under /usr/bin/time -v with its stdout in $dir/out.txt and
# prints "WALL CPU PEAK" (seconds, user + system seconds, peak RSS in MiB); on failure it prints
# time's report to standard error and returns COMMAND's status.
measured() {
  local status=0
  /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" || status=$?
  if [ "$status" != 0 ]; then tail -30 "$dir/time.txt" >&2; return "$status"; fi
  awk -F': ' '/Elapsed/ { split($2, t, ":"); wall = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
              /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { peak = $2 / 1024 }
              END { printf "%.2f %.2f %.0f\n", wall, user + sys, peak }' "$dir/time.txt"
}

# The median of the numbers on standard input, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
