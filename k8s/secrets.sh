#!/usr/bin/env bash
# Prints the Secrets the gateway's pods read, as manifests to pipe into kubectl (nothing secret is kept in
# the repository):
#   k8s/secrets.sh dev  | kubectl apply -n tollgate-dev -f -
#       random PostgreSQL password and admin token, URLs of the dev overlay's PostgreSQL and Redis, and
#       placeholder provider keys unless OPENAI_API_KEY / ANTHROPIC_API_KEY are set (the mock models work
#       without them)
#   TOLLGATE_STORE_URL=postgresql://user:pw@host:5432/tollgate?sslmode=require TOLLGATE_REDIS_URL=rediss://:pw@host:6380 \
#   OPENAI_API_KEY=sk-... ANTHROPIC_API_KEY=sk-ant-... k8s/secrets.sh prod | kubectl apply -n tollgate -f -
#       the managed services' URLs and the real keys, all required; TOLLGATE_ADMIN_TOKEN is generated if unset
# The admin token is printed to stderr once, so it can be kept in a password manager.
set -euo pipefail
mode="${1:-}"
random() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
need() { [[ -n "${!1:-}" ]] || { echo "secrets.sh: $1 must be set for $mode" >&2; exit 2; }; }
secret() { # name key value [key value ...]
  local name="$1"; shift
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels: { app.kubernetes.io/part-of: tollgate }\ntype: Opaque\ndata:\n' "$name"
  while (( $# )); do printf '  %s: %s\n' "$1" "$(b64 "$2")"; shift 2; done
}

case "$mode" in
  dev)
    pg_password="${TOLLGATE_DEV_PG_PASSWORD:-$(random)}"
    secret tollgate-dev-postgres password "$pg_password"
    secret tollgate-store \
      store-url "postgresql://tollgate:${pg_password}@${TOLLGATE_DEV_PG_HOST:-tollgate-postgres}:5432/tollgate" \
      redis-url "redis://${TOLLGATE_DEV_REDIS_HOST:-tollgate-redis}:6379"
    secret tollgate-provider-keys \
      openai-api-key "${OPENAI_API_KEY:-sk-placeholder-set-OPENAI_API_KEY}" \
      anthropic-api-key "${ANTHROPIC_API_KEY:-sk-ant-placeholder-set-ANTHROPIC_API_KEY}"
    ;;
  prod)
    for v in TOLLGATE_STORE_URL TOLLGATE_REDIS_URL OPENAI_API_KEY ANTHROPIC_API_KEY; do need "$v"; done
    secret tollgate-store store-url "$TOLLGATE_STORE_URL" redis-url "$TOLLGATE_REDIS_URL"
    secret tollgate-provider-keys openai-api-key "$OPENAI_API_KEY" anthropic-api-key "$ANTHROPIC_API_KEY"
    ;;
  *)
    echo "usage: k8s/secrets.sh dev|prod   (see the comment at the top)" >&2
    exit 2
    ;;
esac
admin_token="${TOLLGATE_ADMIN_TOKEN:-$(random)}"
secret tollgate-admin token "$admin_token"
[[ -n "${TOLLGATE_ADMIN_TOKEN:-}" ]] || echo "secrets.sh: admin token (shown once): $admin_token" >&2
