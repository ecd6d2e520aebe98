#!/usr/bin/env bash
# Creates .venv with the pinned AWS stand-in (moto server + the CBOR front's one dependency).
# Idempotent: does nothing when .venv already has the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/standin/requirements.txt
stamp=.venv/.requirements
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "stand-in ready: $(.venv/bin/python -c 'import moto; print("moto", moto.__version__)')"
