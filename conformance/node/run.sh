#!/usr/bin/env bash
# The Node SDK conformance suite: installs the pinned SDKs and runs them against target/tollgate.jar
# (build it first: mvn -B -q package -DskipTests). Needs Node 18+ and npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1 --test-reporter=spec conformance.test.mjs
