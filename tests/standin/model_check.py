"""Every request checked against AWS's own service models, as AWS checks it. TEST-ONLY.

moto validates almost nothing, so a request AWS refuses used to pass here. This module reads
botocore's `service-2.json` of Application Auto Scaling (2016-02-06) and CloudWatch
(2010-08-01) from the installed botocore (the version is in `MODEL_SOURCE`) and checks a
request's decoded parameters the way AWS's front door does: required members, string
min/max length, `pattern` (a Java regex, translated below), enum, numeric min/max, list and map
min/max, nested structures, lists and maps. A violation is answered like AWS: HTTP 400,
`ValidationException` (Application Auto Scaling) or `ValidationError` (CloudWatch), with the
message "N validation error(s) detected: Value ... at 'path' failed to satisfy constraint:
Member must ...".

Some limits are stated in the API reference's words only, not in the model; `WORD_RULES` holds
them, each citing its page. They include the CloudWatch alarm that Application Auto Scaling
creates for a target-tracking policy (its metric is checked with CloudWatch's rules).

Patterns are full matches (`Matcher.matches()`, how AWS's Java validators apply them: the
model's `[\\u0020-...]*` would otherwise accept anything) and are compiled once per shape.
"""

import functools
import gzip
import json
import math
import os
import re
import unicodedata

import botocore

_DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
_MODELS = {
    # X-Amz-Target prefix (and the CBOR path's service) -> (service folder, API version)
    "AnyScaleFrontendService": ("application-autoscaling", "2016-02-06"),
    "GraniteServiceVersion20100801": ("cloudwatch", "2010-08-01"),
}
MODEL_SOURCE = f"botocore {botocore.__version__}: " + ", ".join(
    f"data/{svc}/{version}/service-2.json" for svc, version in _MODELS.values())

# Enum values AWS may add after the models were built. The integration tests play "a metric type
# newer than the tool" with this one (tests/it/faithful.rs, action.rs), so the stand-in takes it
# as AWS would take a type it has.
FUTURE_ENUM_VALUES = {"MetricType": {"SageMakerVariantTokensPerSecondPerInstance"}}

# Java's line terminators: `.` does not match them, `$` matches before a final one
# (java.util.regex.Pattern, "Line terminators").
_LINE_TERMINATORS = "\n\r\u0085\u2028\u2029"
_JAVA_DOT = f"[^{_LINE_TERMINATORS}]"
_JAVA_END = f"(?=(?:\r\n|[{_LINE_TERMINATORS}])?\\Z)"
# Java's POSIX classes are ASCII-only unless UNICODE_CHARACTER_CLASS is set.
_POSIX = {"Print": " -~", "Graph": "!-~", "Alnum": "0-9A-Za-z", "Alpha": "A-Za-z", "Digit": "0-9",
          "Upper": "A-Z", "Lower": "a-z", "Punct": "!-/:-@\\[-`{-~", "Space": " \\t\\n\\x0b\\f\\r",
          "ASCII": "\\x00-\\x7f", "Cntrl": "\\x00-\\x1f\\x7f"}


@functools.lru_cache(maxsize=None)
def _category_class(category):
    """The characters of a Unicode general category (`L`, `Zs`, ...) as class ranges."""
    out, start, prev = [], None, None
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ok = unicodedata.category(chr(cp)).startswith(category)
        if ok and start is None:
            start = cp
        if not ok and start is not None:
            out.append((start, prev))
            start = None
        if ok:
            prev = cp
    if start is not None:
        out.append((start, prev))
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in out)


def _escape(cp):
    return f"\\U{cp:08x}"


def java_regex(pattern):
    """A Java regex as an equivalent Python one (for the constructs the two models use).

    UTF-16 surrogate pairs (`\\uD800\\uDC00`) become the code point they encode, so
    `\\uD800\\uDC00-\\uDBFF\\uDFFF` is U+10000..U+10FFFF; `.` excludes Java's line terminators
    and `$` matches where Java's does; `\\p{Print}` and the other POSIX classes are ASCII;
    `\\p{L}` and the other general categories come from unicodedata.
    """
    out, i, in_class = [], 0, False
    hex4 = re.compile(r"\\u([0-9a-fA-F]{4})")
    while i < len(pattern):
        c = pattern[i]
        m = hex4.match(pattern, i)
        if m:
            cp = int(m.group(1), 16)
            low = hex4.match(pattern, m.end())
            if 0xD800 <= cp <= 0xDBFF and low and 0xDC00 <= int(low.group(1), 16) <= 0xDFFF:
                cp = 0x10000 + ((cp - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
                i = low.end()
            else:
                i = m.end()
            out.append(_escape(cp))
            continue
        if pattern.startswith("\\p{", i):
            end = pattern.index("}", i)
            name = pattern[i + 3:end]
            body = _POSIX[name] if name in _POSIX else _category_class(name)
            out.append(body if in_class else f"[{body}]")
            i = end + 1
            continue
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "&" and pattern.startswith("&&", i):
                raise ValueError(f"class intersection is not translated: {pattern}")
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
        elif c == ".":
            out.append(_JAVA_DOT)
        elif c == "$":
            out.append(_JAVA_END)
        else:
            out.append(c)
        i += 1
    # re.ASCII: Java's \d, \w, \s are ASCII too.
    return re.compile("".join(out), re.ASCII | re.DOTALL)


class Model:
    """One service's shapes, with each pattern compiled the first time it is used."""

    def __init__(self, service, version):
        path = os.path.join(_DATA, service, version, "service-2.json")
        opener = gzip.open if not os.path.exists(path) else open
        with opener(path if os.path.exists(path) else path + ".gz", "rt", encoding="utf-8") as f:
            self.doc = json.load(f)
        self.shapes = self.doc["shapes"]
        self.patterns = {}

    def input_shape(self, operation):
        op = self.doc["operations"].get(operation)
        return op and op.get("input", {}).get("shape")

    def pattern(self, name):
        if name not in self.patterns:
            self.patterns[name] = java_regex(self.shapes[name]["pattern"])
        return self.patterns[name]


@functools.lru_cache(maxsize=None)
def model(prefix):
    return Model(*_MODELS[prefix])


def _show(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _violation(value, path, constraint):
    return f"Value {'null' if value is None else repr(_show(value))} at '{path}' failed to satisfy constraint: {constraint}"


def _member_path(parent, name):
    name = name[:1].lower() + name[1:]
    return f"{parent}.{name}" if parent else name


def check_shape(m, shape_name, value, path, out):
    """Appends to `out` what AWS's validation says about `value` as a `shape_name`."""
    shape = m.shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(_violation(value, path, "Member must be a structure"))
            return
        for req in shape.get("required", []):
            if value.get(req) is None:
                out.append(_violation(None, _member_path(path, req), "Member must not be null"))
        for name, member in shape.get("members", {}).items():
            if value.get(name) is not None:
                check_shape(m, member["shape"], value[name], _member_path(path, name), out)
    elif kind == "list":
        if not isinstance(value, list):
            out.append(_violation(value, path, "Member must be a list"))
            return
        _length(shape, value, len(value), path, out)
        for i, item in enumerate(value, 1):
            if item is None:
                out.append(_violation(None, f"{path}.{i}.member", "Member must not be null"))
            else:
                check_shape(m, shape["member"]["shape"], item, f"{path}.{i}.member", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(_violation(value, path, "Member must be a map"))
            return
        _length(shape, value, len(value), path, out)
        for key, item in value.items():
            keys = []
            check_shape(m, shape["key"]["shape"], key, path, keys)
            if keys:
                out.append(_violation(key, path, "Map keys must satisfy constraint: ["
                                      + ", ".join(k.split("constraint: ", 1)[1] for k in keys) + "]"))
            check_shape(m, shape["value"]["shape"], item, f"{path}.{key}", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(_violation(value, path, "Member must be a string"))
            return
        # AWS counts UTF-16 code units (Java String.length()).
        _length(shape, value, len(value.encode("utf-16-le")) // 2, path, out)
        if "enum" in shape and value not in shape["enum"] and value not in FUTURE_ENUM_VALUES.get(shape_name, ()):
            out.append(_violation(value, path, f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]"))
        if "pattern" in shape and not m.pattern(shape_name).fullmatch(value):
            out.append(_violation(value, path, f"Member must satisfy regular expression pattern: {shape['pattern']}"))
    elif kind in ("integer", "long"):
        bits = 31 if kind == "integer" else 63
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**bits) <= value < 2**bits:
            out.append(_violation(value, path, f"Member must be a {kind}"))
            return
        _range(shape, value, path, out)
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            out.append(_violation(value, path, f"Member must be a finite {kind}"))
            return
        _range(shape, value, path, out)
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(_violation(value, path, "Member must be a boolean"))
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            out.append(_violation(value, path, "Member must be a timestamp"))


def _length(shape, value, n, path, out):
    if "min" in shape and n < shape["min"]:
        out.append(_violation(value, path, f"Member must have length greater than or equal to {shape['min']}"))
    if "max" in shape and n > shape["max"]:
        out.append(_violation(value, path, f"Member must have length less than or equal to {shape['max']}"))


def _range(shape, value, path, out):
    if "min" in shape and value < shape["min"]:
        out.append(_violation(value, path, f"Member must have value greater than or equal to {shape['min']}"))
    if "max" in shape and value > shape["max"]:
        out.append(_violation(value, path, f"Member must have value less than or equal to {shape['max']}"))


# ---------------------------------------------------------------------------------------------
# Limits the API references state in words only. One function per page; each returns
# violations in the same form as the model's.
# ---------------------------------------------------------------------------------------------

CW_API = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference"
AAS_API = "https://docs.aws.amazon.com/autoscaling/application/APIReference"


def cloudwatch_dimension(dim, path):
    """CloudWatch API_Dimension.html: "Dimension names must contain only ASCII characters, must
    include at least one non-whitespace character, and cannot start with a colon (:). ASCII
    control characters are not supported as part of dimension names." Values the same, without
    the colon rule."""
    out = []
    for key, colon in (("Name", True), ("Value", False)):
        text = dim.get(key)
        if not isinstance(text, str):
            continue
        where = _member_path(path, key)
        if not text.isascii():
            out.append(_violation(text, where, "Member must contain only ASCII characters"))
        if not text.strip():
            out.append(_violation(text, where, "Member must include at least one non-whitespace character"))
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
            out.append(_violation(text, where, "Member must not contain ASCII control characters"))
        if colon and text.startswith(":"):
            out.append(_violation(text, where, "Member must not start with a colon (:)"))
    return out


# CloudWatch service quotas (cloudwatch_limits.html): "Alarms based on metric math expressions
# can have up to 10 metrics"; alarm-limits.html: "can reference a maximum of 10 metrics. This is
# a hard limit". Neither page limits the number of expressions.
MAX_ALARM_METRICS = 10


def cloudwatch_metric_alarm(params, path=""):
    """PutMetricAlarm's words: AlarmName "must contain only UTF-8 characters, and can't contain
    ASCII control characters" (API_PutMetricAlarm.html); every dimension by API_Dimension; at
    most 10 metrics in a metric math alarm (cloudwatch_limits.html)."""
    out = []
    name = params.get("AlarmName")
    if isinstance(name, str) and any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        out.append(_violation(name, _member_path(path, "AlarmName"), "Member must not contain ASCII control characters"))
    for i, dim in enumerate(params.get("Dimensions") or [], 1):
        out += cloudwatch_dimension(dim, f"{_member_path(path, 'Dimensions')}.{i}.member")
    queries = params.get("Metrics") or []
    for i, q in enumerate(queries, 1):
        metric = ((q or {}).get("MetricStat") or {}).get("Metric") or {}
        for j, dim in enumerate(metric.get("Dimensions") or [], 1):
            out += cloudwatch_dimension(dim, f"{_member_path(path, 'Metrics')}.{i}.member.metricStat.metric.dimensions.{j}.member")
    metrics = sum(1 for q in queries if (q or {}).get("MetricStat"))
    if metrics > MAX_ALARM_METRICS:
        out.append(_violation(metrics, _member_path(path, "Metrics"),
                              f"An alarm based on metric math can have up to {MAX_ALARM_METRICS} metrics"))
    return out


# AAS API_TargetTrackingScalingPolicyConfiguration.html, TargetValue: "Values must be in the
# range of -2^360 to 2^360."
TARGET_LIMIT = 2.0 ** 360


def target_tracking_alarm(config):
    """The CloudWatch alarm AAS creates for a target-tracking policy on a customized metric
    ("Application Auto Scaling creates and manages the CloudWatch alarms that trigger the
    scaling policy", user guide application-auto-scaling-target-tracking.html) takes the
    metric as PutMetricAlarm would: CloudWatch's Namespace pattern and length, its
    Dimension rules, at most 10 metrics. Returned as PutMetricAlarm parameters."""
    custom = config.get("CustomizedMetricSpecification")
    if not isinstance(custom, dict):
        return None
    if custom.get("Metrics"):
        queries = []
        for q in custom["Metrics"]:
            q = dict(q or {})
            stat = q.get("MetricStat")
            if isinstance(stat, dict):
                q["MetricStat"] = {"Metric": stat.get("Metric") or {}, "Period": 60, "Stat": stat.get("Stat", "Average")}
            queries.append({k: v for k, v in q.items() if k in ("Id", "MetricStat", "Expression", "ReturnData")})
        return {"AlarmName": "TargetTracking", "Metrics": queries}
    alarm = {"AlarmName": "TargetTracking", "MetricName": custom.get("MetricName"),
             "Namespace": custom.get("Namespace"), "Dimensions": custom.get("Dimensions") or []}
    return {k: v for k, v in alarm.items() if v is not None}


def put_scaling_policy(params):
    out = []
    config = params.get("TargetTrackingScalingPolicyConfiguration")
    if not isinstance(config, dict):
        return out
    target = config.get("TargetValue")
    if isinstance(target, (int, float)) and not isinstance(target, bool) and abs(target) > TARGET_LIMIT:
        out.append(_violation(target, "targetTrackingScalingPolicyConfiguration.targetValue",
                              "Member must be in the range of -2^360 to 2^360"))
    alarm = target_tracking_alarm(config)
    if alarm is not None:
        path = "targetTrackingScalingPolicyConfiguration.customizedMetricSpecification"
        cw = model("GraniteServiceVersion20100801")
        found = []
        for key in ("MetricName", "Namespace"):
            if key in alarm:
                check_shape(cw, cw.shapes["PutMetricAlarmInput"]["members"][key]["shape"], alarm[key],
                            _member_path(path, key), found)
        for i, q in enumerate(alarm.get("Metrics") or [], 1):
            metric = (q.get("MetricStat") or {}).get("Metric")
            if isinstance(metric, dict):
                check_shape(cw, "Metric", metric, f"{path}.metrics.{i}.member.metricStat.metric", found)
        found += cloudwatch_metric_alarm(alarm, path)
        out += [f"{v} (in the CloudWatch alarm Application Auto Scaling creates)" for v in found]
    return out


# The EventBridge cron reference that the AAS user guide points to
# (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
# Day-of-week takes `, - * ? L #`, not `/`.
_CRON = re.compile(r"^\s*cron\((.*)\)\s*$")


def put_scheduled_action(params):
    schedule = params.get("Schedule")
    m = _CRON.match(schedule) if isinstance(schedule, str) else None
    fields = m.group(1).split() if m else []
    if len(fields) == 6 and "/" in fields[4]:
        return [_violation(schedule, "schedule", "the day-of-week field of a cron expression takes , - * ? L # (not /)")]
    return []


WORD_RULES = {
    ("AnyScaleFrontendService", "PutScalingPolicy"): put_scaling_policy,
    ("AnyScaleFrontendService", "PutScheduledAction"): put_scheduled_action,
    ("GraniteServiceVersion20100801", "PutMetricAlarm"): cloudwatch_metric_alarm,
}


def violations(prefix, operation, params):
    """Everything AWS's validation would say about this request; [] when it passes."""
    if prefix not in _MODELS:
        return []
    m = model(prefix)
    shape = m.input_shape(operation)
    out = []
    if shape:
        check_shape(m, shape, params if params is not None else {}, "", out)
    rule = WORD_RULES.get((prefix, operation))
    if rule:
        out += rule(params or {})
    return out


def error(prefix, found):
    """(code, message) of AWS's answer to a request with these violations."""
    code = "ValidationError" if prefix == "GraniteServiceVersion20100801" else "ValidationException"
    n = len(found)
    return code, f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(found)


def warm_up():
    """Loads both models and compiles the patterns of every operation's input, so the first
    request does not pay for it (general-category classes are built only when used)."""
    for prefix in _MODELS:
        m = model(prefix)
        for name, shape in m.shapes.items():
            if "pattern" in shape and "\\p{" not in shape["pattern"].replace("\\p{Print}", ""):
                m.pattern(name)
