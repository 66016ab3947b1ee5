#!/usr/bin/env bash
# Ablation in one process: what switching benchmark switches off (-Dtollgate.bench.off's names: auth, admit,
# estimate, meter, metrics, journal, store, ids, parse) saves, measured in windows that alternate off and on in ONE running
# gateway (through -Dtollgate.bench.off-file), so that every window shares the same JIT state and the machine's drift
# cancels out (pairs in ABBA order). Starts with ab.sh spread between separate starts by ±20 % for the same build;
# a stage's few µs only show this way. Per window: req/s at 32 connections and the gateway's CPU per request;
# then the medians, and the median of each pair's difference. Raw lines in loadtest/out/toggle-<time>/raw.txt.
#
# What it cannot see: a cost a stage leaves in the JIT's state (code compiled with both paths warm).
#
# Usage: loadtest/toggle.sh [--pairs N] [--seconds S] [--warmup S] SWITCHES [COMMAND]
#   SWITCHES: what the "off" windows switch off, comma-separated (e.g. store or journal,store).
#   COMMAND: a java command starting Tollgate, as in ab.sh (default java -Xmx1g -jar target/tollgate.jar; without a
#   --config of its own, loadtest/gateway-loadtest.yaml is appended); -Dtollgate.bench.off-file is added after `java`.
#   defaults: 6 pairs of 10 s windows after 60 s of warm-up, then 15 s with SWITCHES off (~5 min)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PAIRS=6
SECS=10
WARMUP=60
GATEWAY_PORT=${AB_PORT:-18080}
FAST_PORT=$((GATEWAY_PORT + 1))
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
SWITCHES=""
CMD=""
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { log "$1 needs a positive whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --pairs) PAIRS=${2:-}; number "$1" "$PAIRS"; shift ;;
    --seconds) SECS=${2:-}; number "$1" "$SECS"; shift ;;
    --warmup) WARMUP=${2:-}; number "$1" "$WARMUP"; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *) if [ -z "$SWITCHES" ]; then SWITCHES=$1; elif [ -z "$CMD" ]; then CMD=$1; else log "unexpected argument $1"; usage 2; fi ;;
  esac
  shift
done
[[ $SWITCHES =~ ^(auth|admit|estimate|meter|metrics|journal|store|ids|parse)(,(auth|admit|estimate|meter|metrics|journal|store|ids|parse))*$ ]] \
  || { log "SWITCHES: a comma-separated list of auth, admit, estimate, meter, metrics, journal, store, ids, parse"; usage 2; }
CMD=${CMD:-java -Xmx1g -jar target/tollgate.jar}
[[ $CMD == java\ * ]] || die "COMMAND must start with java"

begin_run toggle $GATEWAY_PORT $FAST_PORT
start_upstream $FAST_PORT
cd "$REPO_DIR"
render "$LOADTEST_DIR/gateway-loadtest.yaml" "$STATE/gateway.yaml" STATE="$STATE" LOADTEST="$LOADTEST_DIR" \
  GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
case " $CMD " in *" --config "*|*" --config="*) ;; *) CMD="$CMD --config $STATE/gateway.yaml" ;; esac
OFF_FILE=$STATE/bench-off
: >"$OFF_FILE"
CMD="java -Dtollgate.bench.off-file=$OFF_FILE ${CMD#java }"
set -f
# shellcheck disable=SC2086
start_bg "$RUN/gateway.log" $CMD
set +f
PID=$LAST_PID
wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
for i in $(seq 1 100); do grep -q "BENCHMARK SWITCHES FOLLOW" "$RUN/gateway.log" && break; sleep 0.1; done
grep -q "BENCHMARK SWITCHES FOLLOW" "$RUN/gateway.log" \
  || die "the gateway does not follow -Dtollgate.bench.off-file (a build before it?): $RUN/gateway.log"

# switch LIST : writes the file and waits until the gateway has logged that it switched (it reads it twice a second)
switch() {
  local seen i
  seen=$(grep -c "benchmark switches now off" "$RUN/gateway.log" || true)
  printf '%s\n' "$1" >"$OFF_FILE"
  for i in $(seq 1 50); do
    [ "$(grep -c "benchmark switches now off" "$RUN/gateway.log" || true)" -gt "$seen" ] && return 0
    sleep 0.1
  done
  die "the gateway did not take the switches '$1' within 5 s"
}

# window STATE PAIR : one measurement with the switches as they are
window() {
  local before line
  result settle -t2 -c32 -d2s "http://127.0.0.1:$GATEWAY_PORT$API" >/dev/null   # settle after the switch
  before=$(cpu_ms "$PID")
  line=$(result "$1 window" -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$GATEWAY_PORT$API")
  kill -0 "$PID" 2>/dev/null || die "the gateway exited (log: $RUN/gateway.log)"
  echo "$1 pair=$2 $line cpu_ms=$(( $(cpu_ms "$PID") - before ))" | tee -a "$RAW" >&2
}

log "off windows: $SWITCHES; $PAIRS pairs of ${SECS}s windows after ${WARMUP}s warm-up; results in $RUN"
: >"$RAW"
result warm-up -t2 -c32 -d"${WARMUP}s" "http://127.0.0.1:$GATEWAY_PORT$API" >/dev/null
# and 15 s with the switches off, unmeasured: the JIT compiles the path they open before the first window
switch "$SWITCHES"
result "warm-up, switches off" -t2 -c32 -d15s "http://127.0.0.1:$GATEWAY_PORT$API" >/dev/null
switch ""
current=""
for pair in $(seq 1 "$PAIRS"); do
  if [ $((pair % 2)) -eq 1 ]; then order="on off"; else order="off on"; fi
  for state in $order; do
    want=""; [ "$state" = off ] && want=$SWITCHES
    [ "$want" = "$current" ] || { switch "$want"; current=$want; }
    window "$state" "$pair"
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line)"
  echo "command: loadtest/toggle.sh --pairs $PAIRS --seconds $SECS --warmup $WARMUP $SWITCHES '$CMD'"
  echo
  awk -v switches="$SWITCHES" '
    function field(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { p = field("pair"); c = 1000 * field("cpu_ms") / field("requests"); r = field("rps")
      cpu[$1, p] = c; rps[$1, p] = r; all[$1] = all[$1] " " c; allr[$1] = allr[$1] " " r; if (p > pairs) pairs = p }
    END {
      for (p = 1; p <= pairs; p++) {
        d = d " " (cpu["on", p] - cpu["off", p]); q = q " " (rps["off", p] / rps["on", p])
        rows = rows sprintf("| %d | %.1f | %.1f | %.1f | %.0f | %.0f |\n", p, cpu["on", p], cpu["off", p], cpu["on", p] - cpu["off", p], rps["on", p], rps["off", p])
      }
      print "| pair | CPU µs/request, all on | " switches " off | saved | req/s on | req/s off |"
      print "|---|---|---|---|---|---|"
      printf "%s", rows
      printf "\nmedians: on %.1f µs/request, off %.1f; saved by switching %s off: %.1f µs/request (median of the pairs; range %s); req/s off/on %.3f\n",
        median(all["on"]), median(all["off"]), switches, median(d), range(d), median(q)
    }
    function range(list,   n, a, i, lo, hi) { n = split(list, a, " "); lo = a[1]; hi = a[1]
      for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] } return sprintf("%.1f to %.1f", lo, hi) }' "$RAW"
} | tee "$RUN/results.md"
