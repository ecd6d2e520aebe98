#!/usr/bin/env bash
# Every comment snapshot (the hand-made ones of each status, and those the action writes against
# the stand-ins) rendered as GitHub shows it at the comment column's 780 px (GitHub's stylesheet,
# headless Chromium, scripts/render-markdown.sh --measure), light and dark: fails, naming the
# element, when anything is wider than the column. CI runs it (.ci/run installs Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "error: needs Debian's chromium (apt-get install chromium)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0 checked=0
for snap in src/github/snapshots/*.snap tests/it/snapshots/it__action__run_*.snap tests/it/snapshots/it__render__*markdown.snap; do
  # The snapshot without insta's header (the first two `---` lines and what they hold).
  awk 'BEGIN{c=0} /^---$/{c++; if(c<=2) next} c>=2' "$snap" > "$tmp/comment.md"
  for theme in light --dark; do
    wide=$(scripts/render-markdown.sh "$tmp/comment.md" --measure 780 "$theme")
    checked=$((checked + 1))
    if [ -n "$wide" ]; then
      echo "$snap ($theme): wider than the 780 px column:"; echo "$wide" | sed 's/^/  /'
      failed=1
    fi
  done
done
echo "comment width: $checked renderings checked at 780 px"
exit $failed
