#!/usr/bin/env bash
# The whole test suite: sets up the local AWS stand-in if needed, tests the stand-in itself
# (tests/standin/test_aws_standin.py: the AWS rules it adds to moto), then runs every Rust test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/standin-setup.sh
.venv/bin/python -m unittest discover -s tests/standin -p 'test_*.py'
cargo test --locked "$@"
