#!/usr/bin/env bash
# A/B: two or more ways of starting Tollgate (builds, JVMs, JVM options, configs) under the same
# non-streamed load, one gateway at a time, in interleaved rounds, against the same upstream (nginx
# `return 200`, measured directly in every round as well). Each start gets a fresh billing database and a
# wrk warm-up; then throughput at 32 connections (req/s and Tollgate's CPU per request) and latency at one
# connection. Prints the medians per variant, and every measurement to loadtest/out/ab-<time>/raw.txt.
#
# Usage: loadtest/ab.sh [--rounds N] [--seconds S] [--warmup S] NAME='COMMAND' NAME='COMMAND' ...
#   COMMAND starts Tollgate in the foreground; unless it has a --config of its own, the script appends
#   `--config` with loadtest/gateway-loadtest.yaml (team-key auth, quotas, billing to SQLite), port 18080.
#   e.g. loadtest/ab.sh base='java -Xmx1g -jar target/tollgate.jar' \
#                       zgc='java -Xmx1g -XX:+UseZGC -jar target/tollgate.jar'
#   defaults: 3 rounds, 10 s per measurement, 20 s warm-up per start (~1 min per variant and round)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=3
SECS=10
WARMUP=20
GATEWAY_PORT=18080
FAST_PORT=18081
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
NAMES=()
declare -A COMMANDS

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    -h|--help) usage ;;
    *=*) NAMES+=("${1%%=*}"); COMMANDS[${1%%=*}]=${1#*=} ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done
[ ${#NAMES[@]} -ge 2 ] || { log "give at least two variants, NAME='COMMAND'"; usage 2; }

RUN=$LOADTEST_DIR/out/ab-$(date -u +%Y%m%dT%H%M%SZ)
RAW=$RUN/raw.txt
STATE=""
trap cleanup_on_exit EXIT

ensure_packages wrk:wrk nginx:nginx-light curl:curl
ensure_jar
mkdir -p "$RUN/upstream-body"
STATE=$(mktemp -d /tmp/tollgate-ab.XXXXXX)
render "$LOADTEST_DIR/upstream-nginx.conf" "$RUN/upstream-nginx.conf" OUT="$RUN"
start_bg "$RUN/upstream-nginx.log" nginx -e "$RUN/upstream-nginx.error.log" -p "$RUN" -c "$RUN/upstream-nginx.conf"
wait_http "http://127.0.0.1:$FAST_PORT/"
cd "$REPO_DIR"   # so that the commands may name target/tollgate.jar

# wrk_result WRK_ARGS... URL : the RESULT line of post.lua
wrk_result() {
  BENCH_TEAM_KEY=$TEAM_KEY wrk -s "$LOADTEST_DIR/post.lua" "$@" | { grep '^RESULT ' || true; } | sed 's/^RESULT //'
}

# wait_started PID LOG : until the gateway answers on its health URL; fails at once if the process exits
wait_started() {
  local i
  for i in $(seq 1 300); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/healthz" && return 0
    kill -0 "$1" 2>/dev/null || die "the variant exited before it answered: $(tail -3 "$2")"
    sleep 0.2
  done
  die "the variant did not answer within 60 s (log: $2)"
}

# measure NAME ROUND : start the variant, warm it up, measure, stop it
measure() {
  local name=$1 round=$2 cmd=${COMMANDS[$1]} db pid before line
  db=$STATE/$name-$round
  mkdir -p "$db"
  render "$LOADTEST_DIR/gateway-loadtest.yaml" "$db/gateway.yaml" STATE="$db" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
  case " $cmd " in *" --config "*) ;; *) cmd="$cmd --config $db/gateway.yaml" ;; esac
  # word splitting of the command is intended: it is a command line
  # shellcheck disable=SC2086
  start_bg "$RUN/$name-$round.log" $cmd
  pid=$LAST_PID
  wait_started "$pid" "$RUN/$name-$round.log"
  wrk_result -t2 -c32 -d"${WARMUP}s" "http://127.0.0.1:$GATEWAY_PORT$API" >/dev/null
  before=$(cpu_ms "$pid")
  line=$(wrk_result -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$GATEWAY_PORT$API")
  [ -n "$line" ] || die "wrk gave no result for $name"
  echo "$name round=$round c=32 $line cpu_ms=$(( $(cpu_ms "$pid") - before ))" | tee -a "$RAW" >&2
  line=$(wrk_result -t1 -c1 -d"${SECS}s" "http://127.0.0.1:$GATEWAY_PORT$API")
  echo "$name round=$round c=1 $line" | tee -a "$RAW" >&2
  stop_pid "$pid"
}

log "variants: ${NAMES[*]}; $ROUNDS rounds of ${SECS}s measurements after ${WARMUP}s warm-up; results in $RUN"
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  echo "direct round=$round c=1 $(wrk_result -t1 -c1 -d"${SECS}s" "http://127.0.0.1:$FAST_PORT$API")" | tee -a "$RAW" >&2
  for name in "${NAMES[@]}"; do measure "$name" "$round"; done
done

# the medians per variant, from the raw lines
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line)"
  echo "command: loadtest/ab.sh --rounds $ROUNDS --seconds $SECS --warmup $WARMUP $(for n in "${NAMES[@]}"; do printf "%s='%s' " "$n" "${COMMANDS[$n]}"; done)"
  echo
  echo "| variant | req/s, 32 connections | CPU µs per request | p50, 1 connection (ms) | p99 | p99.9 |"
  echo "|---|---|---|---|---|---|"
  awk -v order="direct ${NAMES[*]}" '
    function field(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    field("c") == 32 { rps[$1] = rps[$1] " " field("rps"); cpu[$1] = cpu[$1] " " (1000 * field("cpu_ms") / field("requests")) }
    field("c") == 1 { p50[$1] = p50[$1] " " field("p50"); p99[$1] = p99[$1] " " field("p99"); p999[$1] = p999[$1] " " field("p999") }
    END {
      n = split(order, names, " ")
      for (i = 1; i <= n; i++) {
        v = names[i]
        printf "| %s | %s | %s | %s | %s | %s |\n", v, (v in rps) ? sprintf("%.0f", median(rps[v])) : "—",
          (v in cpu) ? sprintf("%.1f", median(cpu[v])) : "—", median(p50[v]), median(p99[v]), median(p999[v])
      }
    }' "$RAW"
  echo
  echo "Medians of the rounds; direct = wrk at the upstream itself (1 connection, once per round)."
} | tee "$RUN/results.md"
