#!/usr/bin/env bash
# Sets up and runs Castellan on an embedded SQLite file with the demo tenants.
# Environment: DATABASE_URL (default sqlite://castellan.db), LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
"$ROOT/scripts/build.sh"
export DATABASE_URL="${DATABASE_URL:-sqlite://castellan.db}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export CASTELLAN_DEMO=1
say "starting Castellan (Ctrl-C stops it)"
exec "$ROOT/target/release/server"
