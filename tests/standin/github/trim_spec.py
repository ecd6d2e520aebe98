"""Cut GitHub's OpenAPI description down to the operations the action calls (and everything
they reference), so Prism starts in about a second instead of eight. TEST-ONLY.

Usage: python trim_spec.py SOURCE.json OUT.json
"""

import json
import sys

# (path, method) pairs the action uses.
OPERATIONS = [
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch"),
    ("/repos/{owner}/{repo}/commits/{commit_sha}/pulls", "get"),
    ("/repos/{owner}/{repo}/contents/{path}", "get"),
    ("/repos/{owner}/{repo}/issues", "get"),
    ("/repos/{owner}/{repo}/issues", "post"),
    ("/repos/{owner}/{repo}/issues/{issue_number}", "patch"),
    ("/user", "get"),
]


def refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            out.add(ref)
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def resolve(spec, ref):
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def main():
    source, out = sys.argv[1], sys.argv[2]
    spec = json.load(open(source))
    paths = {}
    for path, method in OPERATIONS:
        paths.setdefault(path, {})[method] = spec["paths"][path][method]
        if "parameters" in spec["paths"][path]:
            paths[path]["parameters"] = spec["paths"][path]["parameters"]
    seen, todo = set(), set()
    refs(paths, todo)
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        refs(resolve(spec, ref), todo)
    components = {}
    for ref in sorted(seen):
        _, _, section, name = ref.split("/", 3)
        components.setdefault(section, {})[name] = resolve(spec, ref)
    trimmed = {k: v for k, v in spec.items() if k not in ("paths", "components", "x-webhooks", "webhooks")}
    trimmed["paths"] = paths
    trimmed["components"] = components
    json.dump(trimmed, open(out, "w"))
    print(f"kept {len(OPERATIONS)} operations and {len(seen)} components")


if __name__ == "__main__":
    main()
