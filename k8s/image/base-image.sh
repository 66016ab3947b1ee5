#!/usr/bin/env bash
# Makes the image's base (a Debian rootfs with a headless JRE 17) from Debian packages, without a registry
# or a Docker daemon: mmdebstrap builds the rootfs, podman imports it and saves it as a docker-archive tar,
# which Jib takes as a tar:// base (k8s/image/build.sh). Needs root, mmdebstrap and podman.
#   k8s/image/base-image.sh [OUT.tar]        (default: target/image/base-jre17.tar; reused if present)
set -euo pipefail
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}"
cd "$(dirname "$0")/../.."
out="${1:-target/image/base-jre17.tar}"
suite="${TOLLGATE_BASE_SUITE:-bookworm}"
mirror="${TOLLGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${TOLLGATE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
image="localhost/tollgate-base:jre17"

if [[ -s "$out" && -z "${TOLLGATE_BASE_REBUILD:-}" ]]; then
  echo "base image: $out exists (TOLLGATE_BASE_REBUILD=1 to make it again)"
  exit 0
fi
mkdir -p "$(dirname "$out")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# essential + the JRE: no apt, no shell extras beyond Essential; docs, man pages and locales left out (the JRE's
# update-alternatives still needs /usr/share/man/man1 to exist while it installs)
mmdebstrap --verbose --variant=essential --mode="${TOLLGATE_MMDEBSTRAP_MODE:-auto}" \
  --include=openjdk-17-jre-headless,ca-certificates,tzdata \
  --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-include=/usr/share/doc/*/copyright \
  --dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/locale/* \
  --dpkgopt=path-exclude=/usr/share/info/* \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='rm -rf "$1"/usr/share/man/*' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
  --customize-hook='chroot "$1" java -version' \
  "$suite" "$work/rootfs.tar" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" \
  >"$work/mmdebstrap.log" 2>&1 || { tail -40 "$work/mmdebstrap.log" >&2; echo "base image: mmdebstrap failed" >&2; exit 1; }

java_home=/usr/lib/jvm/java-17-openjdk-amd64
podman import \
  --change "ENV JAVA_HOME=$java_home" \
  --change "ENV PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV LANG=C.UTF-8" \
  --change "LABEL org.opencontainers.image.description=Debian $suite with openjdk-17-jre-headless, made by k8s/image/base-image.sh" \
  "$work/rootfs.tar" "$image" >/dev/null
rm -f "$out"
podman save --format docker-archive -o "$out" "$image"
echo "base image: $out ($(du -h "$out" | cut -f1)), $(podman image inspect --format '{{.Id}}' "$image" | cut -c1-12)"
