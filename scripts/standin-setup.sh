#!/usr/bin/env bash
# Installs the pinned test stand-ins (idempotent). `scripts/standin-setup.sh aws` installs only
# the AWS one (what the demo needs):
# - .venv: moto server and the CBOR front's one dependency (AWS);
# - tests/standin/github/node_modules: Prism and GitHub's OpenAPI description, trimmed to
#   the operations the action calls (GitHub).
set -euo pipefail
cd "$(dirname "$0")/.."

req=tests/standin/requirements.txt
stamp=.venv/.requirements
if ! { [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; }; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
  echo "AWS stand-in ready: $(.venv/bin/python -c 'import moto; print("moto", moto.__version__)')"
fi

[ "${1:-all}" = aws ] && exit 0

gh=tests/standin/github
lock_stamp=$gh/node_modules/.lock-stamp
if ! { [ -f "$lock_stamp" ] && cmp -s "$gh/package-lock.json" "$lock_stamp"; }; then
  (cd "$gh" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$gh/package-lock.json" "$lock_stamp"
fi
if [ ! -f "$gh/openapi.trimmed.json" ] || [ "$gh/trim_spec.py" -nt "$gh/openapi.trimmed.json" ] || [ "$lock_stamp" -nt "$gh/openapi.trimmed.json" ]; then
  .venv/bin/python "$gh/trim_spec.py" "$gh/node_modules/@octokit/openapi/generated/api.github.com.json" "$gh/openapi.trimmed.json"
fi
