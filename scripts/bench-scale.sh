#!/usr/bin/env bash
# Marketplace-scale measurements (docs/performance.md): generates the 1,800-seller data set
# (about 1,000,000 bench tests, 20,000 mystery orders, 21,600 KPI months) into a temporary SQLite
# database, times one audit of every seller over the 12 months (wall time and peak RSS), writes
# every report, then serves that database and drives it with refurbqa-load: scorecard reads,
# reports, grading previews and batch ingest. Traffic goes to 127.0.0.1 only; every step is
# bounded in time. Results: a table on stdout and JSON files in var/bench-scale/.
#
#   scripts/bench-scale.sh bin/refurbqa            (make bench-scale)
#
# Environment: SELLERS (default 1800), LOAD_SECONDS (default 30 per load scenario), PORT (default
# 18931), KEEP=1 keeps the temporary database, REFURBQA_BENCH_POSTGRES_DSN (a URL of an empty
# PostgreSQL database) also times generation and the audit on PostgreSQL.
set -euo pipefail

bin=${1:-bin/refurbqa}
sellers=${SELLERS:-1800}
secs=${LOAD_SECONDS:-30}
port=${PORT:-18931}
url="http://127.0.0.1:$port"
out=var/bench-scale
mkdir -p "$out" bin
go build -o bin/refurbqa-load ./cmd/refurbqa-load
load=bin/refurbqa-load
work=$(mktemp -d "${TMPDIR:-/tmp}/refurbqa-scale.XXXXXX")
db="$work/scale.db"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The audit period: the 12 whole months before this one, as the demo generates them.
to=$(date -u +%Y-%m-01)
from=$(date -u -d "$to -12 months" +%Y-%m-01)
export REFURBQA_DSN="$db" REFURBQA_LOG_LEVEL=warn

# timed NAME CMD…: runs CMD under /usr/bin/time -v, prints and records wall seconds and peak RSS.
timed() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    echo "$name failed:"; tail -20 "$work/$name.err"; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/$name.time")
  printf '%-28s %8.1f s   peak RSS %5s MiB\n' "$name" "$wall" "$rss"
  printf '{"step":"%s","seconds":%s,"peak_rss_mib":%s}\n' "$name" "$wall" "$rss" >> "$out/steps.jsonl"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "data: $sellers sellers, $from to $to, SQLite $db"
: > "$out/steps.jsonl"

timed generate "$bin" demo --scale --sellers "$sellers" --from "$from" --to "$to"
grep -E '^Demo data' "$work/generate.out" || true
echo "rows: $(sqlite3 "$db" "SELECT (SELECT COUNT(*) FROM bench_tests) || ' bench tests, ' || (SELECT COUNT(*) FROM mystery_orders) || ' mystery orders, ' || (SELECT COUNT(*) FROM kpi_months) || ' KPI months'" 2>/dev/null || echo '?')"

mgr=$("$bin" keys create --role manager --name bench-scale)
tech=$("$bin" keys create --role technician --name bench-scale)
# A console user per role measured: each load client signs in with a session of its own.
console_pw="bench-scale password $$"
printf '%s\n' "$console_pw" | "$bin" users create --email tech@bench-scale.example --name "Bench technician" --role technician --password-stdin > /dev/null

start_server() {
  "$bin" serve --addr "127.0.0.1:$port" --rate-limit 0 > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -fs "$url/healthz" > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start:"; cat "$work/serve.log"; return 1
}
stop_server() {
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}
server_rss() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server/status"; }

# The audit: refurbqa audit when the binary has it, else POST /api/v1/audits/batch.
if "$bin" audit --help > /dev/null 2>&1; then
  timed audit "$bin" audit --from "$from" --to "$to"
else
  echo "refurbqa audit is not available: timing POST /api/v1/audits/batch instead (RSS is the server's)"
  start_server
  before=$(server_rss)
  t0=$(date +%s.%N)
  code=$(curl -s -o "$work/audit.json" -w '%{http_code}' --max-time 300 -H "Authorization: Bearer $mgr" \
    -H 'Content-Type: application/json' -d "{\"period_start\":\"$from\",\"period_end\":\"$to\"}" "$url/api/v1/audits/batch")
  t1=$(date +%s.%N)
  rss=$(server_rss)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  printf '%-28s %8.1f s   server peak RSS %s MiB (%s MiB before), HTTP %s\n' "audit (HTTP batch)" "$wall" "$rss" "$before" "$code"
  printf '{"step":"audit_http","seconds":%s,"peak_rss_mib":%s,"status":%s}\n' "$wall" "$rss" "$code" >> "$out/steps.jsonl"
  stop_server
fi

if "$bin" reports --help > /dev/null 2>&1; then
  timed reports "$bin" reports --scorecards all --out "$work/reports"
  echo "reports written: $(find "$work/reports" -name '*.pdf' | wc -l)"
fi

start_server
echo "server: pid $server on $url, RSS $(server_rss) MiB after start"
# cookie_of signs in as a console user and prints the session cookie, for curl.
cookie_of() {
  curl -s -o /dev/null -D - -H 'Sec-Fetch-Site: same-origin' --data-urlencode "email=$1" --data-urlencode "password=$console_pw" \
    "$url/console/signin" | sed -n 's/^[Ss]et-[Cc]ookie: \(refurbqa_session=[^;]*\).*/\1/p' | tr -d '\r'
}
run_load() {
  local name=$1; shift
  "$load" --url "$url" --json "$out/$name.json" "$@" > "$work/$name.load" 2> "$work/$name.err" || true
  echo "== $name"; cat "$work/$name.load"
  [ -s "$work/$name.load" ] || tail -5 "$work/$name.err"
  echo "server peak RSS so far: $(server_rss) MiB"
}
run_load scorecards --token "$mgr" --scenario scorecards --concurrency 64 --warmup 3s --duration "${secs}s"
run_load report-median --token "$mgr" --scenario reports --concurrency 1 --warmup 2s --duration 10s
run_load reports --token "$mgr" --scenario reports --concurrency 4 --warmup 2s --duration "${secs}s"
run_load preview --token "$tech" --scenario preview --concurrency 16 --warmup 3s --duration "${secs}s"
# The technician's console pages, each alone (one client: its latency is the page's server time
# plus loopback), then the live preview with 16 technicians at once.
first_id() { curl -s -H "Authorization: Bearer $tech" "$url$1" | grep -o '"id":"[a-z]*_[0-9a-z]*"' | head -1 | cut -d'"' -f4; }
bt=$(first_id "/api/v1/bench-tests?limit=1")
mo=$(first_id "/api/v1/mystery-orders?limit=1")
seller=$(first_id "/api/v1/sellers?limit=1")
for page in "home:/console/" "bench-test-form:/console/bench-tests/new?seller_id=$seller&category=smartphone" \
  "bench-test:/console/bench-tests/$bt" "bench-test-correct:/console/bench-tests/$bt/correct" \
  "mystery-order-form:/console/mystery-orders/new?seller_id=$seller&category=smartphone" \
  "mystery-order:/console/mystery-orders/$mo" "batch-upload:/console/bench-tests/batch" "recent-work:/console/work"; do
  run_load "console-${page%%:*}" --email tech@bench-scale.example --password "$console_pw" --scenario console-pages \
    --path "${page#*:}" --concurrency 1 --warmup 1s --duration 10s
  printf '%-28s %s bytes\n' "  size of ${page%%:*}" "$(curl -s -o /dev/null -w '%{size_download}' -b "$(cookie_of tech@bench-scale.example)" "$url${page#*:}")"
done
printf '%-28s %s bytes (%s gzipped)\n' "  console.js" "$(curl -s "$url/console/assets/console.js" | wc -c)" "$(curl -s "$url/console/assets/console.js" | gzip -9 | wc -c)"
run_load console-preview --email tech@bench-scale.example --password "$console_pw" --scenario console-preview \
  --concurrency 16 --warmup 3s --duration "${secs}s"
run_load ingest --token "$tech" --scenario ingest --concurrency 8 --batch 500 --warmup 3s --duration "${secs}s"
printf '{"step":"server","peak_rss_mib":%s}\n' "$(server_rss)" >> "$out/steps.jsonl"
stop_server

if [ -n "${REFURBQA_BENCH_POSTGRES_DSN:-}" ]; then
  echo "== PostgreSQL"
  timed pg-generate env REFURBQA_DB=postgres REFURBQA_DSN="$REFURBQA_BENCH_POSTGRES_DSN" "$bin" demo --scale --sellers "$sellers" --from "$from" --to "$to"
  if "$bin" audit --help > /dev/null 2>&1; then
    timed pg-audit env REFURBQA_DB=postgres REFURBQA_DSN="$REFURBQA_BENCH_POSTGRES_DSN" "$bin" audit --from "$from" --to "$to"
  fi
fi
echo "results: $out/"
