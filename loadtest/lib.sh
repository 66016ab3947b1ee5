# Shared helpers for run.sh, ab.sh and gatling.sh (sourced, not run). Every process started through start_bg is
# stopped by PID when the calling script exits, whatever the reason (trap EXIT).

LOADTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LOADTEST_DIR/.." && pwd)
JAR=$REPO_DIR/target/tollgate.jar
STARTED_PIDS=()

# usage [EXIT_CODE] : prints the calling script's header comment (its usage) and exits
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# start_bg LOGFILE CMD... : run CMD in the background, remember its PID (also in LAST_PID).
# Call it directly, never inside $(...): a subshell would forget the PID.
start_bg() {
  local logfile=$1; shift
  "$@" >"$logfile" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

# stop_pid PID : SIGTERM, then SIGKILL after 15 s; only for PIDs this script started
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "process $pid did not stop in 15 s; killing it"
  kill -9 "$pid" 2>/dev/null || true
}

# stop_started PID : stop_pid, and forget the PID (so that the exit trap never signals a reused one)
stop_started() {
  local pid kept=()
  stop_pid "$1"
  for pid in "${STARTED_PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  STARTED_PIDS=("${kept[@]}")
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
  STARTED_PIDS=()
}

# cleanup_on_exit : for `trap cleanup_on_exit EXIT`: stops what start_bg started, removes $STATE (a temporary
# directory, when set) and, when the script failed, says where its logs are ($RUN)
cleanup_on_exit() {
  local rc=$?
  stop_all
  if [ -n "${STATE:-}" ]; then rm -rf "$STATE"; fi
  [ $rc -eq 0 ] || log "failed (exit $rc); logs in ${RUN:-?}"
}

# ports_free PORT... : fails when anything answers HTTP on one of the ports (another benchmark running?)
ports_free() {
  local port
  for port in "$@"; do
    ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" || die "something already answers on port $port (another benchmark?)"
  done
}

# wait_http URL [SECONDS] : until URL answers (any HTTP status) or the time is up
wait_http() {
  local url=$1 secs=${2:-60} i
  for i in $(seq 1 $((secs * 5))); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.2
  done
  die "$url did not answer within $secs s"
}

# ensure_packages CMD:PACKAGE ... : apt-get install the packages whose command is missing
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_jar() {
  [ -f "$JAR" ] && return 0
  log "building $JAR (mvn package -DskipTests)"
  (cd "$REPO_DIR" && mvn -B -q package -DskipTests)
}

# raise_fd_limit : as many file descriptors as allowed (100000 wanted; the hard limit may be lower)
raise_fd_limit() {
  ulimit -n 100000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  FD_LIMIT=$(ulimit -n)
}

# begin_run NAME PORT... : what a benchmark of the fast upstream sets up first: RUN (loadtest/out/NAME-<time>, made)
# and RAW in it, the exit trap, wrk/nginx/curl and the jar, the ports checked free, and STATE (a temporary directory,
# removed at exit)
begin_run() {
  local name=$1; shift
  RUN=$LOADTEST_DIR/out/$name-$(date -u +%Y%m%dT%H%M%SZ)
  RAW=$RUN/raw.txt
  STATE=""
  trap cleanup_on_exit EXIT
  ensure_packages wrk:wrk nginx:nginx-light curl:curl
  ensure_jar
  ports_free "$@"
  mkdir -p "$RUN"
  STATE=$(mktemp -d "/tmp/tollgate-$name.XXXXXX")
}

# result LABEL WRK_ARGS... URL : post.lua's RESULT line (the bench team's key: TEAM_KEY); fails unless every request
# got a 2xx answer
result() {
  local label=$1 line; shift
  line=$(BENCH_TEAM_KEY=$TEAM_KEY wrk -s "$LOADTEST_DIR/post.lua" "$@" | { grep '^RESULT ' || true; } | sed 's/^RESULT //')
  [ -n "$line" ] || die "$label: wrk gave no result"
  [[ $line == *" errors=0 "* && $line != *" requests=0" ]] || die "$label: failed requests: $line"
  echo "$line"
}

# wait_started PID LOG PORT : until the process PID answers a chat completion on PORT (the caller's TEAM_KEY and API;
# chat-request.json); fails at once if the process exits or answers anything but 200 (LOG: its log, quoted on failure)
wait_started() {
  local i code
  for i in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || die "the variant exited before it answered: $(tail -n 3 "$2")"
    code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' -H "Authorization: Bearer $TEAM_KEY" \
      -H 'Content-Type: application/json' -d @"$LOADTEST_DIR/chat-request.json" "http://127.0.0.1:$3$API" || true)
    case $code in
      200) kill -0 "$1" 2>/dev/null || die "port $3 answered, but not the variant (it exited): $(tail -n 3 "$2")"
           return 0 ;;
      000) sleep 0.2 ;;
      *) die "the variant answered $code to a chat completion (log: $2)" ;;
    esac
  done
  die "the variant did not answer within 60 s (log: $2)"
}

# start_upstream PORT : the fast fake upstream, nginx `return 200` (upstream-nginx.conf), on 127.0.0.1:PORT, its files
# in $RUN; waits until it answers (UPSTREAM_PID: its PID)
start_upstream() {
  mkdir -p "$RUN/upstream-body"
  render "$LOADTEST_DIR/upstream-nginx.conf" "$RUN/upstream-nginx.conf" OUT="$RUN"
  sed -i "s/127.0.0.1:18081 /127.0.0.1:$1 /" "$RUN/upstream-nginx.conf"
  start_bg "$RUN/upstream-nginx.log" nginx -e "$RUN/upstream-nginx.error.log" -p "$RUN" -c "$RUN/upstream-nginx.conf"
  UPSTREAM_PID=$LAST_PID
  wait_http "http://127.0.0.1:$1/"
  kill -0 "$UPSTREAM_PID" 2>/dev/null || die "the upstream nginx exited: $(tail -3 "$RUN/upstream-nginx.error.log")"
}

# render TEMPLATE OUTPUT KEY=VALUE... : copy TEMPLATE replacing every __KEY__ by VALUE
render() {
  local template=$1 output=$2 expr=() kv; shift 2
  for kv in "$@"; do expr+=(-e "s#__${kv%%=*}__#${kv#*=}#g"); done
  sed "${expr[@]}" "$template" >"$output"
}

machine_line() {
  printf '%s cores, %s, %s, %s' "$(nproc)" \
    "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)" \
    "Linux $(uname -r)" "$(java -version 2>&1 | head -1 | sed 's/"//g')"
}

# proc_ticks : "pid ppid cpu-ticks" for every process
proc_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{ line = $0; pid = $1; sub(/^.*\) /, "", line); split(line, a, " ");
    print pid, a[2], a[12] + a[13] }'
}

# others_cpu ROOT_PID SECONDS BEFORE AFTER : CPU (% of one core) used between two proc_ticks samples taken
# SECONDS apart by processes that are not ROOT_PID's descendants, i.e. by anything but this benchmark
others_cpu() {
  printf '%s\n---\n%s\n' "$3" "$4" | awk -v root="$1" -v secs="$2" -v hz="$(getconf CLK_TCK)" '
    $0 == "---" { second = 1; next }
    !second { before[$1] = $3; next }
    { parent[$1] = $2; ticks[$1] = $3 }
    END {
      for (p in ticks) {
        q = p; mine = 0
        for (depth = 0; depth < 64 && q > 1; depth++) { if (q == root) { mine = 1; break }; q = parent[q] }
        if (!mine) busy += ticks[p] - ((p in before) ? before[p] : 0)
      }
      printf "%.0f\n", 100 * busy / hz / secs
    }'
}

# noise_monitor ROOT_PID [INTERVAL] : every INTERVAL seconds, print "EPOCH_SECONDS others_cpu_pct=N" (the machine
# may be shared; Report.java marks the measurements taken while other processes were busy)
noise_monitor() {
  local root=$1 interval=${2:-5} prev cur sleeper=""
  trap 'kill $sleeper 2>/dev/null; exit 0' TERM
  prev=$(proc_ticks)
  while true; do
    sleep "$interval" & sleeper=$!
    wait "$sleeper"
    cur=$(proc_ticks)
    echo "$(date +%s) others_cpu_pct=$(others_cpu "$root" "$interval" "$prev" "$cur")"
    prev=$cur
  done
}

# noise_summary LOGFILE : "mean X%, max Y% of one core"
noise_summary() {
  awk -F'others_cpu_pct=' '/others_cpu_pct/ { v = $2 + 0; s += v; n++; if (v > m) m = v }
    END { if (n) printf "mean %.0f%%, max %.0f%% of one core (%d samples of 5 s)", s / n, m, n; else print "not measured" }' "$1"
}

# wait_quiet MAX_SECONDS : wait, at most MAX_SECONDS, until other processes use under 15% of one core over 5 s
wait_quiet() {
  local max=$1 waited=0 before after busy
  while :; do
    before=$(proc_ticks); sleep 5; after=$(proc_ticks); waited=$((waited + 5))
    busy=$(others_cpu $$ 5 "$before" "$after")
    if [ "$busy" -lt 15 ]; then log "machine quiet (other processes: ${busy}% of one core)"; return 0; fi
    if [ "$waited" -ge "$max" ]; then log "machine still busy after ${waited}s (other processes: ${busy}% of one core); going on"; return 0; fi
    log "machine busy (other processes: ${busy}% of one core); waiting"
  done
}

# tree_pids PID : "PID,CHILD,..." (a process and its direct children, e.g. nginx's master and workers)
tree_pids() {
  local kids
  kids=$(pgrep -P "$1" | paste -sd, -)
  echo "$1${kids:+,$kids}"
}

# cpu_ms PIDS : CPU time (ms, user + system, all threads) used so far by the comma-separated processes
cpu_ms() {
  local hz pid total=0 t
  hz=$(getconf CLK_TCK)
  for pid in ${1//,/ }; do
    t=$(awk '{ line = $0; sub(/^.*\) /, "", line); split(line, a, " "); print a[12] + a[13] }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo $((total * 1000 / hz))
}
