# Sourced by demo.sh and test.sh: installs what is missing, skips what is there at the right
# version. Nothing is downloaded at build time except from the package registries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="123"
BINARYEN_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/castellan/binaryen-$BINARYEN_VERSION"
export CASTELLAN_WASM_OPT="$BINARYEN_DIR/node_modules/.bin/wasm-opt"
# scripts/bin/wasm-opt runs $CASTELLAN_WASM_OPT (it skips the split bundle's tiny chunks).
export PATH="$ROOT/scripts/bin:$BINARYEN_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
# Runs one install step and says how long it took (the README's cold-setup figures come from these).
timed() {
  local what="$1"; shift
  local t0=$SECONDS
  "$@"
  say "$what: done in $((SECONDS - t0))s"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_build_tools() {
  rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
    || { say "adding the wasm32 target"; timed "wasm32 target" rustup target add wasm32-unknown-unknown; }
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes on 2 cores, once)"
    timed "libssl-dev, pkg-config (Debian)" apt_install libssl-dev pkg-config
    # Its own release profile asks for fat LTO in one codegen unit and a vendored OpenSSL compiled
    # from C: about 17 minutes on 2 cores for a build tool whose own speed hardly matters (it
    # spends its time waiting for cargo, wasm-bindgen and wasm-opt). An unoptimised build without
    # debug info and Debian's OpenSSL is several times quicker. `no_downloads` makes a missing
    # tool a clear error instead of a download from the web.
    timed "cargo-leptos $CARGO_LEPTOS_VERSION" env \
      CARGO_PROFILE_DEV_DEBUG=false OPENSSL_NO_VENDOR=1 \
      cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --debug --features no_downloads
  fi
  local wbg; wbg="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    say "installing wasm-bindgen-cli $wbg (matches Cargo.lock)"
    # Without --locked: one of its locked dependencies is no longer in the registry.
    timed "wasm-bindgen-cli $wbg" env \
      CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "$wbg"
  fi
  # Debian's binaryen (108) corrupts the externref table rustc 1.95 emits: the page would never
  # hydrate. npm's binaryen 123 (the version cargo-leptos would fetch) ships wasm-opt built for Node (seconds to install, where the
  # wasm-opt crate compiles binaryen's C++ for about 15 minutes); cargo-leptos takes the first
  # wasm-opt on PATH, and setup.sh puts this one first.
  if ! "$CASTELLAN_WASM_OPT" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION) from npm"
    mkdir -p "$BINARYEN_DIR"
    timed "binaryen $BINARYEN_VERSION" bash -c 'cd "$1" && npm install --no-audit --no-fund --loglevel=error --no-save \
      "binaryen@$2.0.0" >/dev/null' _ "$BINARYEN_DIR" "$BINARYEN_VERSION"
  fi
  # Whichever wasm-opt comes first on PATH is the one cargo-leptos runs, unchecked.
  if [ "$(command -v wasm-opt)" != "$ROOT/scripts/bin/wasm-opt" ] \
     || ! wasm-opt --version | grep -q "version $BINARYEN_VERSION"; then
    echo "error: the wasm-opt on PATH is $(command -v wasm-opt) ($(wasm-opt --version 2>&1)), not binaryen $BINARYEN_VERSION from $BINARYEN_DIR" >&2
    return 1
  fi
}

ensure_browser_tools() {
  command -v chromium >/dev/null || timed "chromium" apt_install chromium
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing end-to-end test packages (npm ci)"
    timed "end-to-end packages" bash -c 'cd "$1" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error' _ "$ROOT/end2end"
  fi
  ensure_oidc_dev
}

# The development OpenID provider (scripts/oidc-dev.sh) for the demo and the end-to-end tests.
ensure_oidc_dev() {
  local dir="$ROOT/scripts/oidc-dev"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing the development OpenID provider (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

