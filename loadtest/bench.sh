#!/usr/bin/env bash
# Non-streamed benchmark: the same wrk load straight at a fast upstream (nginx `return 200`) and through
# Tollgate in front of it, in interleaved rounds on 127.0.0.1. Prints throughput ratio and added latency.
# Usage: loadtest/bench.sh [rounds] [seconds]      (defaults: 3 rounds of 10 s per measurement)
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-3}
SECS=${2:-10}
OUT=$PWD/out
mkdir -p "$OUT/upstream-body"
command -v wrk >/dev/null && command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light; }
[ -f ../target/tollgate.jar ] || (cd .. && mvn -B -q package -DskipTests)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sed "s#__OUT__#$OUT#g" upstream-nginx.conf > "$OUT/upstream-nginx.conf"
nginx -c "$OUT/upstream-nginx.conf" -p "$OUT" & PIDS+=($!)
java -Xms512m -Xmx512m -jar ../target/tollgate.jar --config gateway-bench.yaml > "$OUT/tollgate.log" 2>&1 & PIDS+=($!)
for url in http://127.0.0.1:18081/ http://127.0.0.1:18080/healthz; do
  for i in $(seq 1 100); do curl -sf -o /dev/null -X POST "$url" -d '{}' 2>/dev/null || curl -sf -o /dev/null "$url" && break; sleep 0.2; done
done

DIRECT=http://127.0.0.1:18081/v1/chat/completions
GATEWAY=http://127.0.0.1:18080/v1/chat/completions
run() { wrk -s post.lua "$@" | grep RESULT | sed 's/RESULT //'; }
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

echo "warming up (JIT) ..."
run -t2 -c32 -d10s "$GATEWAY" >/dev/null
run -t2 -c32 -d3s "$DIRECT" >/dev/null

declare -a D_RPS G_RPS D_P50 G_P50 D_P99 G_P99
for r in $(seq 1 "$ROUNDS"); do
  d=$(run -t2 -c32 -d${SECS}s "$DIRECT"); g=$(run -t2 -c32 -d${SECS}s "$GATEWAY")
  D_RPS+=($(field "$d" rps)); G_RPS+=($(field "$g" rps))
  d1=$(run -t1 -c1 -d${SECS}s "$DIRECT"); g1=$(run -t1 -c1 -d${SECS}s "$GATEWAY")
  D_P50+=($(field "$d1" p50)); G_P50+=($(field "$g1" p50)); D_P99+=($(field "$d1" p99)); G_P99+=($(field "$g1" p99))
  echo "round $r: direct[$d] tollgate[$g] | 1 conn: direct[$d1] tollgate[$g1]"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
DR=$(median "${D_RPS[@]}"); GR=$(median "${G_RPS[@]}")
DP50=$(median "${D_P50[@]}"); GP50=$(median "${G_P50[@]}"); DP99=$(median "${D_P99[@]}"); GP99=$(median "${G_P99[@]}")
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
  echo "command: loadtest/bench.sh $ROUNDS $SECS   (medians of $ROUNDS interleaved rounds of ${SECS}s)"
  echo
  echo "| scenario | direct | tollgate | tollgate / direct |"
  echo "|---|---|---|---|"
  awk -v d="$DR" -v g="$GR" 'BEGIN {printf "| throughput, 32 connections (req/s) | %.0f | %.0f | %.2f |\n", d, g, g/d}'
  awk -v d="$DP50" -v g="$GP50" 'BEGIN {printf "| p50 latency, 1 connection (ms) | %.3f | %.3f | +%.3f ms |\n", d, g, g-d}'
  awk -v d="$DP99" -v g="$GP99" 'BEGIN {printf "| p99 latency, 1 connection (ms) | %.3f | %.3f | +%.3f ms |\n", d, g, g-d}'
} | tee "$OUT/bench-latest.md"
