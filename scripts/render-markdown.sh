#!/usr/bin/env bash
# Renders markdown (a PR comment, a job summary) as GitHub shows it, to a PNG to look at:
# GitHub's stylesheet (npm github-markdown-css), GFM by marked, mermaid charts, in Debian's
# headless Chromium. Not part of CI. Usage:
#   scripts/render-markdown.sh COMMENT.md OUT.png [WIDTH] [--dark]
# Needs: Debian's `chromium` and `fonts-noto-color-emoji` (apt-get install chromium
# fonts-noto-color-emoji; without the font the status emoji show as boxes) and npm (installs
# scripts/render/).
# GitHub's alert blocks (> [!WARNING]) are drawn as GitHub draws them by a small rewrite here;
# marked alone shows them as plain quotes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
md=$(realpath "$1"); out=$(realpath -m "$2"); width=${3:-900}
theme=light; [ "${4:-}" = --dark ] && theme=dark
command -v chromium >/dev/null || { echo "error: needs Debian's chromium (apt-get install chromium)" >&2; exit 1; }
mods=$here/render/node_modules
[ -d "$mods/marked" ] || (cd "$here/render" && npm ci --no-audit --no-fund --loglevel=error)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$md" "$tmp/page.html" "$mods" "$theme" <<'PY'
import html, json, sys
md, page, mods, theme = sys.argv[1:5]
text = open(md, encoding="utf-8").read()
css = open(f"{mods}/github-markdown-css/github-markdown-{theme}.css", encoding="utf-8").read()
bg = "#0d1117" if theme == "dark" else "#ffffff"
open(page, "w", encoding="utf-8").write(f"""<!doctype html><html><head><meta charset="utf-8">
<style>{css}
body {{ background: {bg}; margin: 0; }}
.markdown-body {{ box-sizing: border-box; max-width: 980px; padding: 24px; }}
.markdown-alert {{ padding: 8px 16px; margin-bottom: 16px; border-left: .25em solid; }}
.markdown-alert-warning {{ border-color: #9a6700; }} .markdown-alert-caution {{ border-color: #d1242f; }}
.markdown-alert-note {{ border-color: #0969da; }} .markdown-alert-title {{ font-weight: 600; }}
</style>
<script src="file://{mods}/marked/lib/marked.umd.js"></script>
<script src="file://{mods}/mermaid/dist/mermaid.min.js"></script>
</head><body><article class="markdown-body" id="c"></article><script>
const md = {json.dumps(text)};
let h = marked.parse(md, {{gfm: true}});
h = h.replace(/<blockquote>\\s*<p>\\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\\]\\s*/g, (m, k) =>
  `<blockquote class="markdown-alert markdown-alert-${{k.toLowerCase()}}"><p class="markdown-alert-title">${{k[0] + k.slice(1).toLowerCase()}}</p><p>`);
document.getElementById('c').innerHTML = h;
document.querySelectorAll('pre code.language-mermaid').forEach(e => {{
  const d = document.createElement('div'); d.className = 'mermaid'; d.textContent = e.textContent;
  e.parentElement.replaceWith(d); }});
mermaid.initialize({{startOnLoad: false, theme: '{"dark" if theme == "dark" else "default"}'}});
mermaid.run();
</script></body></html>""")
PY
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --allow-file-access-from-files --user-data-dir="$tmp/profile" --hide-scrollbars \
  --virtual-time-budget=3000 --window-size="$width,2400" --screenshot="$out" "file://$tmp/page.html" 2>/dev/null
echo "$out"
