#!/usr/bin/env bash
# Benchmarks, printed as markdown tables (docs/benchmarks.md holds a run). Not a test: the
# figures depend on the machine. Needs GNU time (Debian: time) for peak RSS.
# Usage: scripts/bench.sh [max endpoints, default 1000] > docs/benchmarks-run.md
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/standin-setup.sh aws >/dev/null
req="awscli==1.46.3 boto3==1.44.8"
if ! { [ -f .venv-bench/.stamp ] && [ "$(cat .venv-bench/.stamp)" = "$req" ]; }; then
  python3 -m venv .venv-bench
  # shellcheck disable=SC2086
  .venv-bench/bin/pip install --quiet --disable-pip-version-check $req
  echo "$req" > .venv-bench/.stamp
fi
cargo build --locked --release --quiet
exec .venv/bin/python scripts/bench.py "${1:-1000}"
