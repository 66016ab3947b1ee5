#!/usr/bin/env bash
# The response cache: the hit path against the miss path (and a model without cache) through one Tollgate, in
# interleaved rounds on 127.0.0.1, non-streamed, in front of nginx `return 200`: throughput at 32 connections
# with Tollgate's CPU per request, latency at one connection. Then coalescing: 50 identical streams at once
# through Tollgate to the fake provider, counting the streams the provider served.
#   hit:     every request the same, answered from the cache (after the first)
#   miss:    every request's prompt new (wrk numbers them), so each goes upstream and its answer is stored
#   nostore: as miss, with Cache-Control: no-store (the key, lookup and flight, but nothing stored): what storing costs
#   nocache: new prompts, as miss, to a model without cache (the gateway as it was before the cache): what a miss costs more
# (miss, nostore and nocache all send prompts never seen before, so each pays the tokenizer for its new text)
# Usage: loadtest/cache-bench.sh [--rounds N] [--seconds S] [--warmup S]   (defaults 3, 10, 30; ~7 min)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=3
SECS=10
WARMUP=30
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done
for n in "$ROUNDS" "$SECS" "$WARMUP"; do [[ $n =~ ^[1-9][0-9]*$ ]] || { log "give whole numbers"; usage 2; }; done

GATEWAY_PORT=18280
FAST_PORT=18081
MOCK_PORT=18291
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
RUN=$LOADTEST_DIR/out/cache-$(date -u +%Y%m%dT%H%M%SZ)
RAW=$RUN/raw.txt
STATE=""
trap cleanup_on_exit EXIT

ensure_packages wrk:wrk nginx:nginx-light curl:curl
ensure_jar
ports_free $GATEWAY_PORT $FAST_PORT $MOCK_PORT
mkdir -p "$RUN/upstream-body"
STATE=$(mktemp -d /tmp/tollgate-cache-bench.XXXXXX)
render "$LOADTEST_DIR/upstream-nginx.conf" "$RUN/upstream-nginx.conf" OUT="$RUN"
start_bg "$RUN/upstream-nginx.log" nginx -e "$RUN/upstream-nginx.error.log" -p "$RUN" -c "$RUN/upstream-nginx.conf"
start_bg "$RUN/mock.log" java -Xmx512m -cp "$JAR" dev.tollgate.Main mock --port $MOCK_PORT --tokens 64 --interval-ms 20
cat >"$RUN/gateway.yaml" <<YAML
server: { port: $GATEWAY_PORT, host: 127.0.0.1, access-log: false, shutdown-grace: 2s }
store: "sqlite:$STATE/tollgate.db"
providers:
  fast:  { type: openai, base-url: "http://127.0.0.1:$FAST_PORT/v1", keys: [ { secret: "\${env:LOADTEST_PROVIDER_KEY:-sk-loadtest-provider-key}" } ] }
  paced: { type: openai, base-url: "http://127.0.0.1:$MOCK_PORT/v1", keys: [ { secret: "\${env:LOADTEST_PROVIDER_KEY:-sk-loadtest-provider-key}" } ] }
models:
  gpt-cached: { targets: [ { provider: fast, model: gpt-4o-mini } ], cache: { ttl: 1h } }
  gpt-bench:  { targets: [ { provider: fast, model: gpt-4o-mini } ] }
  gpt-stream: { targets: [ { provider: paced, model: gpt-4o-mini } ], cache: { ttl: 1h } }
prices: $LOADTEST_DIR/prices-loadtest.yaml
cache: { max-bytes: 256MiB }
teams:
  loadtest:
    budget: { usd: 1000000, period: monthly }
    limits: { rpm: 100000000, tpm: 100000000000, concurrent: 50000 }
    keys: [ { name: load, secret: "\${env:BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}" } ]
YAML
start_bg "$RUN/gateway.log" java -Xmx1g -XX:+UseG1GC -jar "$JAR" --config "$RUN/gateway.yaml"
GATEWAY_PID=$LAST_PID
wait_http "http://127.0.0.1:$FAST_PORT/"
wait_http "http://127.0.0.1:$MOCK_PORT/_mock/stats"
wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
URL=http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions

# wrk_at VARIANT WRK_ARGS... : cache.lua's RESULT line for the variant; fails unless every request got a 2xx
wrk_at() {
  local variant=$1 model=gpt-cached unique=0 header=X-Bench:1 line; shift
  case $variant in miss) unique=1 ;; nostore) unique=1; header="Cache-Control: no-store" ;; nocache) unique=1; model=gpt-bench ;; esac
  line=$(CACHE_MODEL=$model CACHE_UNIQUE=$unique BENCH_TEAM_KEY=$TEAM_KEY wrk -s "$LOADTEST_DIR/cache.lua" -H "$header" "$@" "$URL" \
    | { grep '^RESULT ' || true; } | sed 's/^RESULT //')
  [[ $line == *" errors=0 "* && $line != *" requests=0" ]] || die "$variant: failed requests: $line"
  echo "$line"
}

VARIANTS=(hit miss nostore nocache)
log "warm-up: ${WARMUP}s per variant"
for v in "${VARIANTS[@]}"; do wrk_at "$v" -t2 -c32 -d"${WARMUP}s" >/dev/null; done
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2 3; do
    v=${VARIANTS[$(( (i + round - 1) % 4 ))]}
    before=$(cpu_ms "$GATEWAY_PID")
    line=$(wrk_at "$v" -t2 -c32 -d"${SECS}s")
    echo "$v round=$round c=32 $line cpu_ms=$(( $(cpu_ms "$GATEWAY_PID") - before ))" | tee -a "$RAW" >&2
    line=$(wrk_at "$v" -t1 -c1 -d"${SECS}s")
    echo "$v round=$round c=1 $line" | tee -a "$RAW" >&2
  done
done
curl -s "http://127.0.0.1:$GATEWAY_PORT/metrics" | grep '^tollgate_cache_requests_total' >"$RUN/cache-metrics.txt" || true

# coalescing: 50 identical streams at once, a prompt no earlier request had
mock_requests() { curl -s "http://127.0.0.1:$MOCK_PORT/_mock/stats" | sed 's/.*"requests":\([0-9]*\).*/\1/'; }
before=$(mock_requests)
body='{"model":"gpt-stream","stream":true,"messages":[{"role":"user","content":"coalesce '"$(date +%s%N)"'"}]}'
CURLS=()
for i in $(seq 1 50); do
  curl -sN --max-time 60 -H "Authorization: Bearer $TEAM_KEY" -H 'Content-Type: application/json' -d "$body" "$URL" \
    >"$RUN/stream-$i.txt" &
  CURLS+=($!)
done
for pid in "${CURLS[@]}"; do wait "$pid" || die "a coalesced stream failed (curl exit $?)"; done
streams=$(( $(mock_requests) - before ))
complete=$(grep -l '^data: \[DONE\]' "$RUN"/stream-*.txt | wc -l)
same=$(for f in "$RUN"/stream-*.txt; do grep -o '"content":"[^"]*"' "$f" | tr -d '\n' | md5sum; done | sort -u | wc -l)
echo "coalescing: 50 identical streams -> upstream streams=$streams complete=$complete distinct_contents=$same" | tee -a "$RAW" >&2

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line)"
  echo "command: loadtest/cache-bench.sh --rounds $ROUNDS --seconds $SECS --warmup $WARMUP (commit $(cd "$REPO_DIR" && git rev-parse --short HEAD))"
  echo
  echo "| path | req/s, 32 connections | vs miss | CPU µs per request | p50, 1 connection (ms) | p99 | p99.9 |"
  echo "|---|---|---|---|---|---|---|"
  awk '
    function field(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    field("c") == 32 { rps[$1] = rps[$1] " " field("rps"); cpu[$1] = cpu[$1] " " (1000 * field("cpu_ms") / field("requests")) }
    field("c") == 1 { p50[$1] = p50[$1] " " field("p50"); p99[$1] = p99[$1] " " field("p99"); p999[$1] = p999[$1] " " field("p999") }
    END {
      split("hit miss nostore nocache", names, " ")
      for (i = 1; i <= 4; i++) {
        v = names[i]
        printf "| %s | %.0f | %.2f × | %.1f | %.3f | %.3f | %.3f |\n", v, median(rps[v]), median(rps[v]) / median(rps["miss"]),
          median(cpu[v]), median(p50[v]), median(p99[v]), median(p999[v])
      }
    }' "$RAW"
  echo
  echo "Medians of $ROUNDS interleaved rounds. Coalescing: $(grep '^coalescing' "$RAW" | sed 's/^coalescing: //')."
  echo "Cache counters at the end: $(tr '\n' ' ' <"$RUN/cache-metrics.txt")"
} | tee "$RUN/results.md"
