"""AWS rules moto 5.2.5 does not keep, patched into moto's own classes. TEST-ONLY.

`install()` patches moto's backend models (and, where the rule is about a request or a
response, its responses layer), so every rule holds for every protocol the front replays
(awsJson1.1 for Application Auto Scaling; JSON, query and, through the front, CBOR for
CloudWatch). One function per rule; each names its AWS source. "AAS" below is Application
Auto Scaling: API reference https://docs.aws.amazon.com/autoscaling/application/APIReference/
and user guide https://docs.aws.amazon.com/autoscaling/application/userguide/.

The clock (rule 1) is driven by the front's control path /_standin/clock: `set_clock(region,
now)` runs the scheduled actions that fall due, `clock_state(region)` reports what ran.
"""

import calendar
import datetime
import json
import re
import threading
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from moto.applicationautoscaling import models as aas
from moto.applicationautoscaling import responses as aas_responses
from moto.cloudwatch import exceptions as cw_exceptions
from moto.cloudwatch import models as cw
from moto.cloudwatch import responses as cw_responses
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

TT = "TargetTrackingScaling"
STEP = "StepScaling"


class AasError(JsonRESTError):
    """An Application Auto Scaling error: status 400, body {"__type", "message"}."""


def validation(message):
    return AasError("ValidationException", message)


def not_found(message):
    return AasError("ObjectNotFoundException", message)


def _limit_message(value, name, low, high):
    bound = f"less than or equal to {high}" if value > high else f"greater than or equal to {low}"
    return f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must have value {bound}"


def _page(items, token, max_results, name, high, default, error=validation):
    """One page of `items` and the next token (None on the last page). The token is an offset."""
    if max_results is not None and not 1 <= int(max_results) <= high:
        raise error(_limit_message(int(max_results), name, 1, high))
    try:
        start = int(token) if token else 0
    except ValueError:
        raise error("Invalid NextToken") from None
    end = start + int(max_results or default)
    return items[start:end], (str(end) if end < len(items) else None)


def _cloudwatch(account_id, region):
    return cw.cloudwatch_backends[account_id][region]


def _same_target(obj, namespace, resource_id, dimension):
    return (obj.service_namespace, obj.resource_id, obj.scalable_dimension) == (namespace, resource_id, dimension)


# ---------------------------------------------------------------------------------------------
# Rule 1: scheduled actions run on a clock the tests set per region.
# ---------------------------------------------------------------------------------------------

_CLOCK_LOCK = threading.Lock()
_CLOCKS = {}  # region -> {"now": epoch or None, "ran": [...], "failed": [...]}
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}


def _epoch(value):
    """Request timestamps as moto keeps them (epoch seconds, or ISO text) -> epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.timestamp()


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cron_values(text, low, high, names=None):
    """One cron field (`,` `-` `*` `?` `/`, names) -> the set of values it allows."""
    def value(v):
        return names[v] if names and v in names else int(v)

    values = set()
    for part in text.upper().split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            first, last = low, high
        elif "-" in base:
            first, last = (value(v) for v in base.split("-", 1))
        else:
            first = value(base)
            last = high if step else first
        if not (low <= first <= high and low <= last <= high):
            raise ValueError(f"cron value out of range in {text!r}")
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _day_of_month_matcher(text):
    """Day-of-month: values, L (last day), LW (last weekday), nW (weekday nearest day n)."""
    text = text.upper()
    if text in ("*", "?"):
        return lambda day: True

    def nearest_weekday(day, n):
        last = calendar.monthrange(day.year, day.month)[1]
        target = day.replace(day=min(n, last))
        if target.weekday() == 5:  # Saturday -> Friday, or Monday when that leaves the month
            target = target - datetime.timedelta(days=1) if target.day > 1 else target + datetime.timedelta(days=2)
        elif target.weekday() == 6:  # Sunday -> Monday, or Friday when that leaves the month
            target = target + datetime.timedelta(days=1) if target.day < last else target - datetime.timedelta(days=2)
        return target.day

    def last_weekday(day):
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        while last.weekday() > 4:
            last -= datetime.timedelta(days=1)
        return last.day

    if text == "L":
        return lambda day: day.day == calendar.monthrange(day.year, day.month)[1]
    if text == "LW":
        return lambda day: day.day == last_weekday(day)
    if text.endswith("W"):
        n = int(text[:-1])
        return lambda day: day.day == nearest_weekday(day, n)
    allowed = _cron_values(text, 1, 31)
    return lambda day: day.day in allowed


def _aws_weekday(day):
    """AWS numbers days of week 1 (SUN) .. 7 (SAT)."""
    return (day.weekday() + 1) % 7 + 1


def _day_of_week_matcher(text):
    """Day-of-week (1=SUN): values, names, L (SAT), nL (last weekday n of the month), n#k."""
    text = text.upper()
    if text in ("*", "?"):
        return lambda day: True
    if text == "L":
        return lambda day: _aws_weekday(day) == 7
    if "#" in text:
        weekday, nth = text.split("#")
        want = _DAYS.get(weekday) or int(weekday)
        return lambda day: _aws_weekday(day) == want and (day.day - 1) // 7 + 1 == int(nth)
    if text.endswith("L"):
        want = _DAYS.get(text[:-1]) or int(text[:-1])
        return lambda day: _aws_weekday(day) == want and day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    allowed = _cron_values(text, 1, 7, _DAYS)
    return lambda day: _aws_weekday(day) in allowed


def _cron_latest(expression, zone, low, high):
    """The latest firing of `cron(Min Hour DoM Month DoW Year)` in (low, high], epoch seconds.

    Fields are read in `zone` (daylight saving included): AAS user guide,
    https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
    ("[Minutes] [Hours] [Day_of_Month] [Month] [Day_of_Week] [Year]", syntax as the EventBridge
    cron reference https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
    """
    fields = expression.split()
    if len(fields) != 6:
        raise ValueError(f"cron needs 6 fields, got {len(fields)}: {expression!r}")
    minutes = sorted(_cron_values(fields[0], 0, 59), reverse=True)
    hours = sorted(_cron_values(fields[1], 0, 23), reverse=True)
    day_ok = _day_of_month_matcher(fields[2])
    months = _cron_values(fields[3], 1, 12, _MONTHS)
    weekday_ok = _day_of_week_matcher(fields[4])
    years = _cron_values(fields[5], 1970, 2199)
    day = datetime.datetime.fromtimestamp(high, zone).date()
    first = datetime.datetime.fromtimestamp(low, zone).date()
    while day >= first:
        if day.year in years and day.month in months and day_ok(day) and weekday_ok(day):
            for hour in hours:
                for minute in minutes:
                    when = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()
                    if low < when <= high:
                        return when
        day -= datetime.timedelta(days=1)
    return None


def latest_firing(action, low, high):
    """The latest time in (low, high] at which a scheduled action fires, or None.

    at(yyyy-mm-ddThh:mm:ss) and cron(...) are read in the action's Timezone (default UTC);
    rate(N unit) counts from StartTime, else from the action's creation. "If you specify a
    start time, Application Auto Scaling performs the action at this time, and then performs
    the action based on the specified recurrence. If you specify an end time, the action stops
    repeating after this time." (AAS user guide, scheduled-scaling-using-cron-expressions.html;
    formats: API reference API_PutScheduledAction.html, Schedule.) StartTime/EndTime bound the
    recurring forms only.
    """
    schedule = (action.schedule or "").strip()
    try:
        zone = ZoneInfo(action.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown Timezone {action.timezone!r}") from None
    start, end = _epoch(action.start_time), _epoch(action.end_time)
    kind, _, rest = schedule.partition("(")
    body = rest[:-1].strip() if rest.endswith(")") else None
    if body is None or kind not in ("at", "rate", "cron"):
        raise ValueError(f"unreadable Schedule {schedule!r}")
    if kind == "at":
        when = datetime.datetime.fromisoformat(body).replace(tzinfo=zone).timestamp()
        return when if low < when <= high else None
    high = min(high, end) if end is not None else high
    if kind == "rate":
        count, unit = body.split()
        seconds = int(count) * {"minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
        anchor = start if start is not None else action.creation_time
        if high < anchor:
            return None
        when = anchor + (high - anchor) // seconds * seconds
        if when == anchor and start is None:
            return None  # the creation itself is not a firing
        return when if when > low else None
    firings = [_cron_latest(body, zone, low, high)]
    if start is not None:
        firings = [t for t in firings if t is not None and t >= start]
        if low < start <= high:
            firings.append(start)
    firings = [t for t in firings if t is not None]
    return max(firings) if firings else None


def _record(action, account_id, when, minimum, maximum, message=None):
    entry = {
        "AccountId": account_id,
        "ScheduledActionName": action.scheduled_action_name,
        "ServiceNamespace": action.service_namespace,
        "ResourceId": action.resource_id,
        "ScalableDimension": action.scalable_dimension,
        "Time": _iso(when) if when is not None else None,
        "MinCapacity": minimum,
        "MaxCapacity": maximum,
    }
    if message:
        entry["Message"] = message
    return entry


def run_scheduled_action(backend, action, when, state):
    """A scheduled action that falls due sets the target's MinCapacity and/or MaxCapacity.

    AAS user guide, scheduled-scaling-policy-overview.html: "A scheduled action sets the
    MinCapacity and MaxCapacity to what is specified by the scheduled action at the date and
    time specified. The request can optionally include only one of these sizes. ... In some
    cases, however, you must include both sizes to ensure that the new minimum capacity is not
    greater than the maximum capacity" -- such an action fails and the target is unchanged.
    A target whose SuspendedState has ScheduledScalingSuspended is left alone (API reference,
    API_SuspendedState.html: "no scaling actions that involve scheduled actions are run").
    """
    target = backend.targets.get(action.scalable_dimension, {}).get(action.resource_id)
    wanted = action.scalable_target_action or {}
    if target is None:
        state["failed"].append(_record(action, backend.account_id, when, wanted.get("MinCapacity"),
                                       wanted.get("MaxCapacity"), "no scalable target"))
        return
    if (target.suspended_state or {}).get("ScheduledScalingSuspended"):
        return
    minimum = wanted.get("MinCapacity", target.min_capacity)
    maximum = wanted.get("MaxCapacity", target.max_capacity)
    if minimum is not None and maximum is not None and minimum > maximum:
        state["failed"].append(_record(action, backend.account_id, when, minimum, maximum,
                                       f"MinCapacity {minimum} would exceed MaxCapacity {maximum}; the target is unchanged"))
        return
    target.min_capacity, target.max_capacity = minimum, maximum
    state["ran"].append(_record(action, backend.account_id, when, minimum, maximum))


def set_clock(region, now_text):
    """Moves a region's clock to `now_text` and runs, in time order, the latest firing of every
    scheduled action of that region (all accounts) in (previous clock, or the action's creation
    if later, .. now]."""
    now = _epoch(now_text)
    with _CLOCK_LOCK:
        state = _CLOCKS.setdefault(region, {"now": None, "ran": [], "failed": []})
        previous, state["now"] = state["now"], now
        due = []
        for account_id, per_region in list(dict.items(aas.applicationautoscaling_backends)):
            backend = dict.get(per_region, region)
            for action in list(backend.scheduled_actions) if backend else []:
                low = max(previous, action.creation_time) if previous is not None else action.creation_time
                try:
                    when = latest_firing(action, low, now)
                except (ValueError, KeyError) as err:
                    state["failed"].append(_record(action, account_id, None, None, None, str(err)))
                    continue
                if when is not None:
                    due.append((when, backend, action))
        for when, backend, action in sorted(due, key=lambda d: d[0]):
            run_scheduled_action(backend, action, when, state)
        return clock_state(region)


def clock_state(region):
    state = _CLOCKS.get(region, {"now": None, "ran": [], "failed": []})
    now = _iso(state["now"]) if state["now"] is not None else None
    return {"now": now, "ran": list(state["ran"]), "failed": list(state["failed"])}


# ---------------------------------------------------------------------------------------------
# Rules 2-4, 6, 9: scaling policies, their alarms, deregistering, missing objects.
# ---------------------------------------------------------------------------------------------

# Predefined SageMaker metrics -> (CloudWatch metric in AWS/SageMaker, statistic, period).
# Approximation: the metric names are SageMaker's; the statistic and period AWS picks for its
# own alarms are not documented.
_SAGEMAKER_METRICS = {
    "SageMakerVariantInvocationsPerInstance": ("InvocationsPerInstance", "Sum", 60),
    "SageMakerVariantProvisionedConcurrencyUtilization": ("ServerlessProvisionedConcurrencyUtilization", "Average", 60),
    "SageMakerInferenceComponentInvocationsPerCopy": ("InvocationsPerCopy", "Sum", 60),
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution": ("ConcurrentRequestsPerCopy", "Maximum", 10),
    "SageMakerVariantConcurrentRequestsPerModelHighResolution": ("ConcurrentRequestsPerModel", "Maximum", 10),
}


def _sagemaker_dimensions(resource_id):
    parts = resource_id.split("/")
    if parts[0] == "endpoint" and len(parts) == 4:
        return [{"Name": "EndpointName", "Value": parts[1]}, {"Name": "VariantName", "Value": parts[3]}]
    return [{"Name": "InferenceComponentName", "Value": parts[-1]}]


def _alarm_metric(policy):
    """The metric a target-tracking policy's alarms watch, as put_metric_alarm arguments."""
    config = policy.target_tracking_scaling_policy_configuration or {}
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        kind = predefined.get("PredefinedMetricType", "")
        name, statistic, period = _SAGEMAKER_METRICS.get(kind, (kind, "Average", 60))
        return {"namespace": "AWS/SageMaker", "metric_name": name, "statistic": statistic, "period": period,
                "dimensions": _sagemaker_dimensions(policy.resource_id)}
    custom = config.get("CustomizedMetricSpecification") or {}
    if custom.get("Metrics"):
        queries = []
        for q in custom["Metrics"]:
            stat = q.get("MetricStat")
            metric_stat = None
            if stat:
                m = stat.get("Metric", {})
                dims = [cw.Dimension(d.get("Name"), d.get("Value")) for d in m.get("Dimensions") or []]
                metric_stat = cw.MetricStat(cw.Metric(m.get("MetricName"), m.get("Namespace"), dims), 60, stat.get("Stat"), stat.get("Unit"))
            queries.append(cw.MetricDataQuery(q.get("Id"), q.get("Label"), None, q.get("ReturnData"), q.get("Expression"), metric_stat))
        return {"namespace": None, "metric_name": None, "statistic": None, "period": 60, "dimensions": [],
                "metric_data_queries": queries}
    return {"namespace": custom.get("Namespace"), "metric_name": custom.get("MetricName"),
            "statistic": custom.get("Statistic"), "unit": custom.get("Unit"), "period": 60,
            "dimensions": custom.get("Dimensions") or []}


def create_target_tracking_alarms(policy):
    """A target-tracking policy owns two alarms that AAS creates in CloudWatch.

    AAS user guide, application-auto-scaling-target-tracking.html: "Application Auto Scaling
    creates and manages the CloudWatch alarms that trigger the scaling policy"; their names and
    the policy's `Alarms`: create-target-tracking-policy-cli.html
    (TargetTracking-<resource>-AlarmHigh-<uuid>, -AlarmLow-<uuid>). The description and the
    action `<policy ARN>:createdBy/<uuid>` are those of real exported alarms (spec 2.3).
    Approximations: AlarmHigh fires above the target for 3 of 3 periods, AlarmLow below 90% of
    it for 15 of 15 (AWS's usual shape, not documented); both are created even with
    DisableScaleIn.
    """
    if policy.service_namespace in ("dynamodb", "ecs"):
        _MOTO_CREATE_ALARMS(policy)  # moto's own alarms for these two
        return
    cloudwatch = _cloudwatch(policy.account_id, policy.region_name)
    action = f"{policy.policy_arn}:createdBy/{uuid.uuid4()}"
    target = float((policy.target_tracking_scaling_policy_configuration or {}).get("TargetValue") or 0)
    metric = _alarm_metric(policy)
    for side, operator, threshold, periods in (("AlarmHigh", "GreaterThanThreshold", target, 3),
                                                ("AlarmLow", "LessThanThreshold", target * 0.9, 15)):
        policy.alarms.append(cloudwatch.put_metric_alarm(
            name=f"TargetTracking-{policy.resource_id}-{side}-{uuid.uuid4()}",
            comparison_operator=operator, evaluation_periods=periods, datapoints_to_alarm=periods,
            threshold=threshold, description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {action}.",
            alarm_actions=[action], **metric))


def _metric_specification(config):
    """What makes two target-tracking policies 'the same metric specification'."""
    config = config or {}
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        return ("predefined", predefined.get("PredefinedMetricType"), predefined.get("ResourceLabel"))
    custom = config.get("CustomizedMetricSpecification") or {}
    if custom.get("Metrics"):
        return ("metrics", json.dumps(custom["Metrics"], sort_keys=True))
    dimensions = sorted((d.get("Name"), d.get("Value")) for d in custom.get("Dimensions") or [])
    return ("custom", custom.get("MetricName"), custom.get("Namespace"), tuple(dimensions),
            custom.get("Statistic"), custom.get("Unit"))


def reject_duplicate_metric(backend, key, namespace, resource_id, dimension, config):
    """One target-tracking policy per metric specification per target.

    AAS user guide, application-auto-scaling-target-tracking.html: "You can have multiple
    target tracking scaling policies for a scalable target, provided that each of them uses a
    different metric." Error text as users report it: hashicorp/terraform-provider-aws#41179,
    aws/aws-cdk#17956.
    """
    wanted = _metric_specification(config)
    for other_key, other in backend.policies.items():
        if other_key != key and other.policy_type == TT and _same_target(other, namespace, resource_id, dimension) \
                and _metric_specification(other.target_tracking_scaling_policy_configuration) == wanted:
            raise validation("Only one TargetTrackingScaling policy for a given metric specification is allowed.")


def reject_type_change(old, policy_type):
    """A policy cannot switch between target tracking and another type in place.

    Error text as users report it: hashicorp/terraform-provider-aws#13710.
    """
    if old and policy_type and policy_type != old.policy_type and TT in (policy_type, old.policy_type):
        raise validation("You cannot change a TargetTrackingScaling policy to a non TargetTrackingScaling policy, or vice versa")


def put_scaling_policy(self, policy_name, service_namespace, resource_id, scalable_dimension, policy_body, policy_type):
    """PutScalingPolicy is an upsert keyed by name: an update keeps the policy's ARN (moto
    gives a new one each time; AAS API reference API_PutScalingPolicy.html "Creates or updates
    a scaling policy" -- that the ARN stays is inferred from the in-place update, not
    documented), and the target-tracking alarms are replaced with ones for the new
    configuration (whether AWS renames them is not documented either)."""
    key = aas.FakeApplicationAutoscalingPolicy.formulate_key(service_namespace, resource_id, scalable_dimension, policy_name)
    old = self.policies.get(key)
    reject_type_change(old, policy_type)
    if (policy_type or (old.policy_type if old else None)) == TT:
        config = policy_body or (old._policy_body if old else None)
        reject_duplicate_metric(self, key, service_namespace, resource_id, scalable_dimension, config)
    policy = _MOTO["put_scaling_policy"](self, policy_name, service_namespace, resource_id, scalable_dimension,
                                         policy_body, policy_type)
    if old:
        policy.policy_arn = old.policy_arn
        _delete_owned_alarms(old)
    if policy.policy_type == TT:
        create_target_tracking_alarms(policy)
    return policy


def _delete_owned_alarms(policy):
    if policy.alarms:
        _cloudwatch(policy.account_id, policy.region_name).delete_alarms([a.name for a in policy.alarms])
        policy.alarms = []


def step_policy_alarms(policy):
    """A step policy lists the alarms that invoke it.

    AAS API reference, API_ScalingPolicy.html: Alarms, "The CloudWatch alarms associated with
    the scaling policy" -- every alarm of the account and Region whose AlarmActions hold the
    policy ARN.
    """
    alarms = _cloudwatch(policy.account_id, policy.region_name).alarms.values()
    return [{"AlarmName": a.name, "AlarmARN": a.alarm_arn} for a in alarms if policy.policy_arn in (a.alarm_actions or [])]


def build_policy(policy):
    built = _MOTO["build_policy"](policy)
    if policy.policy_type == STEP:
        built["Alarms"] = step_policy_alarms(policy)
    return built


def strip_step_actions(policy):
    """Deleting a step policy removes its ARN from alarm actions and keeps the alarms.

    AAS API reference, API_DeleteScalingPolicy.html: "Deleting a step scaling policy deletes the
    underlying alarm action, but does not delete the CloudWatch alarm associated with the
    scaling policy, even if it no longer has an associated action."
    """
    for alarm in _cloudwatch(policy.account_id, policy.region_name).alarms.values():
        for actions in (alarm.alarm_actions, alarm.ok_actions, alarm.insufficient_data_actions):
            while actions and policy.policy_arn in actions:
                actions.remove(policy.policy_arn)


def delete_scaling_policy(self, policy_name, service_namespace, resource_id, scalable_dimension):
    """DeleteScalingPolicy of a missing policy: ObjectNotFoundException (moto says
    ValidationException). AAS API reference, API_DeleteScalingPolicy.html, Errors, and
    API_ObjectNotFoundException: "For any operation that deletes or deregisters a resource, this
    exception is thrown if the resource cannot be found." A target-tracking policy's alarms go
    with it (user guide, create-target-tracking-policy-cli.html#delete-target-tracking-policy)."""
    key = aas.FakeApplicationAutoscalingPolicy.formulate_key(service_namespace, resource_id, scalable_dimension, policy_name)
    policy = self.policies.get(key)
    if policy is None:
        raise not_found(f"No scaling policy found for service namespace: {service_namespace}, resource ID: "
                        f"{resource_id}, scalable dimension: {scalable_dimension}, policy name: {policy_name}")
    _delete_owned_alarms(policy)
    if policy.policy_type == STEP:
        strip_step_actions(policy)
    del self.policies[key]


def deregister_scalable_target(self, namespace, resource_id, dimension):
    """DeregisterScalableTarget deletes the target's scaling policies (with their target-tracking
    alarms) and scheduled actions, and its tags; step alarms stay as they are (whether AWS strips
    their actions is not documented). A missing target: ObjectNotFoundException.

    AAS API reference, API_DeregisterScalableTarget.html: "Deregistering a scalable target
    deletes the scaling policies and the scheduled actions that are associated with it."
    """
    if not self._scalable_target_exists(resource_id, dimension):
        raise not_found(f"No scalable target found for service namespace: {namespace}, resource ID: "
                        f"{resource_id}, scalable dimension: {dimension}")
    for key, policy in list(self.policies.items()):
        if _same_target(policy, namespace, resource_id, dimension):
            _delete_owned_alarms(policy)
            del self.policies[key]
    self.scheduled_actions = [a for a in self.scheduled_actions if not _same_target(a, namespace, resource_id, dimension)]
    del self.targets[dimension][resource_id]


# ---------------------------------------------------------------------------------------------
# Rule 5: tags on scalable targets.
# ---------------------------------------------------------------------------------------------

_TARGET_ARN = re.compile(r"^arn:.+:application-autoscaling:.+:[0-9]+:scalable-target\/[a-zA-Z0-9-]+$")
TAGS_ON_EXISTING = ("The scalable target that you tried to tag already exists. To update tags on an existing "
                    "scalable target, use the TagResource API.")


def check_tags(tags, name="tags"):
    """Tag keys 1-128 and values 0-256 characters (AAS API reference, API_TagResource.html)."""
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise validation(f"1 validation error detected: Value '{key}' at '{name}' failed to satisfy constraint: "
                             "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
                             "Member must have length greater than or equal to 1]")
        if len(value or "") > 256:
            raise validation(f"1 validation error detected: Value '{value}' at '{name}.{key}' failed to satisfy constraint: "
                             "Member must have length less than or equal to 256")


def register_scalable_target(self):
    """RegisterScalableTarget: `Tags` are stored only when it creates the target; on an
    existing target AWS refuses them. AAS API reference, API_RegisterScalableTarget.html, Tags:
    "Use this parameter to tag the scalable target when it is created. To tag an existing
    scalable target, use the TagResource operation." Error text as users report it:
    terraform-aws-modules/terraform-aws-rds-aurora#420. (ScalableTargetARN is moto's own.)"""
    tags = self._get_param("Tags") or {}
    backend = self.applicationautoscaling_backend
    resource_id, dimension = self._get_param("ResourceId"), self._get_param("ScalableDimension")
    if tags and backend._scalable_target_exists(resource_id, dimension):
        raise validation(TAGS_ON_EXISTING)
    check_tags(tags)
    body = _MOTO["register_scalable_target"](self)
    target = backend.targets[dimension][resource_id]
    if not hasattr(target, "tags"):
        target.tags = dict(tags)
    return body


class ResourceNotFound(AasError):
    def __init__(self, arn):
        super().__init__("ResourceNotFoundException", f"Scalable target with ARN {arn} not found.")
        self.description = json.dumps({"__type": self.error_type, "message": self.message, "ResourceName": arn})


def _target_by_arn(response):
    arn = response._get_param("ResourceARN") or ""
    if not _TARGET_ARN.match(arn):
        raise validation(f"1 validation error detected: Value '{arn}' at 'resourceARN' failed to satisfy constraint: "
                         f"Member must satisfy regular expression pattern: {_TARGET_ARN.pattern}")
    backend = response.applicationautoscaling_backend
    for per_resource in backend.targets.values():
        for target in per_resource.values():
            if target.arn == arn:
                if not hasattr(target, "tags"):
                    target.tags = {}
                return target
    raise ResourceNotFound(arn)


def tag_resource(self):
    """TagResource adds or replaces tags on a scalable target (AAS API reference,
    API_TagResource.html; ResourceNotFoundException for an unknown ARN)."""
    target = _target_by_arn(self)
    tags = self._get_param("Tags") or {}
    check_tags(tags)
    target.tags.update(tags)
    return "{}"


def untag_resource(self):
    """UntagResource removes tag keys (AAS API reference, API_UntagResource.html)."""
    target = _target_by_arn(self)
    for key in self._get_param("TagKeys") or []:
        target.tags.pop(key, None)
    return "{}"


def list_tags_for_resource(self):
    """ListTagsForResource (AAS API reference, API_ListTagsForResource.html)."""
    return json.dumps({"Tags": _target_by_arn(self).tags})


# ---------------------------------------------------------------------------------------------
# Rule 8: pagination and filters of the Describe calls.
# ---------------------------------------------------------------------------------------------

def _without_none(answer):
    return json.dumps({k: v for k, v in answer.items() if v is not None})


def describe_scalable_targets(self):
    """Pages of MaxResults 1-50 (default 50) that end (moto repeats its token forever).
    AAS API reference, API_DescribeScalableTargets.html."""
    self._validate_params()
    targets = self.applicationautoscaling_backend.describe_scalable_targets(
        self._get_param("ServiceNamespace"), self._get_param("ResourceIds"), self._get_param("ScalableDimension"))
    page, token = _page(targets, self._get_param("NextToken"), self._get_param("MaxResults"), "maxResults", 50, 50)
    return _without_none({"ScalableTargets": [aas_responses._build_target(t) for t in page], "NextToken": token})


def describe_scaling_policies(self):
    """Pages of MaxResults 1-10 (default 10); `PolicyNames` filters; ResourceId and
    ScalableDimension match exactly (moto matched substrings). AAS API reference,
    API_DescribeScalingPolicies.html."""
    names = self._get_param("PolicyNames")
    wanted = {"service_namespace": self._get_param("ServiceNamespace"), "resource_id": self._get_param("ResourceId"),
              "scalable_dimension": self._get_param("ScalableDimension")}
    policies = [p for p in self.applicationautoscaling_backend.policies.values()
                if all(v is None or getattr(p, k) == v for k, v in wanted.items())
                and (not names or p.policy_name in names)]
    page, token = _page(policies, self._get_param("NextToken"), self._get_param("MaxResults"), "maxResults", 10, 10)
    return _without_none({"ScalingPolicies": [aas_responses._build_policy(p) for p in page], "NextToken": token})


def describe_scheduled_actions(self):
    """Pages of MaxResults 1-50 (default 50). AAS API reference, API_DescribeScheduledActions.html."""
    actions = self.applicationautoscaling_backend.describe_scheduled_actions(
        scheduled_action_names=self._get_param("ScheduledActionNames"),
        service_namespace=self._get_param("ServiceNamespace"),
        resource_id=self._get_param("ResourceId"),
        scalable_dimension=self._get_param("ScalableDimension"))
    page, token = _page(actions, self._get_param("NextToken"), self._get_param("MaxResults"), "maxResults", 50, 50)
    return _without_none({"ScheduledActions": [aas_responses._build_scheduled_action(a) for a in page], "NextToken": token})


def describe_alarms(self):
    """Pages of MaxRecords 1-100 (default 50) over metric then composite alarms. CloudWatch API
    reference https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
    (MaxRecords 1-100); the default 50 and the error text: boto/boto#3036, boto/boto3#3475."""
    result = _MOTO["describe_alarms"](self).result
    alarms = [("MetricAlarms", a) for a in result["MetricAlarms"]] + [("CompositeAlarms", a) for a in result["CompositeAlarms"]]
    page, token = _page(alarms, self._get_param("NextToken"), self._get_param("MaxRecords"), "maxRecords", 100, 50,
                        error=cw_exceptions.ValidationError)
    answer = {"MetricAlarms": [a for kind, a in page if kind == "MetricAlarms"],
              "CompositeAlarms": [a for kind, a in page if kind == "CompositeAlarms"]}
    if token:
        answer["NextToken"] = token
    return ActionResult(answer)


# ---------------------------------------------------------------------------------------------
# Rule 12: an update of a scheduled action keeps what it leaves out.
# ---------------------------------------------------------------------------------------------


def put_scheduled_action(self, service_namespace, schedule, timezone, scheduled_action_name, resource_id,
                         scalable_dimension, start_time, end_time, scalable_target_action):
    """PutScheduledAction on an existing action keeps each parameter the request leaves out
    (Timezone, and each bound of ScalableTargetAction), but drops start and end times it leaves
    out. AAS API reference API_PutScheduledAction.html: "To update a scheduled action, specify
    the parameters that you want to change. If you don't specify start and end times, the old
    values are deleted." ScalableTargetAction: "You can set both values or just one." That a
    bound left out of an update is kept (not cleared) is the reading of "specify the parameters
    that you want to change"; it is the stricter of the two for a client, which must replace
    the action to remove a bound. moto 5.2.5 kept an omitted Timezone but replaced the whole
    ScalableTargetAction."""
    existing = next((a for a in self.scheduled_actions
                     if a.service_namespace == service_namespace and a.scheduled_action_name == scheduled_action_name
                     and a.resource_id == resource_id and a.scalable_dimension == scalable_dimension), None)
    if existing is not None and scalable_target_action is not None:
        kept = dict(existing.scalable_target_action or {})
        kept.update({k: v for k, v in scalable_target_action.items() if v is not None})
        scalable_target_action = kept
    _MOTO["put_scheduled_action"](self, service_namespace, schedule, timezone, scheduled_action_name, resource_id,
                                  scalable_dimension, start_time, end_time, scalable_target_action)


# ---------------------------------------------------------------------------------------------
# Rule 7: an alarm that a composite alarm uses cannot be deleted.
# ---------------------------------------------------------------------------------------------

_RULE_REFERENCE = re.compile(r"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*\"?([^\")]+?)\"?\s*\)")


def delete_alarms(self, alarm_names):
    """DeleteAlarms fails, deleting nothing, when a composite alarm's AlarmRule uses one of the
    alarms (composites deleted in the same call do not count; AWS's behaviour there is not
    documented). CloudWatch API reference API_DeleteAlarms.html: "If you specify an incorrect
    alarm name or make any other error in the operation, no alarms are deleted"; the error is
    not in its Errors list. Code and text as users report them (400 ValidationError "Cannot
    delete a,b as there are composite alarm(s) depending on them."):
    cloud-custodian/cloud-custodian#7763, ekristen/aws-nuke#462."""
    doomed = set(alarm_names)
    used = set()
    for composite in self.alarms.values():
        if composite.rule and composite.name not in doomed:
            used.update(ref.strip() for ref in _RULE_REFERENCE.findall(composite.rule))
    blocked = [n for n in dict.fromkeys(alarm_names) if n in self.alarms and ({n, self.alarms[n].alarm_arn} & used)]
    if blocked:
        raise cw_exceptions.ValidationError(
            f"Cannot delete {','.join(blocked)} as there are composite alarm(s) depending on {'it' if len(blocked) == 1 else 'them'}.")
    _MOTO["delete_alarms"](self, alarm_names)


# ---------------------------------------------------------------------------------------------

_MOTO = {}
_MOTO_CREATE_ALARMS = aas.FakeApplicationAutoscalingPolicy.create_alarms


def install():
    """Patches moto once; idempotent."""
    if _MOTO:
        return
    backend, policy_class = aas.ApplicationAutoscalingBackend, aas.FakeApplicationAutoscalingPolicy
    response = aas_responses.ApplicationAutoScalingResponse
    _MOTO.update(put_scaling_policy=backend.put_scaling_policy, build_policy=aas_responses._build_policy,
                 register_scalable_target=response.register_scalable_target,
                 describe_alarms=cw_responses.CloudWatchResponse.describe_alarms,
                 delete_alarms=cw.CloudWatchBackend.delete_alarms,
                 put_scheduled_action=backend.put_scheduled_action)
    policy_class.create_alarms = lambda self: None  # alarms are made once the ARN is final
    backend.put_scaling_policy = put_scaling_policy
    backend.delete_scaling_policy = delete_scaling_policy
    backend.deregister_scalable_target = deregister_scalable_target
    backend.put_scheduled_action = put_scheduled_action
    aas_responses._build_policy = build_policy
    response.register_scalable_target = register_scalable_target
    response.tag_resource = tag_resource
    response.untag_resource = untag_resource
    response.list_tags_for_resource = list_tags_for_resource
    response.describe_scalable_targets = describe_scalable_targets
    response.describe_scaling_policies = describe_scaling_policies
    response.describe_scheduled_actions = describe_scheduled_actions
    cw_responses.CloudWatchResponse.describe_alarms = describe_alarms
    # moto 5.2.5 stores AlarmRule through PutMetricAlarm but has no PutCompositeAlarm.
    cw_responses.CloudWatchResponse.put_composite_alarm = cw_responses.CloudWatchResponse.put_metric_alarm
    cw.CloudWatchBackend.delete_alarms = delete_alarms
