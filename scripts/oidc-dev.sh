#!/usr/bin/env bash
# Runs the OpenID Connect provider for development and tests in the foreground (Ctrl-C stops it),
# installing its npm packages first when they are missing or package-lock.json changed.
# Environment: OIDC_DEV_PORT (default 3900); issuer http://127.0.0.1:$OIDC_DEV_PORT.
set -euo pipefail
cd "$(dirname "$0")/oidc-dev"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec node server.mjs
