#!/usr/bin/env bash
# Puts the sagemaker-autoscale binary on the runner and writes its path to the step output
# `bin`. The release asset for this action's version is downloaded over HTTPS and run only if
# its sha256 matches dist/manifest.json, which is committed with the action. Where the manifest
# has no checksum for this version (a branch, a SHA, `uses: ./`), the binary is built from the
# action's own source with `cargo build --release --locked`.
#
# Reads: ACTION_PATH (the action's checkout), RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE,
# RUNNER_TEMP, GITHUB_OUTPUT. Test-only: SAGEMAKER_AUTOSCALE_RELEASE_BASE replaces the release
# URL (a file:// URL is then allowed instead of https).
set -euo pipefail

action_path="${ACTION_PATH:?ACTION_PATH is not set}"
manifest="$action_path/dist/manifest.json"
fail() { echo "::error::sagemaker-autoscale install: $*"; exit 1; }

case "${RUNNER_OS:-Linux}" in
  Linux) ;;
  *) fail "runner OS ${RUNNER_OS} is not supported; use a Linux runner" ;;
esac
case "${RUNNER_ARCH:-X64}" in
  X64) target=x86_64-unknown-linux-musl ;;
  ARM64) target=aarch64-unknown-linux-musl ;;
  *) fail "runner architecture ${RUNNER_ARCH} is not supported (X64 and ARM64 are)" ;;
esac

field() {
  python3 - "$manifest" "$target" "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
asset = m["assets"].get(sys.argv[2]) or {}
value = {"version": m["version"], "base": m["release_base"]}.get(sys.argv[3], asset.get(sys.argv[3]))
print("" if value is None else value)
PY
}
version=$(field version)
file=$(field file)
sha256=$(field sha256)
base="${SAGEMAKER_AUTOSCALE_RELEASE_BASE:-$(field base)}"
cache="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/sagemaker-autoscale/$version/$target"
bin="$cache/sagemaker-autoscale"

output() { [ -n "${GITHUB_OUTPUT:-}" ] && echo "bin=$1" >> "$GITHUB_OUTPUT"; echo "sagemaker-autoscale: $1"; }
verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }

if [ -n "$sha256" ]; then
  if verified "$bin"; then
    output "$bin"
    exit 0
  fi
  mkdir -p "$cache"
  url="$base/v$version/$file"
  proto='=https'
  case "$url" in file://*) [ -n "${SAGEMAKER_AUTOSCALE_RELEASE_BASE:-}" ] && proto='=file' ;; esac
  echo "::group::Download $url"
  curl --proto "$proto" --tlsv1.2 -fsSL --retry 3 --retry-delay 2 -o "$bin.download" "$url" \
    || fail "cannot download $url"
  echo "::endgroup::"
  if ! verified "$bin.download"; then
    rm -f "$bin.download"
    fail "checksum mismatch for $file: expected $sha256 from dist/manifest.json; refusing to run it"
  fi
  chmod +x "$bin.download"
  mv "$bin.download" "$bin"
  output "$bin"
  exit 0
fi

# No release asset for this version: build the action's own source.
command -v cargo >/dev/null || fail "no release binary for this ref and no cargo to build it (use a released tag such as @v1)"
echo "::group::Build sagemaker-autoscale from source ($target asset not released for this ref)"
target_dir="${RUNNER_TEMP:-/tmp}/sagemaker-autoscale-build"
cargo build --release --locked --manifest-path "$action_path/Cargo.toml" --target-dir "$target_dir"
echo "::endgroup::"
output "$target_dir/release/sagemaker-autoscale"
