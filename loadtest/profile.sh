#!/usr/bin/env bash
# Inclusive CPU profile of Tollgate under the benchmark's non-streamed load (async-profiler, attached after the
# warm-up, so start-up and JIT warm-up are not in it). Writes a flame graph (profile.html), the collapsed stacks
# (profile.collapsed) and an inclusive table (inclusive.txt: for each frame, the share of all samples of the
# gateway's process whose stack contains it — library code our code calls is counted in our frames) to
# loadtest/out/profile-<time>/, and prints the table's first lines.
#
# With --stream N: N concurrent paced streams (64 events 20 ms apart, StreamLoad.java) from the fake provider
# instead, and the table per relayed event rather than per request.
#
# With --threads: no profiler; the CPU of each of the gateway's threads over the window instead (from /proc,
# threadcpu.py), per request: what a stage's helper threads (ledger writer, journal, GC, JIT) cost, and the
# event loops apart.
#
# With --gateway-warm-up D (e.g. 20s): the gateway's own warm-up on (server.warm-up, as k8s/base ships it), and the
# load only once /readyz answers 200, as a load balancer would send it.
#
# Usage: loadtest/profile.sh [--seconds S] [--warmup S] [--connections N] [--stream N] [--threads] [--gateway-warm-up D] [COMMAND]
#   COMMAND: a java command line starting Tollgate (as in ab.sh); default: java -Xmx1g -jar target/tollgate.jar
#   with loadtest/gateway-loadtest.yaml appended as --config. defaults: 20 s profiled after 60 s of warm-up, 32
#   connections. async-profiler comes from Maven Central (tools.profiler:async-profiler) into ~/.m2.
#   PROFILE_ANNOTATE=1: frames in profile.collapsed marked by how they ran (_[0] interpreted, _[1] C1, _[j] C2,
#   _[i] inlined, _[k] kernel): where per-request code still runs cold.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SECS=20
WARMUP=60
CONNS=32
AP_VERSION=4.2
GATEWAY_PORT=${AB_PORT:-18080}   # AB_PORT: another pair of ports, as in ab.sh (non-streamed only)
FAST_PORT=$((GATEWAY_PORT + 1))
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
CMD=""
STREAMS=0
THREADS=0
GATEWAY_WARM_UP=""
TOKENS=64
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --stream) STREAMS=$2; shift ;;
    --threads) THREADS=1 ;;
    --gateway-warm-up) GATEWAY_WARM_UP=$2; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *) CMD=$1 ;;
  esac
  shift
done
CMD=${CMD:-java -Xmx1g -jar target/tollgate.jar}

RUN=$LOADTEST_DIR/out/profile-$(date -u +%Y%m%dT%H%M%SZ)
STATE=""
trap cleanup_on_exit EXIT
ensure_packages wrk:wrk nginx:nginx-light curl:curl unzip:unzip
ensure_jar
ports_free $GATEWAY_PORT $FAST_PORT 18091
mkdir -p "$RUN/upstream-body"

AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
[ -f "$AP_JAR" ] || (cd "$REPO_DIR" && mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION)
unzip -q -o "$AP_JAR" 'linux-x64/*' -d "$RUN/ap"
AP_LIB=$RUN/ap/linux-x64/libasyncProfiler.so

STATE=$(mktemp -d /tmp/tollgate-profile.XXXXXX)
start_upstream $FAST_PORT
if [ "$STREAMS" -gt 0 ]; then
  start_bg "$RUN/mock.log" java -Xmx1g -jar "$JAR" mock --port 18091
  wait_http "http://127.0.0.1:18091/_mock/stats"
fi
cd "$REPO_DIR"
render "$LOADTEST_DIR/gateway-loadtest.yaml" "$STATE/gateway.yaml" STATE="$STATE" LOADTEST="$LOADTEST_DIR" \
  GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
if [ -n "$GATEWAY_WARM_UP" ]; then
  sed -i "s/max-concurrent-per-target: 20000 }/max-concurrent-per-target: 20000, warm-up: { duration: $GATEWAY_WARM_UP } }/" "$STATE/gateway.yaml"
  grep -q "warm-up: { duration: $GATEWAY_WARM_UP }" "$STATE/gateway.yaml" || die "cannot turn the warm-up on in $STATE/gateway.yaml"
fi
case " $CMD " in
  *" --config "*) [ -z "$GATEWAY_WARM_UP" ] || die "--gateway-warm-up turns the warm-up on in the benchmark's config; COMMAND has a --config of its own" ;;
  *) CMD="$CMD --config $STATE/gateway.yaml" ;;
esac
set -f
# shellcheck disable=SC2086
start_bg "$RUN/gateway.log" $CMD
set +f
PID=$LAST_PID
wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
kill -0 "$PID" 2>/dev/null || die "the gateway exited: $(tail -3 "$RUN/gateway.log")"
if [ -n "$GATEWAY_WARM_UP" ]; then
  for _ in $(seq 1 1500); do curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/readyz" && break; sleep 0.2; done
  curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/readyz" || die "the gateway did not turn ready"
  log "ready after its warm-up ($GATEWAY_WARM_UP)"
fi
if [ "$STREAMS" -eq 0 ]; then
  load() { BENCH_TEAM_KEY=$TEAM_KEY wrk -s "$LOADTEST_DIR/post.lua" -t2 -c"$CONNS" -d"$1s" "http://127.0.0.1:$GATEWAY_PORT$API" | grep '^RESULT'; }
else
  # runs of STREAMS streams for about $1 seconds; "requests" is then the number of events relayed
  load() {
    local rounds=$(( ($1 + TOKENS * 20 / 1000 + 2) / (TOKENS * 20 / 1000 + 3) ))
    java -cp "$JAR" "$LOADTEST_DIR/StreamLoad.java" --target tollgate="http://127.0.0.1:$GATEWAY_PORT$API" \
      --streams "$STREAMS" --rounds "$rounds" --tokens $TOKENS --interval-ms 20 --ramp-ms 1000 --warmup-streams 0 \
      --header "Authorization: Bearer $TEAM_KEY" --body-file "$LOADTEST_DIR/stream-request.json" >"$RUN/streams.log"
    awk '/^RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "ok") ok += kv[2]; if (kv[1] == "stalled") st += kv[2]; if (kv[1] == "events") ev += kv[2] } }
      END { printf "RESULT streams_ok=%d stalled=%d requests=%d (\"requests\" here: events relayed)\n", ok, st, ev }' "$RUN/streams.log"
  }
fi
log "warm-up ${WARMUP}s"
load "$WARMUP" >/dev/null
if [ "$THREADS" = 1 ]; then
  log "CPU by thread over ${SECS}s"
  python3 "$LOADTEST_DIR/threadcpu.py" "$PID" "$SECS" >"$RUN/threads.txt" &
  load "$SECS" | tee "$RUN/wrk.txt" >&2
  wait $!
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' "$RUN/wrk.txt")
  awk -v requests="$requests" '{ total += $1; ms[NR] = $1; $1 = ""; name[NR] = $0 }
    END { for (i = 1; i <= NR; i++) printf "%8.1f µs/request %5.1f%%  %s\n", 1000 * ms[i] / requests, 100 * ms[i] / total, name[i]
          printf "%8.1f µs/request (all threads, %d requests)\n", 1000 * total / requests, requests }' "$RUN/threads.txt" | tee "$RUN/threads-per-request.txt"
  exit 0
fi
event=cpu
# (jcmd reads name=value arguments: the agent's options go in double quotes to arrive whole)
agent() { jcmd "$PID" JVMTI.agent_load "$AP_LIB" "\"$1\"" >>"$RUN/attach.log" 2>&1 && tail -1 "$RUN/attach.log" | grep -q 'return code: 0'; }
if ! agent "start,event=cpu,interval=1ms"; then
  event=itimer   # perf events not allowed here: the interval timer sees Java frames as well
  agent "start,event=itimer,interval=1ms" || die "async-profiler did not start (see $RUN/attach.log)"
fi
log "profiling ${SECS}s (event $event)"
load "$SECS" | tee "$RUN/wrk.txt" >&2
agent "stop,file=$RUN/profile.collapsed,collapsed${PROFILE_ANNOTATE:+,ann}" || true
agent "stop,file=$RUN/profile.html" || true
[ -s "$RUN/profile.collapsed" ] || die "no profile written (see $RUN/attach.log)"
# html from the collapsed stacks if the second stop had nothing left to write
[ -s "$RUN/profile.html" ] || java -cp "$AP_JAR" one.converter.Main "$RUN/profile.collapsed" "$RUN/profile.html" 2>/dev/null || true

requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' "$RUN/wrk.txt")
# each sample is 1 ms of one thread's CPU: samples x 1000 / requests = CPU µs per request
awk -v requests="$requests" '{
  n = $NF; $NF = ""; total += n; split($0, frames, ";"); delete seen
  for (i in frames) { f = frames[i]; sub(/ +$/, "", f); sub(/_\[[a-z0-9]\]$/, "", f); if (!(f in seen)) { seen[f] = 1; incl[f] += n } }
} END {
  printf "%6.2f%% %7.1f µs/request  (all samples: %d over %d requests)\n", 100, 1000 * total / requests, total, requests
  for (f in incl) printf "%6.2f%% %7.1f µs/request  %s\n", 100 * incl[f] / total, 1000 * incl[f] / requests, f
}' "$RUN/profile.collapsed" | sort -rn >"$RUN/inclusive.txt"
log "inclusive shares (all: $RUN/inclusive.txt; flame graph: $RUN/profile.html)"
head -1 "$RUN/inclusive.txt"
grep -E "dev/tollgate" "$RUN/inclusive.txt" | head -60 || true
