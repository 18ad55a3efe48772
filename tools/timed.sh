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
# prints "WALL CPU PEAK ANON" (seconds, user + system seconds, peak RSS in MiB, peak anonymous
# memory in MiB); on failure it prints time's report to standard error and returns COMMAND's
# status. Peak RSS counts the mapped store's pages; ANON (`RssAnon` of COMMAND and its children,
# sampled every 0.2 s) is the memory the issues' bounds are about.
measured() {
  local status=0 timer anon=0
  /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" &
  timer=$!
  while kill -0 "$timer" 2> /dev/null; do
    anon=$(peak_anon "$timer" "$anon")
    sleep 0.2
  done
  wait "$timer" || status=$?
  if [ "$status" != 0 ]; then tail -30 "$dir/time.txt" >&2; return "$status"; fi
  awk -F': ' -v anon="$anon" '/Elapsed/ { split($2, t, ":"); wall = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
              /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { peak = $2 / 1024 }
              END { printf "%.2f %.2f %.0f %.0f\n", wall, user + sys, peak, anon / 1024 }' "$dir/time.txt"
}

# `peak_anon PID KB`: the larger of KB and the largest `RssAnon` (kB) among PID's children and
# grandchildren (time's command, and the commands a `bash -c` step runs).
peak_anon() {
  local peak="$2" pid kb
  for pid in $(pgrep -P "$1") $(for child in $(pgrep -P "$1"); do pgrep -P "$child"; done); do
    kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2> /dev/null) || continue
    [ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$peak"
}

# The median of the numbers on standard input, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
