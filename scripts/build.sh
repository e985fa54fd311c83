#!/usr/bin/env bash
# Builds the release site (target/release/server and target/site), exactly as demo.sh and
# test.sh do: they call this script. Installs the build tools first when they are missing.
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
ensure_build_tools
build_site
