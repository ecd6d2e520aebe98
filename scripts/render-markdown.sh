#!/usr/bin/env bash
# Renders markdown (a PR comment, a job summary) as GitHub shows it, to a PNG to look at:
# GitHub's stylesheet (npm github-markdown-css), GFM by marked, mermaid charts, in Debian's
# headless Chromium. Usage:
#   scripts/render-markdown.sh COMMENT.md OUT.png [WIDTH] [--dark]
#   scripts/render-markdown.sh COMMENT.md --measure [WIDTH]
# --measure prints every element wider than the column (a table that would scroll sideways, a
# code span that does not wrap), one per line, and nothing when all fit: what
# scripts/check-comment-width.sh runs in CI.
# Needs: Debian's `chromium` and `fonts-noto-color-emoji` (apt-get install chromium
# fonts-noto-color-emoji; without the font the status emoji show as boxes) and npm (installs
# scripts/render/).
# GitHub's alert blocks (> [!WARNING]) are drawn as GitHub draws them by a small rewrite here;
# marked alone shows them as plain quotes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
md=$(realpath "$1"); width=${3:-900}
measure=false; out=
if [ "$2" = --measure ]; then measure=true; else out=$(realpath -m "$2"); fi
theme=light; [ "${4:-}" = --dark ] && theme=dark
command -v chromium >/dev/null || { echo "error: needs Debian's chromium (apt-get install chromium)" >&2; exit 1; }
mods=$here/render/node_modules
# npm says what it installed on stdout: keep it out of what --measure prints.
[ -d "$mods/marked" ] || (cd "$here/render" && npm ci --no-audit --no-fund --loglevel=error) >&2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$md" "$tmp/page.html" "$mods" "$theme" "$measure" <<'PY'
import html, json, sys
md, page, mods, theme, measure = sys.argv[1:6]
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
if ({json.dumps(measure == "true")}) {{
  // Wider than the column: an element reaching past the article's content box, or one that
  // scrolls sideways (GitHub's tables scroll instead of overflowing).
  const box = document.getElementById('c');
  const right = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).paddingRight) + 1;
  const wide = [];
  box.querySelectorAll('*').forEach(e => {{
    const r = e.getBoundingClientRect();
    if (e.closest('.mermaid')) return;
    if (r.right > right || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
      wide.push(`${{e.tagName.toLowerCase()}} ${{Math.round(r.width)}}px: ${{e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 80)}}`);
  }});
  const out = document.createElement('pre'); out.id = 'overflow'; out.textContent = wide.join('\\n');
  document.body.appendChild(out);
}}
</script></body></html>""")
PY
if $measure; then
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --allow-file-access-from-files --user-data-dir="$tmp/profile" --hide-scrollbars \
    --virtual-time-budget=3000 --window-size="$width,2400" --dump-dom "file://$tmp/page.html" 2>/dev/null |
    python3 -c 'import html, re, sys; m = re.search(r"<pre id=\"overflow\">(.*?)</pre>", sys.stdin.read(), re.S); print(html.unescape(m.group(1)) if m else "error: the page did not render")' |
    sed '/^$/d'
  exit 0
fi
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --allow-file-access-from-files --user-data-dir="$tmp/profile" --hide-scrollbars \
  --virtual-time-budget=3000 --window-size="$width,2400" --screenshot="$out" "file://$tmp/page.html" 2>/dev/null
echo "$out"
