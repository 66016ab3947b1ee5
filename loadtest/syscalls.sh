#!/usr/bin/env bash
# Kernel work per request, by thread, Tollgate against the bare Vert.x relay (BareRelay.java): the syscalls each
# thread makes per request and its context switches per request (perf stat, software events and syscall
# tracepoints; no hardware counters needed), under the non-streamed load through the same nginx `return 200`
# upstream. One target at a time: a wrk warm-up, then a measured window with perf attached (tracing every syscall
# slows the target, so its req/s here is not its throughput; the counts per request are what this is for).
# Prints one line per thread and event above 0.005 per request; raw perf output in loadtest/out/syscalls-<time>/.
#
# Usage: loadtest/syscalls.sh [--seconds S] [--warmup S] [COMMAND]
#   COMMAND: a java command starting Tollgate, as in ab.sh (default java -Xmx1g -jar target/tollgate.jar, with
#   loadtest/gateway-loadtest.yaml appended as --config). defaults: 8 s measured after 40 s of warm-up per target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECS=8
WARMUP=40
GATEWAY_PORT=${AB_PORT:-18080}
FAST_PORT=$((GATEWAY_PORT + 1))
RELAY_PORT=$((GATEWAY_PORT + 2))
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
API=/v1/chat/completions
CMD=""
EVENTS=syscalls:sys_enter_recvfrom,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_write
EVENTS=$EVENTS,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex
EVENTS=$EVENTS,syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_fsync
EVENTS=$EVENTS,syscalls:sys_enter_fdatasync,syscalls:sys_enter_read,context-switches
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { log "$1 needs a positive whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECS=${2:-}; number "$1" "$SECS"; shift ;;
    --warmup) WARMUP=${2:-}; number "$1" "$WARMUP"; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *) [ -z "$CMD" ] || { log "unexpected argument $1"; usage 2; }; CMD=$1 ;;
  esac
  shift
done
CMD=${CMD:-java -Xmx1g -jar target/tollgate.jar}
[[ $CMD == java\ * ]] || die "COMMAND must start with java"
ensure_packages perf:linux-perf
begin_run syscalls $GATEWAY_PORT $FAST_PORT $RELAY_PORT
start_upstream $FAST_PORT
cd "$REPO_DIR"
render "$LOADTEST_DIR/gateway-loadtest.yaml" "$STATE/gateway.yaml" STATE="$STATE" LOADTEST="$LOADTEST_DIR" \
  GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
case " $CMD " in *" --config "*|*" --config="*) ;; *) CMD="$CMD --config $STATE/gateway.yaml" ;; esac
set -f
# shellcheck disable=SC2086
start_bg "$RUN/tollgate.log" $CMD
set +f
TOLLGATE_PID=$LAST_PID
start_bg "$RUN/relay.log" env BENCH_PROVIDER_KEY=sk-loadtest-provider-key java -Xmx1g -cp "$JAR" \
  "$LOADTEST_DIR/BareRelay.java" --port $RELAY_PORT --upstream 127.0.0.1:$FAST_PORT
RELAY_PID=$LAST_PID
wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
wait_http "http://127.0.0.1:$RELAY_PORT/"
: >"$RAW"
for target in "tollgate $GATEWAY_PORT $TOLLGATE_PID" "relay $RELAY_PORT $RELAY_PID"; do
  read -r name port pid <<<"$target"
  log "$name: ${WARMUP}s warm-up, then ${SECS}s measured"
  result "$name warm-up" -t2 -c32 -d"${WARMUP}s" "http://127.0.0.1:$port$API" >/dev/null
  perf stat --per-thread -x, -e "$EVENTS" -p "$pid" -o "$RUN/$name.perf" -- sleep "$SECS" &
  perf_pid=$!
  line=$(result "$name" -t2 -c32 -d"$((SECS + 2))s" "http://127.0.0.1:$port$API")
  wait "$perf_pid" || die "perf stat failed: $(tail -3 "$RUN/$name.perf")"
  echo "$name $line" | tee -a "$RAW" >&2
  # requests in perf's window: the rate over wrk's longer window times the window
  rps=$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$line")
  awk -F, -v name="$name" -v n="$(awk -v r="$rps" -v s="$SECS" 'BEGIN { print r * s }')" '
    NF >= 4 && $2 ~ /^[0-9]+$/ {
      thread = $1; sub(/-[0-9]+$/, "", thread); ev = $4; sub(/^syscalls:sys_enter_/, "", ev)
      sum[thread "|" ev] += $2
    }
    END { for (k in sum) if (sum[k] / n > 0.005) { split(k, p, "|"); printf "%-9s %-16s %-16s %7.3f per request\n", name, p[1], p[2], sum[k] / n } }
  ' "$RUN/$name.perf" | sort | tee -a "$RAW"
done
log "raw: $RUN"
