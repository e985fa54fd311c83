#!/usr/bin/env bash
# Builds the release site (target/release/server and target/site), exactly as demo.sh, test.sh
# and CI do: they call this script, with no arguments. Every flag the product's build needs is
# here (or in Cargo.toml's [package.metadata.leptos] and the wasm-release profile), never only
# in a command someone has to remember. Installs the build tools first when they are missing.
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

build_site() {
  say "building the release site (server binary and WASM bundle)"
  # --split: every page is its own lazily loaded chunk of the bundle (app/src/pages/lazy.rs).
  # Then scripts/precompress.mjs writes a .br (quality 11) and a .gz beside every file of the
  # site (Cargo.toml's site-root), served as they are (cargo-leptos' own --precompress does the
  # same, about ten times slower in the unoptimised cargo-leptos setup.sh installs).
  # The bundle and the server are built side by side (cargo-leptos would build them one after
  # the other when it precompresses).
  (cd "$ROOT" && timed "release build" build_both)
}

build_front() {
  cargo leptos build --release --split --frontend-only \
    && node "$ROOT/scripts/precompress.mjs" "$ROOT/target/site"
}

build_both() {
  build_front &
  local front=$!
  cargo leptos build --release --server-only &
  local server=$!
  local failed=0
  wait "$front" || failed=1
  wait "$server" || failed=1
  return "$failed"
}

ensure_build_tools
build_site
