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
  # --precompress: .br (quality 11) and .gz beside every file, served as they are.
  # cargo-leptos builds the server only after the bundle when it precompresses (14 of a cold
  # build's 26 minutes, one after the other): the two are built side by side here instead.
  (cd "$ROOT" && timed "release build" build_both)
}

build_both() {
  cargo leptos build --release --split --precompress --frontend-only &
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
