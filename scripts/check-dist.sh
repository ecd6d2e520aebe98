#!/usr/bin/env bash
# Checks a built static binary the way issue "Ship it" asks: `file` says static, and inside an
# empty chroot holding only the binary and a config it runs --version and a full
# apply -> plan against the local AWS stand-in. Needs root (chroot).
# Usage: scripts/check-dist.sh [target]   (builds it first if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-x86_64-unknown-linux-musl}"
bin="target/dist/sagemaker-autoscale-$target"
[ -f "$bin" ] || scripts/build-dist.sh "$target"
file "$bin" | tee /dev/stderr | grep -q "static" || { echo "not static"; exit 1; }
if [ "$target" != "$(uname -m)-unknown-linux-musl" ]; then
  command -v qemu-aarch64-static >/dev/null && qemu-aarch64-static "$bin" --version
  exit 0
fi
scripts/standin-setup.sh aws
root=$(mktemp -d)
cp "$bin" "$root/sagemaker-autoscale"
sed 's/us-west-2/eu-west-3/' examples/seed.toml > "$root/seed.toml"
mkfifo "$root/.stdin"
.venv/bin/python tests/standin/aws_standin.py 0 --exit-with-parent < "$root/.stdin" > "$root/.log" 2>/dev/null &
exec 9> "$root/.stdin"
for _ in $(seq 50); do grep -q READY "$root/.log" && break; sleep 0.1; done
port=$(sed -n 's/^READY //p' "$root/.log")
chroot_bin=$(command -v chroot || echo /usr/sbin/chroot)
in_chroot() {
  env -i AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=check AWS_SECRET_ACCESS_KEY=check \
    AWS_EC2_METADATA_DISABLED=true "$chroot_bin" "$root" /sagemaker-autoscale "$@"
}
in_chroot --version
in_chroot apply --auto-approve --config /seed.toml 2>/dev/null | tail -1
in_chroot plan --detailed-exitcode --config /seed.toml 2>/dev/null | tail -1
echo "static binary OK in an empty chroot: $(stat -c %s "$bin") bytes"
