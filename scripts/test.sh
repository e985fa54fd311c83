#!/usr/bin/env bash
# Runs every test: formatting, clippy, unit and database tests on SQLite and PostgreSQL,
# server-level HTTP tests, and the Playwright suite in Debian Chromium against the release build.
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
started=$SECONDS
# Each step says when it starts; every step's time is printed again at the end, pass or fail.
steps=()
phase() { say "$1 (at $((SECONDS - started))s)"; }
step() {
  local what="$1"; shift
  local t0=$SECONDS
  phase "$what"
  current_step="$what"
  "$@"
  current_step=""
  steps+=("$(printf '%5ss  %s' "$((SECONDS - t0))" "$what")")
}
current_step=""
summary() {
  local code="$1"
  say "steps ($((SECONDS - started))s in all, exit $code):"
  printf '  %s\n' "${steps[@]}" >&2
  if [ -n "$current_step" ]; then say "failed in: $current_step"; fi
}
trap 'summary $?' EXIT
# A test binary that stops answering fails the run after this long instead of holding CI until its
# time is up (CI once ran out of time inside an HTTP test that had been running for over a
# minute); compiling is outside the limit.
TEST_RUN_LIMIT="${CASTELLAN_TEST_RUN_LIMIT:-900}"
run_tests() { timeout --kill-after=30 "$TEST_RUN_LIMIT" "$@"; }

# A fresh clone needs about 8 GB under target/; incremental caches would add several more.
export CARGO_INCREMENTAL=0
say "free disk space: $(df -h --output=avail "$ROOT" | tail -n1 | tr -d ' ')"

step "checking tools" ensure_build_tools
step "checking browser tools" ensure_browser_tools

# PostgreSQL: DATABASE_URL when it points at a reachable server, else the local one, else install it.
pg_reachable() { psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1; }
PG_URL=""
if [[ "${DATABASE_URL:-}" == postgres* ]] && pg_reachable "$DATABASE_URL"; then
  PG_URL="$DATABASE_URL"
elif pg_reachable "postgres://postgres@127.0.0.1:5432/postgres"; then
  PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
else
  phase "installing and starting PostgreSQL"
  apt_install postgresql postgresql-client
  cluster="$(ls /etc/postgresql | sort -V | tail -n1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'castellan-test'\"" >/dev/null
  PG_URL="postgres://postgres:castellan-test@127.0.0.1:5432/postgres"
  pg_reachable "$PG_URL" || { echo "error: PostgreSQL is not reachable after installing it" >&2; exit 1; }
fi
export CASTELLAN_TEST_POSTGRES_URL="$PG_URL"
export CASTELLAN_TEST_DB_PREFIX="castellan_t$$_"
drop_test_databases() {
  psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE '${CASTELLAN_TEST_DB_PREFIX}%'" 2>/dev/null \
    | while read -r name; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap 'code=$?; drop_test_databases; summary $code' EXIT

step "formatting" cargo fmt --all --check

step "clippy, server side" cargo clippy -p app -p server --all-targets --features app/ssr -- -D warnings
step "clippy, browser side" cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The three bounded fuzz targets (app/src/server/fuzz.rs) run with the unit tests, this long each.
export CASTELLAN_FUZZ_SECS="${CASTELLAN_FUZZ_SECS:-20}"
# Each leg must really run on PostgreSQL too: the tests touch a marker when they open it.
marker_dir="$(mktemp -d)"
export CASTELLAN_TEST_POSTGRES_MARKER="$marker_dir/ran"
step "building unit and database tests" cargo test -p app --features ssr --no-run
step "unit, database (SQLite and PostgreSQL) and fuzz tests" run_tests cargo test -p app --features ssr
[ -f "$CASTELLAN_TEST_POSTGRES_MARKER" ] || { echo "error: the database tests did not run on PostgreSQL" >&2; exit 1; }
rm -f "$CASTELLAN_TEST_POSTGRES_MARKER"
step "building HTTP tests" cargo test -p server --no-run
step "HTTP tests" run_tests cargo test -p server
[ -f "$CASTELLAN_TEST_POSTGRES_MARKER" ] || { echo "error: the HTTP tests did not run on PostgreSQL" >&2; exit 1; }
rm -rf "$marker_dir"

step "release build (scripts/build.sh)" "$ROOT/scripts/build.sh"
step "end-to-end tests in Chromium" bash -c 'cd end2end && npx playwright test'

phase "all tests passed"
