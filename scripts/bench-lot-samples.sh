#!/usr/bin/env bash
# The lot-samples measurement of docs/performance.md (issue 15): serves a fresh SQLite database
# with `refurbqa serve --rate-limit 0` and runs `refurbqa-load --scenario lot-samples` against
# it RUNS times (8 clients, 15 s each, after the tool's warm-up), printing samples/s, latency and
# the machine's load average before each run. Traffic goes to 127.0.0.1 only; every run is
# bounded in time. A fresh server (and database) per run, so that every run starts from empty
# lots.
#
#   scripts/bench-lot-samples.sh bin/refurbqa          (make bench-lots)
#
# Environment: RUNS (default 3), LOAD_SECONDS (default 15), WARMUP (default 2s), CONCURRENCY (default 8), PORT
# (default 18932), OUT (default var/bench-lots: one JSON file per run), SERVER_CPUS and
# LOAD_CPUS (optional taskset CPU lists, e.g. SERVER_CPUS=0 LOAD_CPUS=1, to keep the server and
# the load tool off each other's core).
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

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
for i in $(seq "$runs"); do
  db="$work/run$i.db"
  export REFURBQA_DSN="$db" REFURBQA_LOG_LEVEL=warn
  "$bin" migrate > "$work/migrate$i.log" 2>&1
  tech=$("$bin" keys create --role technician --name bench-lots)
  (pin "${SERVER_CPUS:-}" "$bin" serve --addr "127.0.0.1:$port" --rate-limit 0 > "$work/serve$i.log" 2>&1) &
  server=$!
  for _ in $(seq 100); do curl -fs "$url/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
  echo "run $i: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  (pin "${LOAD_CPUS:-}" "$load" --url "$url" --token "$tech" --scenario lot-samples --concurrency "$conc" \
    --duration "${secs}s" --warmup "${WARMUP:-2s}" --json "$out/run$i.json") || echo "run $i: the load tool reported errors"
  echo "run $i: load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
