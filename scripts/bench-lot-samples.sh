#!/usr/bin/env bash
# The lot-samples measurement of docs/performance.md (issue 15): serves a fresh SQLite database
# with `refurbqa serve --rate-limit 0` and runs `refurbqa-load --scenario lot-samples` against
# it RUNS times (8 clients, 15 s each, after the tool's warm-up), printing samples/s, latency and
# the machine's load average before each run, and the CPU time the server and the load tool
# spent per sample stored (from /proc and /usr/bin/time; the samples counted in the database,
# warm-up included), which says what the 2 cores allow whatever else runs on them. Traffic goes
# to 127.0.0.1 only; every run is bounded in time. A fresh server (and database) per run, so
# that every run starts from empty lots.
#
#   scripts/bench-lot-samples.sh bin/refurbqa          (make bench-lots)
#
# Environment: RUNS (default 3), LOAD_SECONDS (default 15), WARMUP (default 2s), CONCURRENCY (default 8), PORT
# (default 18932), OUT (default var/bench-lots: one JSON file per run), SERVER_CPUS and
# LOAD_CPUS (optional taskset CPU lists, e.g. SERVER_CPUS=0 LOAD_CPUS=1, to keep the server and
# the load tool off each other's core), DSN_QUERY (appended to the database file, e.g.
# '?_synchronous=NORMAL' to see what the CPU allows when other work makes fsync stall — a
# diagnosis only: the server's default, FULL, is what the target is measured with). The
# machine's CPU and I/O pressure (/proc/pressure) are printed with the load average.
set -euo pipefail

bin=${1:-bin/refurbqa}
runs=${RUNS:-3}
secs=${LOAD_SECONDS:-15}
conc=${CONCURRENCY:-8}
port=${PORT:-18932}
out=${OUT:-var/bench-lots}
url="http://127.0.0.1:$port"
mkdir -p "$out" bin
go build -o bin/refurbqa-load ./cmd/refurbqa-load
load=bin/refurbqa-load
work=$(mktemp -d "${TMPDIR:-/tmp}/refurbqa-lots.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

pin() { # pin CPUS CMD…: runs CMD on CPUS when given (exec, so that $! of "pin … &" is CMD's)
  local cpus=$1; shift
  if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

# pressure prints the share of the last 10 s in which some task waited for the CPU or for I/O.
pressure() {
  for r in cpu io; do
    [ -r "/proc/pressure/$r" ] && printf ', %s pressure %s%%' "$r" "$(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' "/proc/pressure/$r")"
  done
  return 0
}

# server_cpu prints the user and system clock ticks the server has used.
server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
for i in $(seq "$runs"); do
  db="$work/run$i.db"
  export REFURBQA_DSN="$db${DSN_QUERY:-}" REFURBQA_LOG_LEVEL=warn
  "$bin" migrate > "$work/migrate$i.log" 2>&1
  tech=$("$bin" keys create --role technician --name bench-lots)
  (pin "${SERVER_CPUS:-}" "$bin" serve --addr "127.0.0.1:$port" --rate-limit 0 > "$work/serve$i.log" 2>&1) &
  server=$!
  for _ in $(seq 100); do curl -fs "$url/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
  echo "run $i: load average before: $(cut -d' ' -f1-3 /proc/loadavg)$(pressure)"
  cpu0=$(server_cpu)
  (pin "${LOAD_CPUS:-}" /usr/bin/time -f '%U %S' -o "$work/load$i.time" "$load" --url "$url" --token "$tech" \
    --scenario lot-samples --concurrency "$conc" --duration "${secs}s" --warmup "${WARMUP:-2s}" --json "$out/run$i.json") ||
    echo "run $i: the load tool reported errors"
  cpu1=$(server_cpu)
  echo "run $i: load average after:  $(cut -d' ' -f1-3 /proc/loadavg)$(pressure)"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  samples=$(sqlite3 "$db" 'SELECT COUNT(*) FROM lot_samples')
  awk -v s="$samples" -v c0="$cpu0" -v c1="$cpu1" -v tck="$(getconf CLK_TCK)" -v r="$i" '
    { printf "run %s: %d samples stored; CPU per sample: server %.0f us, load tool %.0f us\n", r, s,
        (c1 - c0) / tck / s * 1e6, ($1 + $2) / s * 1e6 }' "$work/load$i.time"
done
