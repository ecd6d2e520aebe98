#!/usr/bin/env bash
# The whole test suite: sets up the local AWS stand-in if needed, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/standin-setup.sh
cargo test --locked "$@"
