#!/usr/bin/env bash
# CPU per relayed stream event, Tollgate against the bare Vert.x relay, in windows long enough to judge issue 18's
# "≤ 1.2× the relay" (run.sh's stream scenario measures 2-3 s per round, right after the JIT-heavy throughput
# scenario: its per-event ratios spread too much to judge it). Starts the relay and Tollgate alternately, one at
# a time, each through `profile.sh --threads --stream N` (N paced streams of 64 events 20 ms apart from the fake
# provider, repeated; no profiler: each thread's CPU from /proc over the window), and prints per round the
# process's CPU per event, the event loops' and the JIT compiler's apart, and Tollgate / relay; then the medians.
# Raw profile.sh output in loadtest/out/stream-cpu-<time>/.
#
# Usage: loadtest/stream-cpu.sh [--rounds R] [--streams N] [--seconds S] [--warmup S] [--gateway-warm-up D] [COMMAND]
#   --gateway-warm-up D: Tollgate with its own warm-up on (server.warm-up: D, as k8s/base ships it; see profile.sh)
#   COMMAND: a java command line starting Tollgate, as in ab.sh (default: java -Xmx1g -jar target/tollgate.jar)
#   defaults: 3 rounds, N = 100, 40 s measured after 60 s of stream warm-up per start (~10 min)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=3
STREAMS=100
SECS=40
WARMUP=60
CMD="java -Xmx1g -jar target/tollgate.jar"
GW=()
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { log "$1 needs a positive whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=${2:-}; number "$1" "$ROUNDS"; shift ;;
    --streams) STREAMS=${2:-}; number "$1" "$STREAMS"; shift ;;
    --seconds) SECS=${2:-}; number "$1" "$SECS"; shift ;;
    --warmup) WARMUP=${2:-}; number "$1" "$WARMUP"; shift ;;
    --gateway-warm-up) [[ ${2:-} =~ ^[1-9][0-9]*(ms|s|m)$ ]] || { log "$1 needs a duration such as 20s"; usage 2 >&2; }; GW=(--gateway-warm-up "$2"); shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *) CMD=$1 ;;
  esac
  shift
done

cd "$REPO_DIR"
ensure_jar
OUT=$LOADTEST_DIR/out/stream-cpu-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
# the relay in front of profile.sh's fake provider (port 18091), where Tollgate's gpt-stream goes
RELAY="java -Xmx1g -cp $JAR $LOADTEST_DIR/BareRelay.java --port 18080 --upstream 127.0.0.1:18091"
log "stream CPU per event: $ROUNDS rounds, N = $STREAMS, ${SECS}s after ${WARMUP}s per start; raw output in $OUT"

# one start: prints "TOTAL LOOPS JIT EVENTS STALLED" per event
measure() {
  local name=$1 cmd=$2 round=$3 file extra=()
  file=$OUT/$name-$round.txt
  [ "$name" = tollgate ] && extra=("${GW[@]}")
  "$LOADTEST_DIR/profile.sh" "${extra[@]}" --threads --stream "$STREAMS" --warmup "$WARMUP" --seconds "$SECS" "$cmd" >"$file" 2>&1 \
    || die "profile.sh failed for $name (see $file)"
  awk '/all threads/ { total = $1 } /vert\.x-eventloo/ { loops = $1 } /CompilerThre/ { jit = $1 }
       /^RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "requests") ev = kv[2]; if (kv[1] == "stalled") st = kv[2] } }
       END { printf "%s %s %s %s %s\n", total, loops, jit + 0, ev, st }' "$file"
}

printf '| round | target | CPU µs per event | event loops | JIT compiler | events | stalled streams | Tollgate / relay |\n'
printf '|---|---|---|---|---|---|---|---|\n'
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  read -r rt rl rj re rs < <(measure relay "$RELAY" "$round")
  read -r tt tl tj te ts < <(measure tollgate "$CMD" "$round")
  ratio=$(awk -v a="$tt" -v b="$rt" 'BEGIN { printf "%.2f", a / b }')
  ratios+=("$ratio")
  printf '| %d | relay | %s | %s | %s | %s | %s | |\n' "$round" "$rt" "$rl" "$rj" "$re" "$rs"
  printf '| %d | tollgate | %s | %s | %s | %s | %s | %s× |\n' "$round" "$tt" "$tl" "$tj" "$te" "$ts" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf '\nTollgate / relay, CPU per relayed event: median %s× (rounds: %s); goal ≤ 1.2×\n' "$median" "${ratios[*]}"
printf 'date: %s; machine: %s; Tollgate: %s%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(machine_line)" "$CMD" "${GW[1]:+, server.warm-up: ${GW[1]}}"
