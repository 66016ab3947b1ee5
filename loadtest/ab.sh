#!/usr/bin/env bash
# A/B: two or more ways of starting Tollgate (builds, JVMs, JVM options, configs) under the same
# non-streamed load, one gateway at a time, in interleaved rounds (the starting variant rotates), against
# the same upstream (nginx `return 200`, measured directly in every round as well). Each start gets a wrk
# warm-up; then throughput at 32 connections (req/s and Tollgate's CPU per request) and latency at one
# connection. Prints the medians per variant, and every measurement to loadtest/out/ab-<time>/raw.txt.
#
# Usage: loadtest/ab.sh [--rounds N] [--seconds S] [--warmup S] NAME='COMMAND' NAME='COMMAND' ...
#   NAME: letters, digits, '.', '_', '-'. COMMAND: a java command line that starts Tollgate in the
#   foreground, run from the repository root, split on spaces (no quoting inside it), the JVM itself (no
#   wrapper such as `timeout` or `sh -c`: its CPU is measured and it is stopped by PID). Without a
#   --config of its own, the script appends one: loadtest/gateway-loadtest.yaml (team-key auth, quotas,
#   billing to a fresh SQLite file per start) on port 18080; a config of your own must serve the same
#   (port 18080, model gpt-bench to 127.0.0.1:18081, the bench team key of post.lua).
#   e.g. loadtest/ab.sh base='java -Xmx1g -jar target/tollgate.jar' \
#                       zgc='java -Xmx1g -XX:+UseZGC -jar target/tollgate.jar'
#   defaults: 3 rounds, 10 s per measurement, 60 s warm-up per start (~2 min per variant and round; the JIT needs 60-90 s on 2 cores)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=3
SECS=10
WARMUP=60
GATEWAY_PORT=${AB_PORT:-18080}   # AB_PORT: another pair of ports (the gateway's, and the upstream's next to it)
FAST_PORT=$((GATEWAY_PORT + 1))
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
NAMES=()
declare -A COMMANDS

number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { log "$1 needs a positive whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=${2:-}; number "$1" "$ROUNDS"; shift ;;
    --seconds) SECS=${2:-}; number "$1" "$SECS"; shift ;;
    --warmup) WARMUP=${2:-}; number "$1" "$WARMUP"; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *=*)
      name=${1%%=*}
      [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { log "variant name '$name': use letters, digits, '.', '_', '-'"; usage 2; }
      [ "$name" != direct ] || { log "'direct' is the upstream's own row; name the variant otherwise"; usage 2; }
      [ -z "${COMMANDS[$name]:-}" ] || { log "variant '$name' given twice"; usage 2; }
      NAMES+=("$name"); COMMANDS[$name]=${1#*=} ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done
[ ${#NAMES[@]} -ge 2 ] || { log "give at least two variants, NAME='COMMAND'"; usage 2; }

begin_run ab $GATEWAY_PORT $FAST_PORT
start_upstream $FAST_PORT
cd "$REPO_DIR"   # so that the commands may name target/tollgate.jar

# measure NAME ROUND : start the variant, warm it up, measure, stop it
measure() {
  local name=$1 round=$2 cmd=${COMMANDS[$1]} db pid before line
  db=$STATE/$name-$round
  mkdir -p "$db"
  render "$LOADTEST_DIR/gateway-loadtest.yaml" "$db/gateway.yaml" STATE="$db" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
  case " $cmd " in *" --config "*|*" --config="*) ;; *) cmd="$cmd --config $db/gateway.yaml" ;; esac
  set -f   # the command is split on spaces, never glob-expanded (-Xlog:gc*:file=...)
  # shellcheck disable=SC2086
  start_bg "$RUN/$name-$round.log" $cmd
  set +f
  pid=$LAST_PID
  wait_started "$pid" "$RUN/$name-$round.log" "$GATEWAY_PORT"
  result "$name warm-up" -t2 -c32 -d"${WARMUP}s" "http://127.0.0.1:$GATEWAY_PORT$API" >/dev/null
  before=$(cpu_ms "$pid")
  line=$(result "$name" -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$GATEWAY_PORT$API")
  kill -0 "$pid" 2>/dev/null || die "$name exited during the run (log: $RUN/$name-$round.log)"
  echo "$name round=$round c=32 $line cpu_ms=$(( $(cpu_ms "$pid") - before ))" | tee -a "$RAW" >&2
  line=$(result "$name" -t1 -c1 -d"${SECS}s" "http://127.0.0.1:$GATEWAY_PORT$API")
  echo "$name round=$round c=1 $line" | tee -a "$RAW" >&2
  stop_started "$pid"
}

log "variants: ${NAMES[*]}; $ROUNDS rounds of ${SECS}s measurements after ${WARMUP}s warm-up; results in $RUN"
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  line=$(result direct -t1 -c1 -d"${SECS}s" "http://127.0.0.1:$FAST_PORT$API")
  echo "direct round=$round c=1 $line" | tee -a "$RAW" >&2
  n=${#NAMES[@]}
  for i in $(seq 0 $((n - 1))); do measure "${NAMES[$(( (i + round - 1) % n ))]}" "$round"; done
done

# the medians per variant, from the raw lines
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line) (the default java; each variant names its own)"
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
    function ms(list) { return list == "" ? "—" : sprintf("%.3f", median(list)) }
    field("c") == 32 { rps[$1] = rps[$1] " " field("rps"); cpu[$1] = cpu[$1] " " (1000 * field("cpu_ms") / field("requests")) }
    field("c") == 1 { p50[$1] = p50[$1] " " field("p50"); p99[$1] = p99[$1] " " field("p99"); p999[$1] = p999[$1] " " field("p999") }
    END {
      n = split(order, names, " ")
      for (i = 1; i <= n; i++) {
        v = names[i]
        printf "| %s | %s | %s | %s | %s | %s |\n", v, (v in rps) ? sprintf("%.0f", median(rps[v])) : "—",
          (v in cpu) ? sprintf("%.1f", median(cpu[v])) : "—", ms(p50[v]), ms(p99[v]), ms(p999[v])
      }
    }' "$RAW"
  echo
  echo "Medians of the rounds; direct = wrk at the upstream itself (1 connection, once per round). Every request answered 2xx."
} | tee "$RUN/results.md"
