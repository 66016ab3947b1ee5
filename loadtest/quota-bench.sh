#!/usr/bin/env bash
# Admission overhead: the same non-streamed wrk load through four Tollgates in front of the same fast
# upstream — quotas off (a team without limits), quotas in memory, quotas in Redis (exact: scripts per
# request), quotas in Redis leased (quota.mode: leased: slices from Redis, admitted in memory) — in interleaved
# rounds on 127.0.0.1. Prints per-request latency at one connection and throughput at 32 connections.
# Usage: loadtest/quota-bench.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-3}
SECS=${2:-10}
OUT=$PWD/out/quota
mkdir -p "$OUT/upstream-body"
command -v wrk >/dev/null && command -v nginx >/dev/null && command -v redis-server >/dev/null \
  || { apt-get update -qq && apt-get install -y -qq wrk nginx-light redis-server; }
[ -f ../target/tollgate.jar ] || (cd .. && mvn -B -q package -DskipTests)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# the fast upstream (nginx `return 200`), on its own port so this can run beside other benchmarks
sed -e "s#__OUT__#$OUT#g" -e "s#127.0.0.1:18081#127.0.0.1:19081#" upstream-nginx.conf > "$OUT/upstream.conf"
nginx -c "$OUT/upstream.conf" -p "$OUT" & PIDS+=($!)
redis-server --port 19379 --bind 127.0.0.1 --save '' --appendonly no > "$OUT/redis.log" 2>&1 & PIDS+=($!); REDIS_PID=$!

gateway() { # name port limits extra
  cat > "$OUT/$1.yaml" <<YAML
server: { host: 127.0.0.1, port: $2, access-log: false }
store: "sqlite:$OUT/$1.db"
prices: ../conf/prices.yaml
providers:
  bench: { type: openai, base-url: "http://127.0.0.1:19081/v1", keys: [ { secret: "\${env:BENCH_PROVIDER_KEY:-sk-bench-provider}" } ] }
models:
  gpt-bench: { targets: [ { provider: bench, model: gpt-4o-mini } ] }
teams:
  bench: { $3 keys: [ { name: load, secret: "\${env:BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}" } ] }
$4
YAML
  java -Xms256m -Xmx512m -jar ../target/tollgate.jar --config "$OUT/$1.yaml" > "$OUT/$1.log" 2>&1 & PIDS+=($!)
}
LIMITS="limits: { rpm: 100000000, tpm: 100000000000, concurrent: 100000 }, budget: { usd: 1000000000, period: monthly },"
gateway none 19080 "" ""
gateway memory 19082 "$LIMITS" ""
gateway redis 19083 "$LIMITS" "redis: redis://127.0.0.1:19379"
gateway leased 19084 "$LIMITS" "redis: redis://127.0.0.1:19379
quota: { mode: leased }"
for port in 19080 19082 19083 19084; do
  for i in $(seq 1 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system time, in clock ticks
run() { wrk -s post.lua "$@" | grep RESULT | sed 's/RESULT //'; }
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "warming up ..."
for port in 19080 19082 19083 19084; do run -t2 -c32 -d8s "http://127.0.0.1:$port/v1/chat/completions" >/dev/null; done

declare -A RPS P50 P99
REDIS_US=""
LEASED_US=""
for r in $(seq 1 "$ROUNDS"); do
  for name in none memory redis leased; do
    case $name in none) port=19080;; memory) port=19082;; redis) port=19083;; leased) port=19084;; esac
    url="http://127.0.0.1:$port/v1/chat/completions"
    before=$(cpu_ticks "$REDIS_PID")
    t=$(run -t2 -c32 -d${SECS}s "$url")
    if [ "$name" = redis ] || [ "$name" = leased ]; then  # Redis's own CPU time per admitted request in the 32-connection run
      us="$(awk -v d=$(( $(cpu_ticks "$REDIS_PID") - before )) -v hz="$(getconf CLK_TCK)" -v n="$(field "$t" requests)" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')"
      if [ "$name" = redis ]; then REDIS_US="$REDIS_US $us"; else LEASED_US="$LEASED_US $us"; fi
    fi
    l=$(run -t1 -c1 -d${SECS}s "$url")
    RPS[$name]="${RPS[$name]:-} $(field "$t" rps)"; P50[$name]="${P50[$name]:-} $(field "$l" p50)"; P99[$name]="${P99[$name]:-} $(field "$l" p99)"
    echo "round $r $name: 32 conns [$t] 1 conn [$l]"
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1), $(redis-server --version | awk '{print $3}')"
  echo "command: loadtest/quota-bench.sh $ROUNDS $SECS   (medians of $ROUNDS interleaved rounds of ${SECS}s)"
  echo
  echo "| quotas | p50, 1 conn (ms) | p99, 1 conn (ms) | admission cost vs none, p50 | req/s, 32 conns | vs none |"
  echo "|---|---|---|---|---|---|"
  base50=$(median ${P50[none]}); baseR=$(median ${RPS[none]})
  for name in none memory redis leased; do
    p50=$(median ${P50[$name]}); p99=$(median ${P99[$name]}); rps=$(median ${RPS[$name]})
    awk -v n="$name" -v a="$p50" -v b="$p99" -v c="$base50" -v r="$rps" -v br="$baseR" \
      'BEGIN {printf "| %s | %.3f | %.3f | %+.3f ms | %.0f | %.2f |\n", n, a, b, a-c, r, r/br}'
  done
  echo
  echo "redis-server CPU per request in the 32-connection runs (admission + settlement scripts): exact $(median $REDIS_US) µs, leased $(median $LEASED_US) µs"
  awk -v l="$(median ${RPS[leased]})" -v m="$(median ${RPS[memory]})" 'BEGIN {printf "leased vs in memory, req/s at 32 conns: %.2f (goal >= 0.8)\n", l / m}' 
} | tee "$OUT/quota-bench-latest.md"
