#!/usr/bin/env bash
# Builds the gateway's image into target/tollgate-image.tar with Jib: no Docker daemon, no registry.
#   k8s/image/build.sh                 base: a Debian JRE 17 made here (k8s/image/base-image.sh), passed as tar://
#   TOLLGATE_BASE_IMAGE=eclipse-temurin:17-jre k8s/image/build.sh     base pulled from a registry instead
# Then: podman load -i target/tollgate-image.tar   (or kind load image-archive, ctr images import, ...)
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${TOLLGATE_BASE_IMAGE:-}"
if [[ -z "$base" ]]; then
  k8s/image/base-image.sh target/image/base-jre17.tar
  base="tar://$PWD/target/image/base-jre17.tar"
fi
start=$(date +%s)
mvn ${MAVEN_OFFLINE:-} -B -q -DskipTests compile jib:buildTar -Djib.from.image="$base" -Djib.disableUpdateChecks=true
echo "image: target/tollgate-image.tar ($(du -h target/tollgate-image.tar | cut -f1)) from $base in $(( $(date +%s) - start )) s"
