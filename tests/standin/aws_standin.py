"""A local stand-in for AWS: moto's server behind a small WSGI front. TEST-ONLY.

The front does five things moto does not:
1. CloudWatch over Smithy RPC v2 CBOR. The current aws-sdk-cloudwatch speaks it and moto 5.2.5
   answers 404, so requests are decoded, replayed to moto as CloudWatch's JSON protocol, and
   the answers encoded back (errors as {"__type", "message"} with the same status).
2. A record of the AWS operations each scope received: GET /_standin/calls?region=KEY/REGION
   returns ["PutScalingPolicy", ...]. A scope is the access key and the region of a call;
   moto keeps a 12-digit access key's state in its own account, so tests isolate themselves
   by giving each its own key.
3. Scripted faults: POST /_standin/faults with a JSON list of
   {"region", "operation", "status", "code", "message", "skip": K, "times": N,
    "fraction": F, "seed": S, "delay": SECONDS, "drop": true}
   answers the (K+1)th..(K+N)th matching call with that error instead of calling moto;
   with "fraction", each matching call fails with probability F (seeded, reproducible) and
   "times" defaults to unlimited; with "delay" (and no "code") the call is only slowed down;
   with "drop" (and a "code", any) the connection is cut without an answer.
   Page faults, for Application Auto Scaling's Describe calls (no "code"): "page": "repeat"
   answers moto's page but gives back the token the call sent (moto's own
   DescribeScalableTargets does that); "page": "endless" answers an empty page with a new
   token every time, so the listing never ends. "whole": true matches only a call that lists
   the whole namespace (no ResourceId / ResourceIds filter).

4. Two SageMaker scalable dimensions AWS documents and moto 5.2.5 rejects:
   `sagemaker:inference-component:DesiredCopyCount` (resource `inference-component/<name>`)
   and `sagemaker:variant:DesiredProvisionedConcurrency` (serverless variants). moto's
   dimension enum is widened with them at start-up; everything else (storage, pagination,
   validation of the resource type against the dimension) stays moto's own code.

5. AWS rules moto does not keep (tests/standin/aws_rules.py, each with its AWS source):
   scheduled actions that run on a clock, target-tracking alarms, one target-tracking policy
   per metric, stable policy ARNs, step policies listing their alarms, target tags,
   deregistering that cascades, composite-alarm dependencies, pagination that ends and honours
   MaxResults, ObjectNotFoundException for missing objects.
   POST /_standin/clock {"region": "us-east-1", "now": "2026-12-07T08:00:00Z"} moves that
   region's clock and runs the scheduled actions that fall due;
   GET /_standin/clock?region=us-east-1 returns {"now", "ran": [...], "failed": [...]}.

6. Every request checked against AWS's own service models (tests/standin/model_check.py:
   botocore's service-2.json of both services, plus the limits their API references state in
   words): a request AWS would refuse gets AWS's 400 ValidationException (CloudWatch:
   ValidationError) and never reaches moto. Each request is recorded as decoded:
   GET /_standin/requests?region=KEY/REGION returns
   [{"operation", "params", "violations": [...]}, ...] (violations empty when it passed).

Usage: python aws_standin.py [PORT] [--exit-with-parent]
  PORT 0 or absent: any free port; prints "READY <port>" when it listens.
  --exit-with-parent: exit when standard input closes, so a test run that dies leaves no
  server behind.
"""

import datetime
import json
import os
import random
import time
import re
import sys
import threading
import urllib.parse

import cbor2
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

import aws_rules
import model_check

def _accept_documented_sagemaker_dimensions():
    """moto validates dimensions against an Enum in two modules; widen it with the two
    SageMaker dimensions it lacks (see the module docstring, point 4)."""
    from enum import Enum
    from moto.applicationautoscaling import models, responses

    extra = [
        ("SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT", "sagemaker:inference-component:DesiredCopyCount"),
        ("SAGEMAKER_VARIANT_DESIRED_PROVISIONED_CONCURRENCY", "sagemaker:variant:DesiredProvisionedConcurrency"),
    ]
    have = [(m.name, m.value) for m in models.ScalableDimensionValueSet]
    widened = Enum("ScalableDimensionValueSet", have + [e for e in extra if e[1] not in dict(have).values()])
    models.ScalableDimensionValueSet = widened
    responses.ScalableDimensionValueSet = widened


_accept_documented_sagemaker_dimensions()
aws_rules.install()
model_check.warm_up()

CBOR_PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<op>[^/]+)$")
SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/")


def _to_json(value):
    """CBOR-decoded request values -> JSON-protocol values (timestamps as epoch seconds)."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def _to_cbor(value, key=""):
    """JSON answers -> CBOR values; members named *Timestamp or Timestamps (GetMetricData's
    list) become tag 1 (epoch seconds)."""
    if isinstance(value, dict):
        return {k: _to_cbor(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_cbor(v, key) for v in value]
    stamp = key.endswith("Timestamp") or key == "Timestamps"
    if stamp and isinstance(value, (int, float)):
        return cbor2.CBORTag(1, float(value))
    if stamp and isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return cbor2.CBORTag(1, parsed.timestamp())
        except ValueError:
            return value
    return value


class Front:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        # moto's backends, and the rules patched into them, are not safe across threads (a
        # parallel apply iterating alarms while another thread adds target-tracking alarms):
        # one request at a time reaches them. Faults and delays happen outside it.
        self.moto = threading.Lock()
        self.calls = {}
        self.faults = []
        # scope -> [{"operation", "params", "violations"}]: every request as decoded (point 6)
        self.requests = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_standin/"):
            return self.control(environ, start_response, path)
        op, cbor_service = self.operation(environ, path)
        region = self.region(environ)
        if op:
            with self.lock:
                self.calls.setdefault(region, []).append(op)
            request = self.json_request(environ) if cbor_service is None else {}
            fault = self.take_fault(region, op, request)
            if fault and fault.get("drop"):
                return self.drop(environ, start_response)
            if fault and fault.get("page"):
                return self.page(environ, start_response, fault, op, request)
            if fault:
                return self.fail(start_response, fault, cbor_service is not None)
        if cbor_service:
            return self.cbor(environ, start_response, cbor_service, op, region)
        if op:
            refused = self.check_json(environ, region, op)
            if refused:
                return self.fail(start_response, refused, False)
        with self.moto:
            return list(self.app(environ, start_response))

    @staticmethod
    def operation(environ, path):
        m = CBOR_PATH.match(path)
        if m and environ.get("REQUEST_METHOD") == "POST":
            return m.group("op"), m.group("service")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if "." in target:
            return target.rsplit(".", 1)[1], None
        return None, None

    @staticmethod
    def region(environ):
        """The scope of a call, `ACCESS_KEY/region`. moto 5.2.5 keeps one account for every key
        (measured: a 12-digit key does not get its own account in server mode), so tests also
        keep to a region of their own."""
        m = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        return f"{m.group('key')}/{m.group('region')}" if m else "unknown"

    @staticmethod
    def json_request(environ):
        """The body of a JSON-protocol call, parsed; the body stays readable for moto."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = _Body(raw)
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {}

    def take_fault(self, region, op, request):
        delay = 0.0
        chosen = None
        with self.lock:
            for f in self.faults:
                if f.get("operation") not in (None, op) or f.get("region") not in (None, region):
                    continue
                if f.get("whole") and (request.get("ResourceId") or request.get("ResourceIds")):
                    continue
                if f.get("skip", 0) > 0:
                    f["skip"] -= 1
                    continue
                default_times = 10**9 if "fraction" in f else 1
                if f.get("times", default_times) <= 0:
                    continue
                if "fraction" in f:
                    rng = f.setdefault("_rng", random.Random(f.get("seed", 0)))
                    if rng.random() >= f["fraction"]:
                        continue
                f["times"] = f.get("times", default_times) - 1
                f["hits"] = f.get("hits", 0) + 1
                if f.get("page"):
                    chosen = f
                    break
                if "code" not in f:
                    delay = max(delay, f.get("delay", 0))
                    continue
                chosen = f
                break
        if delay:
            time.sleep(delay)
        return chosen

    # The list each paged Application Auto Scaling Describe call answers with.
    PAGED = {"DescribeScalableTargets": "ScalableTargets", "DescribeScalingPolicies": "ScalingPolicies",
             "DescribeScheduledActions": "ScheduledActions"}

    def page(self, environ, start_response, fault, op, request):
        """A page fault (module docstring, point 3): a listing whose token repeats or never ends."""
        if fault["page"] == "endless":
            answer = {self.PAGED[op]: [], "NextToken": f"standin-endless-{fault['hits']}"}
        else:
            captured = {}

            def capture(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers

            with self.moto:
                body = b"".join(self.app(environ, capture))
            if not captured["status"].startswith("200"):
                start_response(captured["status"], captured["headers"])
                return [body]
            answer = json.loads(body)
            answer["NextToken"] = request.get("NextToken") or answer.get("NextToken")
        data = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def drop(environ, start_response):
        """Cut the connection without an answer, as a broken network would."""
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            import socket
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        start_response("500 Dropped", [("Content-Length", "0")])
        return [b""]

    @staticmethod
    def fail(start_response, fault, cbor):
        body = {"__type": fault.get("code", "InternalFailure"), "message": fault.get("message", "injected fault")}
        status = f"{fault.get('status', 500)} {fault.get('reason', 'Injected')}"
        if cbor:
            data = cbor2.dumps(body)
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        else:
            data = json.dumps(body).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", body["__type"])]
        start_response(status, headers + [("Content-Length", str(len(data)))])
        return [data]

    def cbor(self, environ, start_response, service, op, region):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        payload = _to_json(cbor2.loads(raw)) if raw else {}
        refused = self.check_model(region, service, op, payload)
        if refused:
            return self.fail(start_response, refused, True)
        data = json.dumps(payload).encode()
        inner = dict(environ)
        inner["PATH_INFO"] = "/"
        inner["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        inner["CONTENT_LENGTH"] = str(len(data))
        inner["HTTP_X_AMZ_TARGET"] = f"{service}.{op}"
        inner["wsgi.input"] = _Body(data)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers

        with self.moto:
            body = b"".join(self.app(inner, capture))
        status = captured.get("status", "500 Internal Server Error")
        try:
            answer = json.loads(body) if body.strip() else {}
        except ValueError:
            answer = {"__type": "InternalFailure", "message": body.decode(errors="replace")[:500]}
        if isinstance(answer, dict) and "__type" in answer:
            code = str(answer["__type"]).split("#")[-1]
            answer = {"__type": code, "message": answer.get("message") or answer.get("Message", "")}
        out = cbor2.dumps(_to_cbor(answer))
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), ("Content-Length", str(len(out)))]
        start_response(status, headers)
        return [out]

    def check_json(self, environ, region, op):
        """Reads a JSON-protocol body (and puts it back for moto), then `check_model`."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = _Body(raw)
        try:
            params = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return None
        service = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[0]
        return self.check_model(region, service, op, params)

    def check_model(self, region, service, op, params):
        """Records the request and checks it against AWS's service model and documented limits
        (model_check.py); a violation is answered as AWS answers it, as a fault without moto."""
        found = model_check.violations(service, op, params)
        with self.lock:
            self.requests.setdefault(region, []).append({"operation": op, "params": params, "violations": found})
        if not found:
            return None
        code, message = model_check.error(service, found)
        return {"status": 400, "reason": "Bad Request", "code": code, "message": message}

    def control(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if path == "/_standin/calls" and method == "GET":
            region = query.get("region", [None])[0]
            with self.lock:
                result = self.calls.get(region, []) if region else self.calls
            return self.reply(start_response, result)
        if path == "/_standin/requests" and method == "GET":
            region = query.get("region", [None])[0]
            with self.lock:
                result = self.requests.get(region, []) if region else self.requests
            return self.reply(start_response, result)
        if path == "/_standin/faults" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            faults = json.loads(environ["wsgi.input"].read(length) or b"[]")
            with self.lock:
                self.faults.extend(faults)
            return self.reply(start_response, {"queued": len(faults)})
        if path == "/_standin/faults" and method == "GET":
            with self.lock:
                result = [{k: v for k, v in f.items() if not k.startswith("_")} for f in self.faults]
            return self.reply(start_response, result)
        if path == "/_standin/faults" and method == "DELETE":
            region = query.get("region", [None])[0]
            with self.lock:
                self.faults = [f for f in self.faults if region is not None and f.get("region") != region]
            return self.reply(start_response, {"cleared": True})
        if path == "/_standin/clock" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            try:
                with self.moto:
                    ran = aws_rules.set_clock(body["region"], body["now"])
                return self.reply(start_response, ran)
            except (KeyError, ValueError) as err:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [f"clock: {err!r}; expected {{'region': ..., 'now': '2026-12-07T08:00:00Z'}}".encode()]
        if path == "/_standin/clock" and method == "GET":
            with self.moto:
                state = aws_rules.clock_state(query.get("region", [""])[0])
            return self.reply(start_response, state)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"unknown stand-in control path"]

    @staticmethod
    def reply(start_response, value):
        data = json.dumps(value).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


class _Body:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = len(self.data) - self.pos
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk

    def readline(self, *args):
        return self.read()


def _exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    port = int(args[0]) if args else 0
    if "--exit-with-parent" in sys.argv:
        threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    app = Front(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
