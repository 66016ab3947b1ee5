#!/usr/bin/env bash
# The image smoke test: builds the image (k8s/image/build.sh: a Debian JRE 17 base, then Jib), loads it into
# podman and runs it twice, checking health, readiness, a chat completion (plain and streamed) through the
# built-in fake provider, metrics, and a clean drain on SIGTERM (exit 0):
#   1. as the image is, with its default config (SQLite in /app/data, as user 10001);
#   2. as Kubernetes runs it: read-only root filesystem, tmpfs /tmp, an arbitrary non-root uid, no capabilities, no new
#      privileges, a memory and CPU limit, and a check that the JVM sized its heap from that limit.
# Installs podman, runc and mmdebstrap with apt when missing (as root). Exits 0 with "SKIPPED: ..." where
# podman cannot run containers (not root, no apt, a sandbox that refuses it); any other failure fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/k8s/image/containers.conf}"
skip() { echo "image smoke test: SKIPPED: $*"; exit 0; }
say() { echo "image smoke test: $*"; }
started=$(date +%s)

if ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null || ! command -v curl >/dev/null; then
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || skip "podman/mmdebstrap missing and cannot be installed (needs root and apt)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap uidmap curl >/dev/null \
    || skip "apt-get could not install podman, runc and mmdebstrap"
fi
[[ $(id -u) == 0 ]] || skip "the base image is made with mmdebstrap and podman as root; not root here"

# the base is made from Debian's mirror: a mirror that cannot be reached is this machine's problem, not the image's
k8s/image/base-image.sh target/image/base-jre17.tar \
  || skip "the Debian base image could not be made (mmdebstrap: is the Debian mirror reachable?)"
podman load -q -i target/image/base-jre17.tar >/dev/null
probe=$(podman run --rm localhost/tollgate-base:jre17 java -version 2>&1) \
  || skip "podman cannot run a container here: $(echo "$probe" | tail -3)"
say "podman runs containers ($(podman --version)); the base image's $(echo "$probe" | head -1)"

k8s/image/build.sh
podman load -q -i target/tollgate-image.tar
image=localhost/tollgate:$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
podman image inspect "$image" --format 'image: {{.Id}} user={{.Config.User}} workdir={{.Config.WorkingDir}} ports={{.Config.ExposedPorts}}' | cut -c1-200
[[ $(podman image inspect "$image" --format '{{.Config.User}}') == 10001:0 ]] || { echo "FAIL: the image's user is not 10001:0"; exit 1; }
[[ $(podman image inspect "$image" --format '{{index .Config.Labels "org.opencontainers.image.title"}}') == tollgate ]] \
  || { echo "FAIL: the image's labels are missing"; exit 1; }

names=()
cleanup() { for n in "${names[@]}"; do podman rm -f "$n" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; podman logs "$name" 2>&1 | tail -30; exit 1; }

check() { # name: health, readiness, a chat completion plain and streamed, metrics, then a clean drain
  local name="$1" port base key="tg-demo-key-for-local-use-only"
  port=$(podman port "$name" 8080 | head -1 | sed 's/.*://')
  base="http://127.0.0.1:$port"
  local deadline=$(( $(date +%s) + 90 ))
  until curl -fsS "$base/readyz" >/dev/null 2>&1; do
    [[ $(podman inspect "$name" --format '{{.State.Running}}') == true ]] || fail "$name exited before it was ready"
    (( $(date +%s) < deadline )) || fail "$name not ready within 90 s"
    sleep 0.5
  done
  curl -fsS "$base/healthz" | grep -q '"ok"' || fail "$name: /healthz"
  local answer
  answer=$(curl -fsS "$base/v1/chat/completions" -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
    -d '{"model": "mock-gpt", "messages": [{"role": "user", "content": "Hello from the smoke test"}]}') || fail "$name: chat completion"
  echo "$answer" | grep -q '"finish_reason":"stop"' || fail "$name: unexpected answer $answer"
  curl -fsSN "$base/v1/chat/completions" -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
    -d '{"model": "mock-gpt", "stream": true, "messages": [{"role": "user", "content": "Stream"}]}' | grep -q '^data: \[DONE\]' \
    || fail "$name: streamed chat completion"
  # grep reads it all (no -q): quitting at the first match would cut curl off mid-body, a failure under pipefail
  curl -fsS "$base/metrics" | grep '^tollgate_' >/dev/null || fail "$name: /metrics has no tollgate_ meters"
  podman stop -t 45 "$name" >/dev/null
  [[ $(podman inspect "$name" --format '{{.State.ExitCode}}') == 0 ]] || fail "$name: exit code after SIGTERM is not 0"
  podman logs "$name" 2>&1 | grep "Tollgate stopped" >/dev/null || fail "$name: no clean stop in its log"
  say "$name: ready, chat plain and streamed, metrics, drained and exited 0"
}

name=tollgate-smoke-default-$$; names+=("$name")
podman run -d --name "$name" -p 127.0.0.1::8080 "$image" >/dev/null
check "$name"

name=tollgate-smoke-hardened-$$; names+=("$name")
# an arbitrary uid in the root group, as OpenShift runs images (on Kubernetes the store is PostgreSQL and fsGroup
# owns the volumes; here the default config's SQLite file goes to a tmpfs, which podman gives /app/data's mode)
podman run -d --name "$name" -p 127.0.0.1::8080 --read-only --tmpfs /tmp --tmpfs /app/data \
  --user 10002:0 --cap-drop ALL --security-opt no-new-privileges --memory 768m --cpus 1 "$image" >/dev/null
heap=$(podman exec "$name" java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}')
(( heap > 0 && heap <= 768 * 1024 * 1024 * 65 / 100 )) || fail "$name: max heap $heap bytes does not follow the 768 MiB limit"
say "$name: max heap $(( heap / 1024 / 1024 )) MiB under a 768 MiB limit"
check "$name"

say "passed in $(( $(date +%s) - started )) s; image $(du -h target/tollgate-image.tar | cut -f1) compressed, $(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%d MB", $1/1000000}') unpacked"
