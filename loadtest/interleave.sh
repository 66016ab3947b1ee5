#!/usr/bin/env bash
# Fine-grained A/B: every variant started at once, each on a port of its own, warmed up in turn, then measured in
# short alternating slots (the order rotates every cycle), so that all variants of one cycle see the same minute of
# this shared machine. Where ab.sh compares starts minutes apart, this compares the same starts seconds apart: the
# host's drift cancels out of the per-cycle ratios, and what remains between runs is the variation of the starts
# themselves (run it again for other starts). Non-streamed load only, wrk -t2 -c32, against nginx `return 200`.
#
# Usage: loadtest/interleave.sh [--cycles N] [--seconds S] [--warmup S] NAME='COMMAND' NAME='COMMAND' ...
#   COMMAND: as for ab.sh (a java command line, split on spaces, the JVM itself), except that each variant gets
#   its own port and directory: @PORT@ in the command is replaced by the port (BareRelay.java and FloorGateway.java:
#   --port @PORT@) and @STATE@ by a fresh directory; a command without a --config of its own gets
#   loadtest/gateway-loadtest.yaml rendered with that port and directory (the relay and the floor ignore it). A
#   config of your own is used as it is: it must listen on the variant's port and keep its store apart.
#   The first variant is the baseline of the ratios. Ports: 18080, then 18082-18089; the upstream is on 18081.
#   The order rotates every cycle: with a number of cycles that is a multiple of the number of variants, each variant
#   takes each place in the order equally often.
#   e.g. loadtest/interleave.sh relay='java -Xmx1g -cp target/tollgate.jar loadtest/BareRelay.java --port @PORT@ --upstream 127.0.0.1:18081' \
#                               tollgate='java -Xmx1g -jar target/tollgate.jar'
#   defaults: 8 cycles of 8 s slots (each after 2 s of load not measured), 60 s warm-up per variant
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CYCLES=8
SECS=8
WARMUP=60
REWARM=2
FAST_PORT=18081
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
NAMES=()
declare -A COMMANDS PORTS PIDS

number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { log "$1 needs a positive whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --cycles) CYCLES=${2:-}; number "$1" "$CYCLES"; shift ;;
    --seconds) SECS=${2:-}; number "$1" "$SECS"; shift ;;
    --warmup) WARMUP=${2:-}; number "$1" "$WARMUP"; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *=*)
      name=${1%%=*}
      [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { log "variant name '$name': use letters, digits, '.', '_', '-'"; usage 2; }
      [ -z "${COMMANDS[$name]:-}" ] || { log "variant '$name' given twice"; usage 2; }
      NAMES+=("$name"); COMMANDS[$name]=${1#*=} ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done
[ ${#NAMES[@]} -ge 2 ] || { log "give at least two variants, NAME='COMMAND'"; usage 2; }
[ ${#NAMES[@]} -le 9 ] || { log "at most 9 variants (ports 18080, 18082-18089)"; usage 2; }

i=0
for name in "${NAMES[@]}"; do
  PORTS[$name]=$([ $i -eq 0 ] && echo 18080 || echo $((18081 + i)))
  i=$((i + 1))
done

# shellcheck disable=SC2046
begin_run interleave $FAST_PORT $(for n in "${NAMES[@]}"; do echo "${PORTS[$n]}"; done)
start_upstream $FAST_PORT
cd "$REPO_DIR"

log "variants: ${NAMES[*]}; $CYCLES cycles of ${SECS}s slots after ${WARMUP}s warm-up each; results in $RUN"
for name in "${NAMES[@]}"; do
  port=${PORTS[$name]}
  db=$STATE/$name
  mkdir -p "$db"
  render "$LOADTEST_DIR/gateway-loadtest.yaml" "$db/gateway.yaml" STATE="$db" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT="$port" FAST_PORT=$FAST_PORT PACED_PORT=18091
  cmd=${COMMANDS[$name]//@PORT@/$port}
  cmd=${cmd//@STATE@/$db}
  case " $cmd " in *" --config "*|*" --config="*) ;; *) cmd="$cmd --config $db/gateway.yaml" ;; esac
  set -f
  # shellcheck disable=SC2086
  start_bg "$RUN/$name.log" $cmd
  set +f
  PIDS[$name]=$LAST_PID
  wait_started "$LAST_PID" "$RUN/$name.log" "$port"
done
for name in "${NAMES[@]}"; do
  log "warming up $name"
  result "$name warm-up" -t2 -c32 -d"${WARMUP}s" "http://127.0.0.1:${PORTS[$name]}$API" >/dev/null
done

: >"$RAW"
n=${#NAMES[@]}
for cycle in $(seq 1 "$CYCLES"); do
  for i in $(seq 0 $((n - 1))); do
    name=${NAMES[$(( (i + cycle - 1) % n ))]}
    pid=${PIDS[$name]}
    url="http://127.0.0.1:${PORTS[$name]}$API"
    result "$name re-warm" -t2 -c32 -d"${REWARM}s" "$url" >/dev/null
    before=$(cpu_ms "$pid")
    line=$(result "$name" -t2 -c32 -d"${SECS}s" "$url")
    kill -0 "$pid" 2>/dev/null || die "$name exited during the run (log: $RUN/$name.log)"
    echo "$name cycle=$cycle c=32 $line cpu_ms=$(( $(cpu_ms "$pid") - before ))" | tee -a "$RAW" >&2
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line) (the default java; each variant names its own)"
  echo "command: loadtest/interleave.sh --cycles $CYCLES --seconds $SECS --warmup $WARMUP $(for n in "${NAMES[@]}"; do printf "%s='%s' " "$n" "${COMMANDS[$n]}"; done)"
  echo
  echo "| variant | req/s, 32 connections (median) | CPU µs per request | ratio to ${NAMES[0]}: median | min | max | cycles ≥ 0.85 | ratio per cycle |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -v order="${NAMES[*]}" '
    function field(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    {
      c = field("cycle"); r[$1, c] = field("rps")
      rps[$1] = rps[$1] " " field("rps"); cpu[$1] = cpu[$1] " " (1000 * field("cpu_ms") / field("requests"))
      if (c > cycles) cycles = c
    }
    END {
      n = split(order, names, " ")
      for (i = 1; i <= n; i++) {
        v = names[i]; ratios = ""; shown = ""; lo = 1e9; hi = 0; pass = 0; used = 0
        for (c = 1; c <= cycles; c++) {
          if (r[v, c] == "" || r[names[1], c] + 0 == 0) continue   # a cycle the run did not finish
          q = r[v, c] / r[names[1], c]; ratios = ratios " " q; shown = shown sprintf(" %.3f", q); used++
          if (q < lo) lo = q; if (q > hi) hi = q; if (q >= 0.85) pass++
        }
        printf "| %s | %.0f | %.1f | %.3f | %.3f | %.3f | %d of %d |%s |\n", v, median(rps[v]), median(cpu[v]),
          median(ratios), lo, hi, pass, used, shown
      }
    }' "$RAW"
  echo
  echo "Ratios per cycle (each variant against ${NAMES[0]} in the same cycle), then their median. Every request answered 2xx."
} | tee "$RUN/results.md"
