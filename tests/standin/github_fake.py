"""A small stateful fake of the GitHub REST API paths the action uses. TEST-ONLY.

Paths (as GitHub documents them; responses carry the fields GitHub returns for them):
  GET/POST  /repos/{o}/{r}/issues/{n}/comments       list / create issue (PR) comments
  PATCH     /repos/{o}/{r}/issues/comments/{id}      edit a comment
  GET       /repos/{o}/{r}/commits/{sha}/pulls       pull requests associated with a commit
  GET       /repos/{o}/{r}/contents/{path}?ref=SHA   a file as it was at a commit (base64), or 404
  GET/POST  /repos/{o}/{r}/issues                    list / open issues
  PATCH     /repos/{o}/{r}/issues/{n}                edit / close an issue
  GET       /user                                    403 for an installation token, as GitHub
  POST      /graphql                                 only `viewer { login }`
Control (tests only):
  POST /_fake/pulls   {"repo": "o/r", "sha": "...", "pulls": [{"number": 1, "merged": true}]}
  POST /_fake/comment {"repo": "o/r", "issue": 1, "login": "someone", "body": "..."}
  POST /_fake/file    {"repo": "o/r", "ref": "SHA", "path": "autoscaling.toml", "text": "..."}
  POST /_fake/faults  [{"method": "POST", "path": "regex", "status": 403, "message": "...",
                        "headers": {"Retry-After": "1"}, "times": 1}]
  GET  /_fake/state   comments, issues and every request line received (with bodies)

With --spec FILE (GitHub's OpenAPI description, trimmed), every response object is completed
to the documented schema: required fields the fake does not track get valid placeholder
values, so Prism (in front, with --errors) accepts them and the fields we do set are checked.

Usage: python github_fake.py [PORT] [--exit-with-parent] [--spec FILE]  (prints "READY <port>")
"""

import base64
import json
import os
import re
import sys
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"comments": [], "issues": [], "pulls": {}, "files": {}, "faults": [], "requests": [], "next_id": 1000}
TOKENS = {}  # token -> login; unknown tokens act as the Actions bot
SPEC = None


def _resolve(schema):
    while isinstance(schema, dict) and "$ref" in schema and SPEC is not None:
        node = SPEC
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        schema = node
    return schema or {}


def _pick(schema):
    """One concrete schema out of allOf / anyOf / oneOf (the first non-null option)."""
    schema = _resolve(schema)
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _pick(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_pick(o) for o in schema[key]]
            non_null = [o for o in options if o.get("type") != "null"]
            return (non_null or options)[0]
    return schema


def _placeholder(schema):
    schema = _pick(schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if schema.get("nullable") or kind == "null":
        return None
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return conform({}, schema)
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date-time":
        return now()
    if fmt == "uri":
        return "https://github.com/placeholder"
    if fmt == "email":
        return "placeholder@example.com"
    return "placeholder"


def conform(value, schema):
    """`value` completed with placeholders for the required fields it lacks, recursively."""
    if SPEC is None:
        return value
    schema = _pick(schema)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out = dict(value)
        for name in schema.get("required", []):
            if name not in out:
                out[name] = _placeholder(props.get(name, {}))
        for name, v in list(out.items()):
            if name in props and isinstance(v, (dict, list)):
                out[name] = conform(v, props[name])
        return out
    if isinstance(value, list):
        return [conform(v, schema.get("items", {})) for v in value]
    return value


def shaped(value, component):
    return conform(value, {"$ref": f"#/components/schemas/{component}"})


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login):
    bot = login.endswith("[bot]")
    api = f"https://api.github.com/users/{urllib.parse.quote(login)}"
    return {
        "login": login, "id": 41898282 if bot else 1, "node_id": "MDM6Qm90NDE4OTgyODI=",
        "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "gravatar_id": "",
        "url": api, "html_url": f"https://github.com/apps/{urllib.parse.quote(login)}",
        "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events", "type": "Bot" if bot else "User", "site_admin": False,
    }


def next_id():
    STATE["next_id"] += 1
    return STATE["next_id"]


def comment(repo, issue, login, body, base):
    cid = next_id()
    return {
        "id": cid, "node_id": f"IC_{cid}", "url": f"{base}/repos/{repo}/issues/comments/{cid}",
        "html_url": f"https://github.com/{repo}/pull/{issue}#issuecomment-{cid}", "body": body,
        "user": user(login), "created_at": now(), "updated_at": now(),
        "issue_url": f"{base}/repos/{repo}/issues/{issue}", "author_association": "NONE",
        "performed_via_github_app": None, "_repo": repo, "_issue": issue,
    }


def public(obj):
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def base(self):
        return f"http://{self.headers.get('Host', '127.0.0.1')}"

    def login(self):
        auth = self.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        return TOKENS.get(token, "github-actions[bot]")

    def send(self, status, value, headers=None):
        data = json.dumps(value).encode() if value is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def route(self, method):
        url = urllib.parse.urlparse(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        body = self.body() if method in ("POST", "PATCH") else {}
        with LOCK:
            if not path.startswith("/_fake/"):
                STATE["requests"].append({"method": method, "path": self.path, "body": body,
                                          "authorization": self.headers.get("Authorization", "")})
                for f in STATE["faults"]:
                    if f.get("method", method) == method and re.search(f["path"], path) and f.get("times", 1) > 0:
                        f["times"] = f.get("times", 1) - 1
                        return self.send(f["status"], {"message": f.get("message", "fault"),
                                                       "documentation_url": "https://docs.github.com/rest"},
                                         f.get("headers"))
            return self.dispatch(method, path, query, body)

    def dispatch(self, method, path, query, body):
        base = self.base()
        if path == "/_fake/state":
            return self.send(200, STATE)
        if path == "/_fake/pulls":
            STATE["pulls"][f"{body['repo']}@{body['sha']}"] = body["pulls"]
            return self.send(200, {})
        if path == "/_fake/comment":
            STATE["comments"].append(comment(body["repo"], body["issue"], body["login"], body["body"], base))
            return self.send(200, {})
        if path == "/_fake/file":
            STATE["files"][f"{body['repo']}@{body['ref']}:{body['path']}"] = body["text"]
            return self.send(200, {})
        if path == "/_fake/faults":
            STATE["faults"].extend(body)
            return self.send(200, {})
        if path == "/_fake/token":
            TOKENS[body["token"]] = body["login"]
            return self.send(200, {})
        if path == "/graphql" and method == "POST":
            return self.send(200, {"data": {"viewer": {"login": self.login()}}})
        if path == "/user" and method == "GET":
            login = self.login()
            if login.endswith("[bot]"):
                return self.send(403, {"message": "Resource not accessible by integration",
                                       "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"})
            return self.send(200, shaped(user(login), "private-user"))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        if m:
            repo, issue = m.group(1), int(m.group(2))
            if method == "GET":
                items = [shaped(public(c), "issue-comment") for c in STATE["comments"] if c["_repo"] == repo and c["_issue"] == issue]
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                chunk = items[(page - 1) * per_page: page * per_page]
                headers = {}
                if page * per_page < len(items):
                    headers["Link"] = f'<{base}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
                return self.send(200, chunk, headers)
            c = comment(repo, issue, self.login(), body.get("body", ""), base)
            STATE["comments"].append(c)
            return self.send(201, shaped(public(c), "issue-comment"))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        if m and method == "PATCH":
            for c in STATE["comments"]:
                if c["id"] == int(m.group(2)) and c["_repo"] == m.group(1):
                    c["body"] = body.get("body", c["body"])
                    c["updated_at"] = now()
                    return self.send(200, shaped(public(c), "issue-comment"))
            return self.send(404, {"message": "Not Found"})
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/commits/([0-9a-f]+)/pulls", path)
        if m and method == "GET":
            pulls = STATE["pulls"].get(f"{m.group(1)}@{m.group(2)}", [])
            return self.send(200, [shaped(
                {"number": p["number"], "state": "closed" if p.get("merged") else "open",
                 "merged_at": now() if p.get("merged") else None, "title": f"PR {p['number']}",
                 "html_url": f"https://github.com/{m.group(1)}/pull/{p['number']}",
                 "url": f"https://api.github.com/repos/{m.group(1)}/pulls/{p['number']}", "id": p["number"],
                 "node_id": "PR_kwDO"}, "pull-request-simple")
                for p in pulls])
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/contents/(.+)", path)
        if m and method == "GET":
            repo, file_path = m.group(1), urllib.parse.unquote(m.group(2))
            ref = query.get("ref", ["main"])[0]
            text = STATE["files"].get(f"{repo}@{ref}:{file_path}")
            if text is None:
                return self.send(404, {"message": "Not Found",
                                       "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content",
                                       "status": "404"})
            data = text.encode()
            # GitHub wraps the base64 at 60 characters.
            encoded = base64.b64encode(data).decode()
            content = "\n".join(encoded[i:i + 60] for i in range(0, len(encoded), 60)) + "\n"
            url = f"https://api.github.com/repos/{repo}/contents/{file_path}?ref={ref}"
            return self.send(200, shaped({
                "type": "file", "encoding": "base64", "size": len(data), "name": file_path.rsplit("/", 1)[-1],
                "path": file_path, "content": content, "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
                "url": url, "git_url": None, "html_url": None, "download_url": None,
                "_links": {"self": url, "git": None, "html": None}}, "content-file"))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", path)
        if m:
            repo = m.group(1)
            if method == "GET":
                state = query.get("state", ["open"])[0]
                items = [shaped(public(i), "issue") for i in STATE["issues"] if i["_repo"] == repo and (state == "all" or i["state"] == state)]
                return self.send(200, items)
            number = next_id()
            issue = {"id": number, "node_id": f"I_{number}", "number": number, "title": body.get("title", ""),
                     "body": body.get("body", ""), "state": "open", "user": user(self.login()),
                     "labels": [{"name": n, "id": 1, "node_id": "LA", "url": "https://api.github.com/labels/x", "color": "ededed", "default": False, "description": None} for n in body.get("labels", [])],
                     "html_url": f"https://github.com/{repo}/issues/{number}",
                     "url": f"{base}/repos/{repo}/issues/{number}", "created_at": now(), "updated_at": now(),
                     "_repo": repo}
            STATE["issues"].append(issue)
            return self.send(201, shaped(public(issue), "issue"))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path)
        if m and method == "PATCH":
            for i in STATE["issues"]:
                if i["number"] == int(m.group(2)) and i["_repo"] == m.group(1):
                    for k in ("title", "body", "state"):
                        if k in body:
                            i[k] = body[k]
                    i["updated_at"] = now()
                    return self.send(200, shaped(public(i), "issue"))
            return self.send(404, {"message": "Not Found"})
        return self.send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")


def main():
    global SPEC
    argv = sys.argv[1:]
    if "--spec" in argv:
        i = argv.index("--spec")
        SPEC = json.load(open(argv[i + 1]))
        del argv[i : i + 2]
    args = [a for a in argv if not a.startswith("--")]
    server = ThreadingHTTPServer(("127.0.0.1", int(args[0]) if args else 0), Handler)
    if "--exit-with-parent" in sys.argv:
        def watch():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
