#!/usr/bin/env bash
# The load-test suite: Tollgate against three baselines, on 127.0.0.1, in interleaved rounds.
#   direct   = the upstream itself: nginx `return 200` (non-streamed), the fake provider (streams)
#   nginx    = nginx as a plain reverse proxy in front of the same upstream (proxy-nginx.conf)
#   relay    = the bare Vert.x relay (BareRelay.java: Tollgate's stack without its work) in front of the same
#              upstream, one process with a port for each (the floor issue 18 compares Tollgate with)
#   tollgate = Tollgate in front of the same upstream (gateway-loadtest.yaml: team-key auth, team budget
#              and quotas, billing to SQLite in a temporary directory, access log off)
# Scenarios: (1) throughput, 32 connections, closed loop (wrk); (2) latency at 1 connection (wrk) and
# open loop at a fixed rate (OpenLoop.java); (3) N concurrent paced streams (StreamLoad.java);
# (4) Tollgate's memory at idle, under the throughput load and with many open slow streams.
# Prints the results table and writes it to loadtest/out/<run>/results.md and loadtest/out/results-latest.md.
#
# Usage: loadtest/run.sh [--quick] [--rounds N] [--seconds S] [--rate R] [--streams 100,250,500,1000]
#                        [--stream-rounds N] [--slow-streams N] [--heap 1g] [--wait-quiet 60]
#   default ~12-13 min; --quick ~4 min (1 round, shorter runs, fewer stream sizes, 2000 slow streams)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# ---- parameters
ROUNDS=3                     # interleaved rounds per scenario
SECS=10                      # seconds per wrk run (throughput, 1 connection)
WARMUP_SECS=60               # wrk warm-up of Tollgate (JIT: 60-90 s on 2 cores) before anything is measured
BASELINE_WARMUP_SECS=5
OPEN_RATE=3000               # open-loop requests per second
OPEN_SECS=10                 # seconds per open-loop run
STREAM_NS=100,250,500,1000   # concurrent streams swept
STREAM_ROUNDS=3
STREAM_TOKENS=64
STREAM_INTERVAL_MS=20
STALL_MS=100                 # a gap over 5x the interval is a stall
STREAM_WARMUP_S=15           # unmeasured streams per target first (the stream path's JIT compilation)
SLOW_STREAMS=10000           # open slow streams for the memory measurement (1 event per second)
SLOW_RAMP_S=10
SLOW_ONE_UPSTREAM=1          # also measure SLOW_STREAMS streams to a single upstream endpoint (see memory_slow_streams)
HEAP=1g
WAIT_QUIET=60                # wait up to this many seconds for other processes to calm down before starting
ARGS="$*"

while [ $# -gt 0 ]; do
  case $1 in
    --quick) ROUNDS=1; SECS=5; WARMUP_SECS=10; BASELINE_WARMUP_SECS=2; OPEN_SECS=5; STREAM_NS=100,500; STREAM_ROUNDS=1; STREAM_WARMUP_S=5; SLOW_STREAMS=2000; SLOW_RAMP_S=4
             SLOW_ONE_UPSTREAM=0 ;;
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECS=$2; OPEN_SECS=$2; shift ;;
    --rate) OPEN_RATE=$2; shift ;;
    --streams) STREAM_NS=$2; shift ;;
    --stream-rounds) STREAM_ROUNDS=$2; shift ;;
    --slow-streams) SLOW_STREAMS=$2; shift ;;
    --heap) HEAP=$2; shift ;;
    --wait-quiet) WAIT_QUIET=$2; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done

# ---- addresses (all on 127.0.0.1)
FAST_PORT=18081        # nginx return 200 (upstream-nginx.conf has this port)
PACED_PORT=18091       # the fake provider
PROXY_FAST_PORT=18082  # nginx proxy -> FAST_PORT
PROXY_PACED_PORT=18092 # nginx proxy -> PACED_PORT (and 18101-18106, hard-coded in both configs, for model gpt-slow)
GATEWAY_PORT=18080     # Tollgate
RELAY_FAST_PORT=18083  # the bare relay -> FAST_PORT
RELAY_PACED_PORT=18093 # the bare relay -> PACED_PORT
PROVIDER_KEY=${LOADTEST_PROVIDER_KEY:-sk-loadtest-provider-key}
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
declare -A FAST_URL=([direct]=http://127.0.0.1:$FAST_PORT$API [nginx]=http://127.0.0.1:$PROXY_FAST_PORT$API
  [relay]=http://127.0.0.1:$RELAY_FAST_PORT$API [tollgate]=http://127.0.0.1:$GATEWAY_PORT$API)
declare -A STREAM_URL=([direct]=http://127.0.0.1:$PACED_PORT$API [nginx]=http://127.0.0.1:$PROXY_PACED_PORT$API
  [relay]=http://127.0.0.1:$RELAY_PACED_PORT$API [tollgate]=http://127.0.0.1:$GATEWAY_PORT$API)
TARGETS=(direct nginx relay tollgate)   # the order of every interleaved round
JVM_OPTS="-Xmx$HEAP -XX:+UseG1GC"
declare -A FAST_CPU_PIDS STREAM_CPU_PIDS   # whose CPU time each target costs: the upstream itself, or the proxy
RELAY_PID=""

RUN=$LOADTEST_DIR/out/run-$(date -u +%Y%m%dT%H%M%SZ)
RAW=$RUN/raw.txt
STATE=""
TOLLGATE_PID=""

trap cleanup_on_exit EXIT

prepare() {
  ensure_packages wrk:wrk nginx:nginx-light curl:curl jcmd:openjdk-17-jdk-headless
  ensure_jar
  raise_fd_limit
  mkdir -p "$RUN/upstream-body" "$RUN/proxy-body" "$RUN/proxy-temp"
  STATE=$(mktemp -d /tmp/tollgate-loadtest.XXXXXX)
  # the commits as the run starts (the jar is built by then): commits made while it runs must not relabel it
  SRC_COMMIT=$(git -C "$REPO_DIR" log -1 --format=%h -- src pom.xml)
  HEAD_COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD)
  : >"$RAW"
  ports_free
  start_bg "$RUN/noise.log" noise_monitor $$ 5
  log "run directory: $RUN (file descriptor limit $FD_LIMIT)"
  if [ "$WAIT_QUIET" -gt 0 ]; then wait_quiet "$WAIT_QUIET"; fi
}

# ports_free : stop before starting anything if one of the suite's ports is taken (another benchmark running?)
ports_free() {
  local port
  for port in $FAST_PORT $PACED_PORT $PROXY_FAST_PORT $PROXY_PACED_PORT $GATEWAY_PORT $RELAY_FAST_PORT $RELAY_PACED_PORT \
      18101 18102 18103 18104 18105 18106; do
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is already in use on 127.0.0.1 (another benchmark?)"
  done
}

start_servers() {
  render "$LOADTEST_DIR/upstream-nginx.conf" "$RUN/upstream-nginx.conf" OUT="$RUN"
  render "$LOADTEST_DIR/proxy-nginx.conf" "$RUN/proxy-nginx.conf" RUN="$RUN" FAST_PORT=$FAST_PORT PACED_PORT=$PACED_PORT \
    PROXY_FAST_PORT=$PROXY_FAST_PORT PROXY_PACED_PORT=$PROXY_PACED_PORT PROVIDER_KEY="$PROVIDER_KEY"
  render "$LOADTEST_DIR/gateway-loadtest.yaml" "$RUN/gateway.yaml" STATE="$STATE" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=$PACED_PORT
  start_bg "$RUN/upstream-nginx.log" nginx -e "$RUN/upstream-nginx.error.log" -p "$RUN" -c "$RUN/upstream-nginx.conf"
  local upstream=$LAST_PID
  start_bg "$RUN/proxy-nginx.log" nginx -e "$RUN/proxy-nginx.error.log" -p "$RUN" -c "$RUN/proxy-nginx.conf"
  local proxy=$LAST_PID
  start_bg "$RUN/mock.log" java -Xmx1g -jar "$JAR" mock --port $PACED_PORT
  local mock=$LAST_PID
  start_bg "$RUN/tollgate.log" java $JVM_OPTS -Xlog:gc:file="$RUN/tollgate-gc.log" -jar "$JAR" --config "$RUN/gateway.yaml"
  TOLLGATE_PID=$LAST_PID
  # the bare relay: the same JVM options, one process for both upstreams (as one Tollgate serves both); env execs java
  start_bg "$RUN/relay.log" env BENCH_PROVIDER_KEY="$PROVIDER_KEY" java $JVM_OPTS -cp "$JAR" "$LOADTEST_DIR/BareRelay.java" \
    --port $RELAY_FAST_PORT --upstream 127.0.0.1:$FAST_PORT --port $RELAY_PACED_PORT --upstream 127.0.0.1:$PACED_PORT
  RELAY_PID=$LAST_PID
  wait_http "http://127.0.0.1:$FAST_PORT/"
  wait_http "http://127.0.0.1:$PROXY_FAST_PORT/"
  wait_http "http://127.0.0.1:$PACED_PORT/_mock/stats"
  wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
  wait_http "http://127.0.0.1:$RELAY_FAST_PORT/"
  wait_http "http://127.0.0.1:$RELAY_PACED_PORT/"
  check_answers
  FAST_CPU_PIDS=([direct]=$(tree_pids "$upstream") [nginx]=$(tree_pids "$proxy") [relay]=$RELAY_PID [tollgate]=$TOLLGATE_PID)
  STREAM_CPU_PIDS=([direct]=$mock [nginx]=$(tree_pids "$proxy") [relay]=$RELAY_PID [tollgate]=$TOLLGATE_PID)
  log "servers up: upstream :$FAST_PORT, fake provider :$PACED_PORT, nginx proxy :$PROXY_FAST_PORT/:$PROXY_PACED_PORT," \
    "bare relay :$RELAY_FAST_PORT/:$RELAY_PACED_PORT (pid $RELAY_PID), Tollgate :$GATEWAY_PORT (pid $TOLLGATE_PID, $JVM_OPTS)"
}

# one request through each path, so a broken setup fails loudly instead of measuring errors
check_answers() {
  local t code
  for t in "${TARGETS[@]}"; do
    code=$(curl -s -o "$RUN/check-$t.json" -w '%{http_code}' -H "Authorization: Bearer $TEAM_KEY" \
      -H 'Content-Type: application/json' -d @"$LOADTEST_DIR/chat-request.json" "${FAST_URL[$t]}")
    [ "$code" = 200 ] || die "$t (${FAST_URL[$t]}) answered $code: $(head -c 300 "$RUN/check-$t.json")"
    code=$(curl -s -N -o "$RUN/check-stream-$t.txt" -w '%{http_code}' -H "Authorization: Bearer $TEAM_KEY" \
      -H 'x-mock-tokens: 4' -H 'Content-Type: application/json' -d @"$LOADTEST_DIR/stream-request.json" "${STREAM_URL[$t]}")
    [ "$code" = 200 ] && grep -q '\[DONE\]' "$RUN/check-stream-$t.txt" || die "$t stream (${STREAM_URL[$t]}) answered $code"
  done
}

# wrk_run SCENARIO TARGET ROUND WRK_ARGS... : one wrk run, its RESULT line (with the CPU time the target
# used per request) appended to raw.txt
wrk_run() {
  local scenario=$1 target=$2 round=$3 line cpu0 cpu requests t0; shift 3
  cpu0=$(cpu_ms "${FAST_CPU_PIDS[$target]}")
  t0=$(date +%s.%N)
  line=$(BENCH_TEAM_KEY=$TEAM_KEY timeout --kill-after=5 $((SECS + WARMUP_SECS + 30)) \
    wrk -s "$LOADTEST_DIR/post.lua" "$@" "${FAST_URL[$target]}" | { grep '^RESULT ' || true; } | sed 's/^RESULT //')
  [ -n "$line" ] || die "wrk gave no result for $target"
  cpu=$(( $(cpu_ms "${FAST_CPU_PIDS[$target]}") - cpu0 ))
  requests=$(echo "$line" | tr ' ' '\n' | awk -F= '$1 == "requests" {print $2}')
  line="$line cpu_ms=$cpu cpu_us_per_req=$(awk -v c="$cpu" -v n="$requests" 'BEGIN {printf "%.1f", n ? c * 1000 / n : 0}')"
  line="$line t_start=${t0%.*} t_end=$(date +%s)"
  echo "RESULT $scenario target=$target round=$round $line" | tee -a "$RAW" >&2
}

warm_up() {
  log "warm-up: wrk 32 connections, ${WARMUP_SECS}s at each JVM (Tollgate, the bare relay), ${BASELINE_WARMUP_SECS}s at the nginx ones"
  wrk_run warmup tollgate 0 -t2 -c32 -d${WARMUP_SECS}s >/dev/null 2>&1
  wrk_run warmup relay 0 -t2 -c32 -d${WARMUP_SECS}s >/dev/null 2>&1
  wrk_run warmup nginx 0 -t2 -c32 -d${BASELINE_WARMUP_SECS}s >/dev/null 2>&1
  wrk_run warmup direct 0 -t2 -c32 -d${BASELINE_WARMUP_SECS}s >/dev/null 2>&1
  wrk_run warmup tollgate 0 -t1 -c1 -d3s >/dev/null 2>&1
  wrk_run warmup relay 0 -t1 -c1 -d3s >/dev/null 2>&1
}

scenario_throughput() {
  log "scenario 1: throughput, 32 connections, $ROUNDS interleaved rounds of ${SECS}s"
  local r t
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do wrk_run throughput "$t" "$r" -t2 -c32 -d${SECS}s; done
  done
}

scenario_latency_one_connection() {
  log "scenario 2a: latency at 1 connection, $ROUNDS interleaved rounds of ${SECS}s"
  local r t
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do wrk_run latency1 "$t" "$r" -t1 -c1 -d${SECS}s; done
  done
}

scenario_open_loop() {
  log "scenario 2b: open loop at $OPEN_RATE req/s, $ROUNDS interleaved rounds of ${OPEN_SECS}s"
  local nt=${#TARGETS[@]} t args=()
  local budget=$(( (ROUNDS * OPEN_SECS + 3) * nt + nt * 8 + 60 ))
  for t in "${TARGETS[@]}"; do args+=(--target "$t=${FAST_URL[$t]}" --cpu-pids "$t=${FAST_CPU_PIDS[$t]}"); done
  timeout --kill-after=10 $budget java -cp "$JAR" "$LOADTEST_DIR/OpenLoop.java" "${args[@]}" \
    --rate "$OPEN_RATE" --seconds "$OPEN_SECS" --warmup-s 3 --rounds "$ROUNDS" --connections 64 \
    --header "Authorization: Bearer $TEAM_KEY" --body-file "$LOADTEST_DIR/chat-request.json" \
    | tee "$RUN/openloop.log" | grep '^RESULT ' | tee -a "$RAW" >&2
}

scenario_streams() {
  log "scenario 3: streams of $STREAM_TOKENS events ${STREAM_INTERVAL_MS} ms apart, N = $STREAM_NS, $STREAM_ROUNDS interleaved rounds"
  local count=$(( $(echo "$STREAM_NS" | tr ',' '\n' | wc -l) )) nt=${#TARGETS[@]} t args=()
  local budget=$(( (count * STREAM_ROUNDS + 1) * nt * (STREAM_TOKENS * STREAM_INTERVAL_MS / 1000 + 15) + nt * (STREAM_WARMUP_S + 20) + 60 ))
  for t in "${TARGETS[@]}"; do args+=(--target "$t=${STREAM_URL[$t]}" --cpu-pids "$t=${STREAM_CPU_PIDS[$t]}"); done
  timeout --kill-after=10 $budget java -cp "$JAR" "$LOADTEST_DIR/StreamLoad.java" "${args[@]}" \
    --streams "$STREAM_NS" --rounds "$STREAM_ROUNDS" --tokens "$STREAM_TOKENS" --interval-ms "$STREAM_INTERVAL_MS" \
    --stall-ms "$STALL_MS" --ramp-ms 1000 --warmup-streams 300 --warmup-s "$STREAM_WARMUP_S" \
    --header "Authorization: Bearer $TEAM_KEY" --body-file "$LOADTEST_DIR/stream-request.json" \
    | tee "$RUN/streams.log" | grep '^RESULT ' | tee -a "$RAW" >&2
}

# heap_info FIELD : Tollgate's G1 heap "used" or "total" in MiB, from jcmd GC.heap_info
heap_info() {
  jcmd "$TOLLGATE_PID" GC.heap_info | awk -v f="$1" '/garbage-first heap|[Hh]eap +total/ {
    for (i = 1; i <= NF; i++) if ($i == f) { v = $(i + 1); gsub(/[^0-9]/, "", v); printf "%.0f", v / 1024; exit } }'
}

# mem_snapshot PHASE [KEY=VALUE...] : RSS, heap in use, live heap after a full GC, active streams
mem_snapshot() {
  local phase=$1 rss used live committed active; shift
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$TOLLGATE_PID/status")
  used=$(heap_info used)
  active=$( { curl -s --max-time 20 "http://127.0.0.1:$GATEWAY_PORT/metrics" || true; } \
    | awk '/^tollgate_active_streams / {printf "%.0f", $2}')
  jcmd "$TOLLGATE_PID" GC.run >/dev/null
  live=$(heap_info used)
  committed=$(heap_info total)
  echo "RESULT memory phase=$phase rss_mib=$rss heap_used_mib=$used live_heap_mib=$live heap_committed_mib=$committed" \
    "active_streams=${active:-?} jvm_opts=${JVM_OPTS// /_} $*" | tee -a "$RAW" >&2
}

# ledger_snapshot PHASE : Tollgate's billing ledger counters (written, waiting, dropped) from /metrics
ledger_snapshot() {
  { curl -s --max-time 20 "http://127.0.0.1:$GATEWAY_PORT/metrics" || true; } | awk -v phase="$1" '
    /^tollgate_ledger_written_total / { w = $2 } /^tollgate_ledger_pending / { p = $2 } /^tollgate_ledger_dropped_total / { d = $2 }
    END { printf "RESULT ledger phase=%s written=%.0f pending=%.0f dropped=%.0f\n", phase, w, p, d }' | tee -a "$RAW" >&2
}

# gc_summary : Tollgate's GC pauses from its GC log, except the full GCs that jcmd GC.run asked for
gc_summary() {
  awk '/Pause/ && !/Diagnostic Command|System.gc/ && /ms$/ { v = $NF; sub(/ms/, "", v); v += 0; n++; t += v; if (v > m) m = v }
    END { printf "RESULT gc pauses=%d max_pause_ms=%.1f total_pause_ms=%.0f\n", n, m, t }' "$RUN/tollgate-gc.log" | tee -a "$RAW" >&2
}

memory_idle() {
  log "scenario 4a: memory at idle (before any load)"
  mem_snapshot idle
}

memory_under_throughput() {
  log "scenario 4b: memory under the throughput load (wrk 32 connections, sampled after 5 s)"
  BENCH_TEAM_KEY=$TEAM_KEY timeout --kill-after=5 30 wrk -s "$LOADTEST_DIR/post.lua" -t2 -c32 -d12s "${FAST_URL[tollgate]}" \
    >"$RUN/memory-wrk.log" 2>&1 &
  local wrk_pid=$!
  sleep 5
  mem_snapshot during_throughput
  wait "$wrk_pid" || true
}

# streams_within_fd_limit N : N, or fewer if Tollgate (two sockets per relayed stream, plus what it has open
# now and a margin) would run out of file descriptors
streams_within_fd_limit() {
  local open max
  open=$(ls "/proc/$TOLLGATE_PID/fd" | wc -l)
  max=$(( (FD_LIMIT - open - 150) / 2 ))
  [ "$1" -lt "$max" ] && echo "$1" || echo $(( max / 100 * 100 ))
}

# ledger_drained [SECONDS] : wait until Tollgate's billing ledger has written every waiting record (at most SECONDS)
ledger_drained() {
  local i pending
  for i in $(seq 1 "${1:-60}"); do
    pending=$( { curl -s --max-time 5 "http://127.0.0.1:$GATEWAY_PORT/metrics" || true; } \
      | awk '/^tollgate_ledger_pending / {printf "%.0f", $2}')
    [ "${pending:-1}" = 0 ] && return 0
    sleep 1
  done
  log "the billing ledger still has ${pending:-?} records waiting after ${1:-60}s"
}

# wait_streams_settled LOG N MAX_SECONDS : until StreamLoad's status says all N streams are open and have had
# their first event, or the number with a first event has stopped growing for 5 s (some wait for a connection)
wait_streams_settled() {
  local log=$1 n=$2 max=$3 i status first last=-1 same=0 opened
  for i in $(seq 1 "$max"); do
    sleep 1
    status=$( { grep '^STATUS ' "$log" 2>/dev/null || true; } | tail -1)
    opened=$(echo "$status" | sed -n 's/.*opened=\([0-9]*\).*/\1/p')
    first=$(echo "$status" | sed -n 's/.*first=\([0-9]*\).*/\1/p')
    [ "${opened:-0}" = "$n" ] || continue
    [ "${first:-0}" = "$n" ] && return 0
    if [ "$first" = "$last" ]; then same=$((same + 1)); else same=0; last=$first; fi
    [ "$same" -ge 5 ] && return 0
  done
  log "streams not settled after ${max}s: ${first:-?} of $n with a first event"
}

# memory_slow_streams MODEL N LABEL : open N slow streams (one event per second) through Tollgate to MODEL,
# then measure its memory with all of them open
memory_slow_streams() {
  local model=$1 n=$2 label=$3 hold=$((SLOW_RAMP_S + 60)) tokens status i
  tokens=$((SLOW_RAMP_S + hold + 60))
  log "scenario 4c: memory with $n open slow streams through Tollgate to $model (1 event/s, opened over ${SLOW_RAMP_S}s)"
  sed "s/gpt-stream/$model/" "$LOADTEST_DIR/stream-request.json" >"$RUN/slow-request.json"
  ledger_drained 60   # records still waiting from earlier load would count as the streams' memory
  start_bg "$RUN/slow-streams-$label.log" timeout --kill-after=10 $((SLOW_RAMP_S + hold + 60)) \
    java -cp "$JAR" "$LOADTEST_DIR/StreamLoad.java" --target tollgate="${STREAM_URL[tollgate]}" --streams "$n" \
    --tokens "$tokens" --interval-ms 1000 --ramp-ms $((SLOW_RAMP_S * 1000)) --hold-s "$hold" --warmup-streams 0 \
    --header "Authorization: Bearer $TEAM_KEY" --body-file "$RUN/slow-request.json"
  local client=$LAST_PID
  wait_streams_settled "$RUN/slow-streams-$label.log" "$n" $((SLOW_RAMP_S + 90))
  sleep 3   # every stream open for a few seconds
  status=$( { grep '^STATUS ' "$RUN/slow-streams-$label.log" || true; } | tail -1 | sed 's/^STATUS //')
  mem_snapshot "$label" "streams=$n client=$(echo "$status" | awk '{gsub(/=/, ":"); gsub(/ /, ",_"); print}')"
  stop_pid "$client"   # measured: close every stream now rather than at the end of the hold time
  for i in $(seq 1 30); do   # let Tollgate close the cancelled streams' sockets before the next phase
    [ "$(ls "/proc/$TOLLGATE_PID/fd" | wc -l)" -lt 1000 ] && break
    sleep 1
  done
  sleep 2
}

write_report() {
  local noise header=$RUN/header.md
  noise=$(noise_summary "$RUN/noise.log")
  {
    echo "# Tollgate load test results"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- machine: $(machine_line); load generator, upstreams and gateway share the cores, so only ratios and"
    echo "  differences within this run mean anything"
    echo "- command: \`loadtest/run.sh${ARGS:+ $ARGS}\` ($ROUNDS interleaved rounds; wrk runs of ${SECS}s; open loop $OPEN_RATE req/s"
    echo "  for ${OPEN_SECS}s; streams N = $STREAM_NS × $STREAM_ROUNDS rounds; $SLOW_STREAMS slow streams; wall time $(( SECONDS / 60 )) min $(( SECONDS % 60 )) s)"
    echo "- Tollgate: \`java $JVM_OPTS -jar target/tollgate.jar\` built from src/ at commit $SRC_COMMIT"
    echo "  (load tests at $HEAD_COMMIT),"
    echo "  config \`loadtest/gateway-loadtest.yaml\`; file descriptor limit $FD_LIMIT"
    echo "- bare relay: \`java $JVM_OPTS -cp target/tollgate.jar loadtest/BareRelay.java\` (one process, :$RELAY_FAST_PORT and :$RELAY_PACED_PORT)"
    echo "- other processes on the machine (not this benchmark) used CPU: $noise"
  } >"$header"
  java "$LOADTEST_DIR/Report.java" "$RAW" "$header" "$RUN/noise.log" >"$RUN/results.md"
  cp "$RUN/results.md" "$LOADTEST_DIR/out/results-latest.md"
  echo
  cat "$RUN/results.md"
  log "written: $RUN/results.md (and loadtest/out/results-latest.md)"
}

main() {
  prepare
  start_servers
  memory_idle
  warm_up
  scenario_throughput
  ledger_snapshot after_throughput
  scenario_latency_one_connection
  scenario_open_loop
  ledger_snapshot after_open_loop
  scenario_streams
  memory_under_throughput
  # one upstream endpoint, as in the stream scenario: Tollgate's upstream connection pool (per endpoint) decides
  # how many of the streams are relayed at once; the others wait for a connection. (First: it also uses up, and
  # then closes, the idle pooled connections the stream scenario left, which hold file descriptors.)
  if [ "$SLOW_ONE_UPSTREAM" = 1 ]; then memory_slow_streams gpt-stream "$SLOW_STREAMS" "streams_one_upstream"; fi
  # six upstream endpoints, so that every stream is relayed; the gateway holds two sockets per stream, so the
  # file descriptor limit caps the number
  memory_slow_streams gpt-slow "$(streams_within_fd_limit "$SLOW_STREAMS")" "streams_six_upstreams"
  sleep 2
  ledger_snapshot end
  gc_summary
  stop_all
  write_report
}

main
