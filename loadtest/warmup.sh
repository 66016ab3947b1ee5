#!/usr/bin/env bash
# Time to 90 % of steady throughput after a start, with and without the warm-up (issue 18). One Tollgate at a
# time (gateway-loadtest.yaml, as ab.sh: team-key auth, a team with a budget and quotas, billing to a fresh SQLite
# file; port 18080, in front of nginx `return 200` on 18081) is started; /readyz is polled every 50 ms until it
# answers 200; then, at once, wrk (post.lua, 2 threads, 32 connections) runs in consecutive 1-second slices.
# Steady throughput: the median of the last 10 slices. Reported per start: the first slice at >= 90 % of steady
# (the time at its end, in seconds after ready and after the process started), the slice from which every later
# one stays >= 90 % (at its end, too), and the time from start to ready. Variants are interleaved, the first rotating each round.
# Prints the table, and every slice to loadtest/out/warmup-<time>/raw.txt.
#
# Usage: loadtest/warmup.sh [--rounds N] [--seconds S] [--wait-quiet S] [NAME='WARM_UP [JVM OPTION...]' ...]
#   WARM_UP: that variant's server.warm-up.duration (0s: no warm-up), optionally with its connections after a comma
#   (20s,2); JVM OPTIONs are added to `java -Xmx1g -XX:+UseG1GC` (split on spaces); an option --java=PATH runs
#   that variant with another java binary (e.g. --java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:AOTCache=F.aot)
#   defaults: 3 rounds of 100 slices (steady is then ~2 min after start, past the 60-90 s the JIT needs here;
#   with 40, as before 2026-12-01 20:50Z, a start still compiling had a lower 'steady' and so an easier 90 % bar);
#   variants off='0s' on='20s'; before each start, waits up to 60 s (--wait-quiet) for a quiet machine, and
#   reports how much CPU other processes used during each measurement
#   e.g. loadtest/warmup.sh --rounds 2 off='0s' on='20s' on-c3='20s -XX:CICompilerCount=3'
#   (~2.2 min per start with a 20 s warm-up: ~13 min for the defaults)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=3
SLICES=100
WAIT_QUIET=60
GATEWAY_PORT=18080
FAST_PORT=18081
TEAM_KEY=${BENCH_TEAM_KEY:-tg-bench-key-0123456789abcdefghijklmnopqrstu}
NAMES=()
declare -A VARIANTS

number() { [[ $2 =~ ^[0-9]+$ ]] || { log "$1 needs a whole number"; usage 2 >&2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=${2:-}; number "$1" "$ROUNDS"; shift ;;
    --seconds) SLICES=${2:-}; number "$1" "$SLICES"; shift ;;
    --wait-quiet) WAIT_QUIET=${2:-}; number "$1" "$WAIT_QUIET"; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage 2 ;;
    *=*)
      name=${1%%=*}
      [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { log "variant name '$name': use letters, digits, '.', '_', '-'"; usage 2; }
      [ -z "${VARIANTS[$name]:-}" ] || { log "variant '$name' given twice"; usage 2; }
      [[ ${1#*=} =~ ^[0-9]+(ms|s|m)(,[0-9]+)?( |$) ]] || { log "variant '$name': start with a duration (0s, 20s, 20s,4...)"; usage 2; }
      NAMES+=("$name"); VARIANTS[$name]=${1#*=} ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
  shift
done
if [ ${#NAMES[@]} -eq 0 ]; then NAMES=(off on); VARIANTS[off]='0s'; VARIANTS[on]='20s'; fi
[ "$ROUNDS" -ge 1 ] && [ "$SLICES" -ge 12 ] || { log "--rounds must be at least 1, --seconds at least 12"; usage 2; }

begin_run warmup $GATEWAY_PORT $FAST_PORT
start_bg "$RUN/noise.log" noise_monitor $$ 5
start_upstream $FAST_PORT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# wait_ready PID LOG : until /readyz answers 200 (polled every 50 ms, at most 180 s); fails if the process exits
wait_ready() {
  local deadline=$(( $(date +%s) + 180 ))
  until [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$GATEWAY_PORT/readyz" || true)" = 200 ]; do
    kill -0 "$1" 2>/dev/null || die "Tollgate exited before it was ready: $(tail -3 "$2")"
    [ "$(date +%s)" -lt "$deadline" ] || die "Tollgate not ready within 180 s (log: $2)"
    sleep 0.05
  done
}

# measure NAME ROUND : start the variant, wait until ready, then SLICES slices of wrk; one raw line per slice
measure() {
  local name=$1 round=$2 spec=${VARIANTS[$1]} dir warmup connections opts start ready pid i from to line ticks0 ticks1 busy
  local java=java
  warmup=${spec%% *}
  opts=""; [ "$warmup" = "$spec" ] || opts=${spec#* }
  if [[ " $opts " =~ \ --java=([^ ]+)\  ]]; then java=${BASH_REMATCH[1]}; opts=${opts/--java=$java/}; fi
  connections=0; [[ $warmup != *,* ]] || { connections=${warmup#*,}; warmup=${warmup%,*}; }
  dir=$STATE/$name-$round
  mkdir -p "$dir"
  render "$LOADTEST_DIR/gateway-loadtest.yaml" "$dir/gateway.yaml" STATE="$dir" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT=$GATEWAY_PORT FAST_PORT=$FAST_PORT PACED_PORT=18091
  sed -i "s/shutdown-grace: 2s/shutdown-grace: 2s, warm-up: { duration: $warmup, connections: $connections }/" "$dir/gateway.yaml"
  grep -q "warm-up: { duration: $warmup," "$dir/gateway.yaml" || die "cannot set server.warm-up in $dir/gateway.yaml"
  if [ "$WAIT_QUIET" -gt 0 ]; then wait_quiet "$WAIT_QUIET"; fi
  ticks0=$(proc_ticks)
  start=$(now)
  set -f   # the options are split on spaces, never glob-expanded
  # shellcheck disable=SC2086
  start_bg "$RUN/$name-$round.log" "$java" -Xmx1g -XX:+UseG1GC $opts -jar "$JAR" --config "$dir/gateway.yaml"
  set +f
  pid=$LAST_PID
  wait_ready "$pid" "$RUN/$name-$round.log"
  ready=$(now)
  log "$name round $round: ready $(since "$start" "$ready") s after start (warm-up $warmup${opts:+, $opts})"
  for i in $(seq 1 "$SLICES"); do
    from=$(now)
    line=$(BENCH_TEAM_KEY=$TEAM_KEY wrk -s "$LOADTEST_DIR/post.lua" -t2 -c32 -d1s "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" \
      | { grep '^RESULT ' || true; } | sed 's/^RESULT //')
    to=$(now)
    [ -n "$line" ] || die "$name round $round: wrk gave no result in slice $i"
    echo "$name round=$round slice=$i ready_s=$(since "$start" "$ready") from_s=$(since "$ready" "$from") to_s=$(since "$ready" "$to") $line" >>"$RAW"
  done
  kill -0 "$pid" 2>/dev/null || die "$name exited during the run (log: $RUN/$name-$round.log)"
  ticks1=$(proc_ticks)
  busy=$(others_cpu $$ "$(since "$start" "$(now)")" "$ticks0" "$ticks1")
  echo "$name round=$round others_cpu_pct=$busy" >>"$RAW"
  log "$name round $round: done; other processes used ${busy}% of one core meanwhile"
  stop_started "$pid"
}

log "variants: $(for n in "${NAMES[@]}"; do printf "%s='%s' " "$n" "${VARIANTS[$n]}"; done); $ROUNDS rounds of $SLICES 1-second slices; results in $RUN"
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  n=${#NAMES[@]}
  for i in $(seq 0 $((n - 1))); do measure "${NAMES[$(( (i + round - 1) % n ))]}" "$round"; done
done

# per start: steady (median of the last 10 slices), the first slice at >= 90 %, the slice from which all stay >= 90 %
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(machine_line); nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')"
  echo "command: loadtest/warmup.sh --rounds $ROUNDS --seconds $SLICES $(for n in "${NAMES[@]}"; do printf "%s='%s' " "$n" "${VARIANTS[$n]}"; done)"
  echo "other processes' CPU during the run: $(noise_summary "$RUN/noise.log")"
  echo
  echo "| variant | round | ready after start (s) | steady req/s | first slice >= 90 %: s after ready | s after start | stays >= 90 % from: s after ready | req/s, first 5 s after ready | slices with errors | other processes' CPU (% of a core) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk -v order="${NAMES[*]}" -v rounds="$ROUNDS" '
    function field(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    field("others_cpu_pct") != "" { busy[$1 SUBSEP field("round")] = field("others_cpu_pct"); next }
    {
      k = $1 SUBSEP field("round"); s = field("slice") + 0
      rps[k, s] = field("rps"); to[k, s] = field("to_s"); ready[k] = field("ready_s")
      req[k, s] = field("requests"); err[k, s] = field("errors") + 0
      if (s > last[k]) last[k] = s
    }
    END {
      n = split(order, names, " ")
      for (v = 1; v <= n; v++) {
        for (r = 1; r <= rounds; r++) {
          k = names[v] SUBSEP r
          if (!(k in last)) continue
          m = last[k]; list = ""
          for (s = m - 9; s <= m; s++) list = list " " rps[k, s]
          steady = median(list); first = ""; stays = ""; errs = 0; early = 0
          for (s = 1; s <= m; s++) {
            if (first == "" && rps[k, s] >= 0.9 * steady) first = s
            if (err[k, s] > 0) errs++
          }
          for (s = m; s >= 1 && rps[k, s] >= 0.9 * steady; s--) stays = s
          # requests answered in the slices that ended within 5 s of ready, over the time they took
          for (s = 1; s <= m && to[k, s] <= 5.05; s++) { early += req[k, s]; end5 = to[k, s] }
          firstAfter = first == "" ? "—" : to[k, first]
          firstStart = first == "" ? "—" : sprintf("%.2f", to[k, first] + ready[k])
          staysAfter = stays == "" ? "—" : to[k, stays]
          printf "| %s | %d | %.2f | %.0f | %s | %s | %s | %s | %d | %s |\n", names[v], r, ready[k], steady, firstAfter, firstStart,
            staysAfter, (early > 0 ? sprintf("%.0f", early / end5) : "—"), errs, (k in busy) ? busy[k] : "—"
          med[v, "ready"] = med[v, "ready"] " " ready[k]; med[v, "steady"] = med[v, "steady"] " " steady
          if (first != "") { med[v, "first"] = med[v, "first"] " " to[k, first]; med[v, "firstStart"] = med[v, "firstStart"] " " (to[k, first] + ready[k]) }
          if (stays != "") med[v, "stays"] = med[v, "stays"] " " to[k, stays]
          if (early > 0) med[v, "early"] = med[v, "early"] " " (early / end5)
        }
      }
      print ""
      print "| variant (median of the rounds) | ready after start (s) | steady req/s | first slice >= 90 %: s after ready | s after start | stays >= 90 % from: s after ready | req/s, first 5 s after ready |"
      print "|---|---|---|---|---|---|---|"
      for (v = 1; v <= n; v++) {
        printf "| %s | %.2f | %.0f | %s | %s | %s | %s |\n", names[v], median(med[v, "ready"]), median(med[v, "steady"]),
          med[v, "first"] == "" ? "—" : sprintf("%.2f", median(med[v, "first"])),
          med[v, "firstStart"] == "" ? "—" : sprintf("%.2f", median(med[v, "firstStart"])),
          med[v, "stays"] == "" ? "—" : sprintf("%.2f", median(med[v, "stays"])),
          med[v, "early"] == "" ? "—" : sprintf("%.0f", median(med[v, "early"]))
      }
    }' "$RAW"
  echo
  echo "Each slice: wrk -t2 -c32 -d1s with post.lua, new connections each time; times are at the slice's end, measured from"
  echo "when /readyz first answered 200 (polled every 50 ms). Steady: the median of the last 10 slices of the same start."
} | tee "$RUN/results.md"
