#!/usr/bin/env bash
# Gatling simulation of a realistic mixed workload (gatling/src/test/java/tollgate/MixedWorkloadSimulation.java):
# three teams, three models, half of the requests streamed. Starts the fake provider and Tollgate with a
# multi-team config (gatling/gateway-gatling.yaml), runs `mvn -f loadtest/gatling/pom.xml gatling:test`,
# stops everything, and prints where Gatling's HTML report is (loadtest/gatling/target/gatling/...).
#
# Usage: loadtest/gatling.sh [--duration SECONDS] [--rate USERS_PER_SECOND]     (defaults: 60 s, 20 users/s)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=60
RATE=20
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --rate) RATE=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

MOCK_PORT=18191
GATEWAY_PORT=18180
RUN=$LOADTEST_DIR/out/gatling-$(date -u +%Y%m%dT%H%M%SZ)
STATE=""

trap cleanup_on_exit EXIT

main() {
  command -v mvn >/dev/null || ensure_packages mvn:maven
  ensure_packages curl:curl
  ensure_jar
  raise_fd_limit
  mkdir -p "$RUN"
  STATE=$(mktemp -d /tmp/tollgate-gatling.XXXXXX)
  render "$LOADTEST_DIR/gatling/gateway-gatling.yaml" "$RUN/gateway.yaml" STATE="$STATE" LOADTEST="$LOADTEST_DIR" \
    GATEWAY_PORT=$GATEWAY_PORT MOCK_PORT=$MOCK_PORT
  start_bg "$RUN/mock.log" java -Xmx1g -jar "$JAR" mock --port $MOCK_PORT
  start_bg "$RUN/tollgate.log" java -Xmx1g -jar "$JAR" --config "$RUN/gateway.yaml"
  local tollgate=$LAST_PID
  wait_http "http://127.0.0.1:$MOCK_PORT/_mock/stats"
  wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"
  log "fake provider :$MOCK_PORT, Tollgate :$GATEWAY_PORT (pid $tollgate); Gatling for ${DURATION}s at $RATE users/s"

  local rc=0
  timeout --kill-after=15 $((DURATION * 2 + 600)) mvn -B -f "$LOADTEST_DIR/gatling/pom.xml" gatling:test \
    -Dtollgate.url="http://127.0.0.1:$GATEWAY_PORT" -Dduration="$DURATION" -Drate="$RATE" \
    -Dkey.search="${GATLING_KEY_SEARCH:-tg-gatling-search-key-0123456789abcdefghij}" \
    -Dkey.support="${GATLING_KEY_SUPPORT:-tg-gatling-support-key-0123456789abcdefghij}" \
    -Dkey.analytics="${GATLING_KEY_ANALYTICS:-tg-gatling-analytics-key-0123456789abcdefghij}" \
    | tee "$RUN/gatling.log" || rc=$?

  curl -s "http://127.0.0.1:$GATEWAY_PORT/metrics" >"$RUN/tollgate-metrics.txt" || true
  local report
  report=$(ls -dt "$LOADTEST_DIR"/gatling/target/gatling/*/ 2>/dev/null | head -1)
  [ -n "$report" ] && log "Gatling HTML report: ${report}index.html"
  log "Tollgate's metrics after the run: $RUN/tollgate-metrics.txt"
  return $rc
}

main
