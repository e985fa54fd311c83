#!/usr/bin/env bash
# Sets up and runs Castellan on an embedded SQLite file with the demo tenants.
# Environment: DATABASE_URL (default sqlite://castellan.db), LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
"$ROOT/scripts/build.sh"
export DATABASE_URL="${DATABASE_URL:-sqlite://castellan.db}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export CASTELLAN_DEMO=1
# acme signs in with SSO against the development provider; start it unless something listens there.
OIDC_DEV_PORT="${OIDC_DEV_PORT:-3900}"
export CASTELLAN_DEMO_OIDC_ISSUER="${CASTELLAN_DEMO_OIDC_ISSUER:-http://127.0.0.1:$OIDC_DEV_PORT}"
if ! (exec 3<>"/dev/tcp/127.0.0.1/$OIDC_DEV_PORT") 2>/dev/null; then
  ensure_oidc_dev
  OIDC_DEV_PORT="$OIDC_DEV_PORT" "$ROOT/scripts/oidc-dev.sh" >/dev/null &
  trap 'kill $! 2>/dev/null' EXIT
fi
say "starting Castellan (Ctrl-C stops it)"
say "SSO: Sign in with SSO on tenant acme as sso.dave or sso.grace (password Castellan-demo-1)"
"$ROOT/target/release/server"
