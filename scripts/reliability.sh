#!/usr/bin/env bash
# The 20 %-transient-faults scenario, N times with different seeds, as a table:
# outcome of the faulted apply, the calls the stand-in answered with throttling, whether a
# second (clean) apply converged. Usage: scripts/reliability.sh [runs, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
scripts/standin-setup.sh aws >/dev/null
cargo build --locked --quiet
bin=$PWD/target/debug/sagemaker-autoscale
tmp=$(mktemp -d)
mkfifo "$tmp/stdin"
.venv/bin/python tests/standin/aws_standin.py 0 --exit-with-parent < "$tmp/stdin" > "$tmp/log" 2>/dev/null &
exec 9> "$tmp/stdin"
trap 'exec 9>&-; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -q READY "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/^READY //p' "$tmp/log")
regions=(us-east-1 us-east-2 us-west-1 us-west-2 eu-west-1 eu-west-2 eu-west-3 eu-central-1 eu-north-1 ap-south-1
         ap-northeast-1 ap-northeast-2 ap-southeast-1 ap-southeast-2 ca-central-1 sa-east-1)
echo "| run | seed | faulted apply | calls throttled | applied / failed / not attempted | clean re-apply converges |"
echo "|---|---|---|---|---|---|"
for i in $(seq 1 "$runs"); do
  region=${regions[$(( (i - 1) % ${#regions[@]} ))]}
  dir="$tmp/run$i"; mkdir -p "$dir"
  { echo "region = \"$region\""; for e in $(seq -w 0 49); do printf '[[endpoint]]\nname = "ep-%s-%s"\nmax_capacity = 4\npreset = "async-cpu"\n\n' "$i" "$e"; done; } > "$dir/autoscaling.toml"
  curl -s -X POST "http://127.0.0.1:$port/_standin/faults" -d "[{\"region\":\"$region\",\"status\":400,\"code\":\"ThrottlingException\",\"fraction\":0.2,\"seed\":$i}]" >/dev/null
  env_run() { (cd "$dir" && env AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=r AWS_SECRET_ACCESS_KEY=r \
      AWS_EC2_METADATA_DISABLED=true HOME="$dir" SAGEMAKER_AUTOSCALE_RETRY_BASE_MS=5 "$bin" "$@"); }
  set +e
  out=$(env_run apply --auto-approve 2>&1); code=$?
  set -e
  hits=$(curl -s "http://127.0.0.1:$port/_standin/faults" | python3 -c "import json,sys; print(sum(f.get('hits',0) for f in json.load(sys.stdin) if f.get('region')=='$region'))")
  curl -s -X DELETE "http://127.0.0.1:$port/_standin/faults?region=$region" >/dev/null
  counts=$(echo "$out" | sed -n 's/^Apply: \([0-9]*\) applied, \([0-9]*\) failed, \([0-9]*\) not attempted.*/\1 \/ \2 \/ \3/p')
  [ -n "$counts" ] || counts="plan failed: $(echo "$out" | grep -m1 '^error:' | cut -c1-60)"
  env_run apply --auto-approve >/dev/null 2>&1 || true
  if env_run plan --detailed-exitcode >/dev/null 2>&1; then converged=yes; else converged=NO; fi
  echo "| $i | $i | exit $code | $hits | $counts | $converged |"
done
