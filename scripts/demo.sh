#!/usr/bin/env bash
# The main job on a local stand-in for AWS (no account needed): validate, plan, apply and
# plan again for the reference setup, against moto started here on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/standin-setup.sh aws
cargo build --locked --quiet
bin=target/debug/sagemaker-autoscale

tmp=$(mktemp -d)
mkfifo "$tmp/stdin"
# The stand-in exits when this script's end of the pipe closes, whatever way it ends.
.venv/bin/python tests/standin/aws_standin.py 0 --exit-with-parent < "$tmp/stdin" > "$tmp/log" 2>/dev/null &
exec 9> "$tmp/stdin"
trap 'exec 9>&-; rm -rf "$tmp"' EXIT
log="$tmp/log"
for _ in $(seq 50); do grep -q READY "$log" && break; sleep 0.1; done
port=$(sed -n 's/^READY //p' "$log")

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_EC2_METADATA_DISABLED=true
config="${1:-examples/seed.toml}"

echo "### validate"; $bin validate --config "$config"
echo; echo "### plan";  $bin plan --config "$config" 2>/dev/null
echo; echo "### apply"; $bin apply --config "$config" --auto-approve 2>/dev/null | tail -6
echo; echo "### plan again (should be empty)"; $bin plan --config "$config" --detailed-exitcode 2>/dev/null
