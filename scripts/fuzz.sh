#!/usr/bin/env bash
# Long run of the no-panic property tests (CI runs the default 256 cases per property).
# Usage: scripts/fuzz.sh [cases per property, default 20000]
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
start=$(date +%s)
PROPTEST_CASES="$cases" cargo test --locked --release --test it no_panic -- --nocapture
echo "no_panic: 5 properties (config loader and validator, comment marker) x $cases cases, $(( $(date +%s) - start )) s including the release build, 0 panics"
