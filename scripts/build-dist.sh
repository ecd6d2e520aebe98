#!/usr/bin/env bash
# Static release binary for one target: target/dist/sagemaker-autoscale-<target> and its
# .sha256. Usage: scripts/build-dist.sh [x86_64-unknown-linux-musl|aarch64-unknown-linux-musl]
# Native musl builds need musl-tools (C code in the crypto crate); a cross build to aarch64
# uses cargo-zigbuild with zig from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-x86_64-unknown-linux-musl}"
rustup target add "$target" >/dev/null
host_arch=$(uname -m)
case "$target" in
  "$host_arch"-unknown-linux-musl)
    if ! command -v musl-gcc >/dev/null; then
      if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq musl-tools >/dev/null; else sudo apt-get install -y -qq musl-tools >/dev/null; fi
    fi
    cargo build --locked --profile dist --target "$target"
    ;;
  *)
    command -v cargo-zigbuild >/dev/null || cargo install --locked cargo-zigbuild
    python3 -c 'import ziglang' 2>/dev/null || python3 -m pip install --quiet ziglang
    cargo zigbuild --locked --profile dist --target "$target"
    ;;
esac
mkdir -p target/dist
out="target/dist/sagemaker-autoscale-$target"
cp "target/$target/dist/sagemaker-autoscale" "$out"
(cd target/dist && sha256sum "sagemaker-autoscale-$target" > "sagemaker-autoscale-$target.sha256")
ls -l "$out"
cat "$out.sha256"
