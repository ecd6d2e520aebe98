"""Tests of the AWS stand-in itself (tests/standin/aws_standin.py + aws_rules.py). TEST-ONLY.

Each test talks to a stand-in this module starts on a free port, with boto3 (which speaks
CloudWatch as Smithy RPC v2 CBOR, so the front's CBOR path is exercised too), and asserts a rule
of tests/standin/aws_rules.py that plain moto 5.2.5 breaks. Every test has an AWS region of its
own (the clock is per region). Run: .venv/bin/python -m unittest discover -s tests/standin -p 'test_*.py'
"""

import datetime
import itertools
import json
import os
import subprocess
import sys
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import aws_rules  # noqa: E402  (pure functions: the cron reader)

REGIONS = itertools.cycle([
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1", "sa-east-1", "eu-south-1", "af-south-1",
    "me-south-1", "ap-east-1", "eu-central-2", "ap-south-2", "ap-southeast-3", "me-central-1",
    "eu-south-2", "il-central-1", "ap-southeast-4", "ca-west-1", "mx-central-1",
])
SERVER = {}
NS, DIM = "sagemaker", "sagemaker:variant:DesiredInstanceCount"


def setUpModule():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "aws_standin.py"), "0", "--exit-with-parent"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    assert line.startswith("READY "), line
    SERVER.update(proc=proc, url=f"http://127.0.0.1:{int(line.split()[1])}")


def tearDownModule():
    SERVER["proc"].stdin.close()
    SERVER["proc"].wait(timeout=10)


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(SERVER["url"] + path, data=data, method=method)
    with urllib.request.urlopen(req) as answer:
        return json.loads(answer.read())


class StandinTest(unittest.TestCase):
    """A region of its own, clients for it, and a registered SageMaker variant target."""

    def setUp(self):
        self.region = next(REGIONS)
        kw = dict(region_name=self.region, endpoint_url=SERVER["url"], aws_access_key_id="testing",
                  aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
        self.aas = boto3.client("application-autoscaling", **kw)
        self.cw = boto3.client("cloudwatch", **kw)
        self.n = 0

    def target(self, low=1, high=4, **extra):
        self.n += 1
        rid = f"endpoint/{self.id().rsplit('.', 1)[1][:40].replace('_', '-')}-{self.n}/variant/v"
        self.aas.register_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
                                          MinCapacity=low, MaxCapacity=high, **extra)
        return rid

    def bounds(self, rid):
        t = self.aas.describe_scalable_targets(ServiceNamespace=NS, ResourceIds=[rid])["ScalableTargets"][0]
        return t["MinCapacity"], t["MaxCapacity"]

    def schedule(self, rid, name, schedule, **extra):
        self.aas.put_scheduled_action(ServiceNamespace=NS, ScheduledActionName=name, ResourceId=rid,
                                      ScalableDimension=DIM, Schedule=schedule, **extra)

    def clock(self, now):
        return control("POST", "/_standin/clock", {"region": self.region, "now": now})

    def tt_policy(self, rid, name, metric=None, target=70.0):
        metric = metric or {"PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}
        return self.aas.put_scaling_policy(
            PolicyName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={"TargetValue": target, **metric})

    def step_policy(self, rid, name, adjustment=1):
        return self.aas.put_scaling_policy(
            PolicyName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM, PolicyType="StepScaling",
            StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
                {"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": adjustment}]})

    def policies(self, rid, **extra):
        return self.aas.describe_scaling_policies(ServiceNamespace=NS, ResourceId=rid, **extra)["ScalingPolicies"]

    def alarm(self, name, actions=()):
        self.cw.put_metric_alarm(AlarmName=name, MetricName="HasBacklogWithoutCapacity", Namespace="AWS/SageMaker",
                                 Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=1.0,
                                 ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=list(actions))

    def alarms(self, *names):
        return self.cw.describe_alarms(AlarmNames=list(names))["MetricAlarms"]

    def assertError(self, code, message, call, *args, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        error = caught.exception.response["Error"]
        self.assertEqual((error["Code"], caught.exception.response["ResponseMetadata"]["HTTPStatusCode"]), (code, 400))
        if message is not None:
            self.assertEqual(error["Message"], message)


class ScheduledActionsRun(StandinTest):
    """Rule 1."""

    def test_a_cron_action_sets_min_and_max_when_the_clock_passes_it(self):
        rid = self.target(1, 4)
        self.schedule(rid, "monday-8", "cron(0 8 ? * MON *)", ScalableTargetAction={"MinCapacity": 2, "MaxCapacity": 6})
        self.clock("2030-01-07T07:59:00Z")  # a Monday: the latest firing is the Monday before
        self.assertEqual(self.bounds(rid), (2, 6))
        self.aas.register_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM, MinCapacity=1, MaxCapacity=4)
        self.clock("2030-01-07T07:59:30Z")
        self.assertEqual(self.bounds(rid), (1, 4), "nothing fell due in the last 30 seconds")
        state = self.clock("2030-01-07T08:00:00Z")
        self.assertEqual(self.bounds(rid), (2, 6))
        self.assertEqual(state["ran"][-1]["Time"], "2030-01-07T08:00:00Z")
        self.assertEqual(control("GET", f"/_standin/clock?region={self.region}")["now"], "2030-01-07T08:00:00Z")

    def test_a_one_sided_action_keeps_the_other_bound_and_fails_above_the_maximum(self):
        rid = self.target(1, 4)
        self.schedule(rid, "max-only", "at(2030-02-01T10:00:00)", ScalableTargetAction={"MaxCapacity": 3})
        self.schedule(rid, "min-too-high", "at(2030-02-01T11:00:00)", ScalableTargetAction={"MinCapacity": 5})
        state = self.clock("2030-02-02T00:00:00Z")
        self.assertEqual(self.bounds(rid), (1, 3))
        self.assertEqual([f["ScheduledActionName"] for f in state["failed"]], ["min-too-high"])
        self.assertEqual([r["ScheduledActionName"] for r in state["ran"]], ["max-only"])

    def test_actions_due_in_one_step_run_in_time_order(self):
        rid = self.target(1, 4)
        self.schedule(rid, "evening", "at(2030-03-01T20:00:00)", ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 2})
        self.schedule(rid, "morning", "at(2030-03-01T08:00:00)", ScalableTargetAction={"MinCapacity": 3, "MaxCapacity": 8})
        state = self.clock("2030-03-02T00:00:00Z")
        self.assertEqual(self.bounds(rid), (1, 2))
        self.assertEqual([r["ScheduledActionName"] for r in state["ran"]], ["morning", "evening"])

    def test_cron_follows_the_time_zone_and_its_daylight_saving(self):
        rid = self.target(1, 4)
        self.schedule(rid, "berlin-8", "cron(0 8 * * ? *)", Timezone="Europe/Berlin", ScalableTargetAction={"MinCapacity": 2})
        self.clock("2030-01-15T06:30:00Z")
        self.assertEqual(self.clock("2030-01-15T06:59:00Z")["ran"][-1]["Time"], "2030-01-14T07:00:00Z")
        self.assertEqual(self.clock("2030-01-15T07:00:00Z")["ran"][-1]["Time"], "2030-01-15T07:00:00Z")  # CET
        self.assertEqual(self.clock("2030-07-15T06:00:00Z")["ran"][-1]["Time"], "2030-07-15T06:00:00Z")  # CEST

    def test_rate_counts_from_start_time_and_end_time_stops_it(self):
        rid = self.target(1, 4)
        start = datetime.datetime(2030, 4, 1, tzinfo=datetime.timezone.utc)
        self.schedule(rid, "every-2h", "rate(2 hours)", StartTime=start, EndTime=start + datetime.timedelta(hours=5),
                      ScalableTargetAction={"MinCapacity": 2})
        self.assertEqual(self.clock("2030-04-01T03:00:00Z")["ran"][-1]["Time"], "2030-04-01T02:00:00Z")
        ran = len(self.clock("2030-04-01T04:00:00Z")["ran"])
        self.assertEqual(len(self.clock("2030-04-02T00:00:00Z")["ran"]), ran, "EndTime 05:00 ended it at 04:00")

    def test_a_suspended_target_is_left_alone(self):
        rid = self.target(1, 4, SuspendedState={"ScheduledScalingSuspended": True})
        self.schedule(rid, "up", "at(2030-05-01T08:00:00)", ScalableTargetAction={"MinCapacity": 3})
        self.clock("2030-05-02T00:00:00Z")
        self.assertEqual(self.bounds(rid), (1, 4))


class CronReader(unittest.TestCase):
    """Rule 1: AWS's cron syntax (names, ranges, lists, steps, ?, L, W, #; 1=SUN)."""

    def latest(self, expression, high, days=40):
        high = datetime.datetime.fromisoformat(high).timestamp()
        utc = datetime.timezone.utc
        found = aws_rules._cron_latest(expression, aws_rules.ZoneInfo("UTC"), high - days * 86400, high)
        return datetime.datetime.fromtimestamp(found, utc).strftime("%Y-%m-%d %H:%M") if found else None

    def test_cron_forms(self):
        now = "2030-01-31T23:59:00+00:00"
        self.assertEqual(self.latest("0 8 ? * MON-FRI *", now), "2030-01-31 08:00")
        self.assertEqual(self.latest("0 8 ? * 1 *", now), "2030-01-27 08:00")  # 1 = Sunday
        self.assertEqual(self.latest("0 8 L * ? *", "2030-02-27T00:00:00+00:00"), "2030-01-31 08:00")
        self.assertEqual(self.latest("0 8 LW * ? *", "2030-03-31T23:00:00+00:00"), "2030-03-29 08:00")
        self.assertEqual(self.latest("0 8 15W * ? *", "2030-06-30T00:00:00+00:00"), "2030-06-14 08:00")  # 15th is a Saturday
        self.assertEqual(self.latest("0 8 ? * 2#1 *", now), "2030-01-07 08:00")  # first Monday
        self.assertEqual(self.latest("0 8 ? * 6L *", now), "2030-01-25 08:00")  # last Friday
        self.assertEqual(self.latest("0/15 9-17 1,15 JAN,JUL ? 2030", now), "2030-01-15 17:45")
        self.assertIsNone(self.latest("0 8 1 * ? 2029", now))
        with self.assertRaises(ValueError):
            self.latest("0 8 * * *", now)


class TargetTrackingAlarms(StandinTest):
    """Rule 2."""

    def test_a_target_tracking_policy_creates_lists_replaces_and_deletes_its_alarms(self):
        rid = self.target()
        put = self.tt_policy(rid, "invocations")
        names = sorted(a["AlarmName"] for a in put["Alarms"])
        self.assertEqual(len(names), 2)
        self.assertTrue(names[0].startswith(f"TargetTracking-{rid}-AlarmHigh-"), names)
        self.assertTrue(names[1].startswith(f"TargetTracking-{rid}-AlarmLow-"), names)
        high, low = sorted(self.alarms(*names), key=lambda a: a["AlarmName"])
        arn = put["PolicyARN"]
        self.assertTrue(high["AlarmDescription"].startswith(f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}"))
        self.assertTrue(high["AlarmActions"][0].startswith(arn))
        self.assertEqual((high["Namespace"], high["MetricName"]), ("AWS/SageMaker", "InvocationsPerInstance"))
        self.assertEqual({d["Name"] for d in high["Dimensions"]}, {"EndpointName", "VariantName"})
        self.assertEqual((high["ComparisonOperator"], high["Threshold"]), ("GreaterThanThreshold", 70.0))
        self.assertEqual((low["ComparisonOperator"], low["Threshold"]), ("LessThanThreshold", 63.0))
        self.assertEqual(sorted(a["AlarmName"] for a in self.policies(rid)[0]["Alarms"]), names)

        again = self.tt_policy(rid, "invocations", target=100.0)
        self.assertEqual(again["PolicyARN"], arn)
        self.assertEqual(self.alarms(*names), [], "the old alarms are replaced")
        self.assertEqual(sorted(a["Threshold"] for a in self.alarms(*(a["AlarmName"] for a in again["Alarms"]))), [90.0, 100.0])

        self.aas.delete_scaling_policy(PolicyName="invocations", ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        self.assertEqual(self.alarms(*(a["AlarmName"] for a in again["Alarms"])), [])

    def test_a_customized_metric_alarm_watches_that_metric(self):
        rid = self.target()
        metric = {"CustomizedMetricSpecification": {"MetricName": "ApproximateBacklogSizePerInstance", "Namespace": "AWS/SageMaker",
                                                    "Dimensions": [{"Name": "EndpointName", "Value": "ep"}], "Statistic": "Average"}}
        put = self.tt_policy(rid, "backlog", metric, target=5.0)
        (alarm, _) = self.alarms(*(a["AlarmName"] for a in put["Alarms"]))
        self.assertEqual((alarm["MetricName"], alarm["Statistic"], alarm["Dimensions"]),
                         ("ApproximateBacklogSizePerInstance", "Average", [{"Name": "EndpointName", "Value": "ep"}]))


class OnePolicyPerMetric(StandinTest):
    """Rule 3."""

    def test_a_second_policy_on_the_same_metric_is_refused(self):
        rid = self.target()
        self.tt_policy(rid, "first")
        self.assertError("ValidationException", "Only one TargetTrackingScaling policy for a given metric specification is allowed.",
                         self.tt_policy, rid, "second")
        self.tt_policy(rid, "first", target=80.0)  # the same policy again is an update
        other = self.target()
        self.tt_policy(other, "second")  # another target is fine

    def test_a_policy_cannot_change_between_target_tracking_and_step(self):
        rid = self.target()
        self.step_policy(rid, "p")
        self.assertError("ValidationException",
                         "You cannot change a TargetTrackingScaling policy to a non TargetTrackingScaling policy, or vice versa",
                         self.tt_policy, rid, "p")

    def test_an_updated_policy_keeps_its_arn(self):
        rid = self.target()
        arn = self.step_policy(rid, "p")["PolicyARN"]
        self.assertEqual(self.step_policy(rid, "p", adjustment=2)["PolicyARN"], arn)


class StepPolicyAlarms(StandinTest):
    """Rule 4."""

    def test_a_step_policy_lists_its_alarms_and_deleting_it_strips_only_the_action(self):
        rid = self.target()
        arn = self.step_policy(rid, "backlog")["PolicyARN"]
        self.alarm(f"{self.region}-backlog", [arn])
        self.alarm(f"{self.region}-other")
        self.assertEqual(self.policies(rid)[0]["Alarms"], [
            {"AlarmName": f"{self.region}-backlog", "AlarmARN": f"arn:aws:cloudwatch:{self.region}:123456789012:alarm:{self.region}-backlog"}])
        self.aas.delete_scaling_policy(PolicyName="backlog", ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        (alarm,) = self.alarms(f"{self.region}-backlog")
        self.assertEqual(alarm["AlarmActions"], [])


class TargetTags(StandinTest):
    """Rule 5."""

    def test_tags_at_creation_then_only_through_tag_resource(self):
        rid = self.target(Tags={"team": "ml"})
        (t,) = self.aas.describe_scalable_targets(ServiceNamespace=NS, ResourceIds=[rid])["ScalableTargets"]
        arn = t["ScalableTargetARN"]
        self.assertRegex(arn, rf"^arn:aws:application-autoscaling:{self.region}:123456789012:scalable-target/[a-z0-9]+$")
        self.assertEqual(self.aas.list_tags_for_resource(ResourceARN=arn)["Tags"], {"team": "ml"})
        self.assertError("ValidationException", aws_rules.TAGS_ON_EXISTING, self.aas.register_scalable_target,
                         ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM, MaxCapacity=5, Tags={"team": "x"})
        self.assertEqual(self.bounds(rid), (1, 4), "a refused register changes nothing")
        again = self.aas.register_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM, MaxCapacity=5)
        self.assertEqual(again["ScalableTargetARN"], arn)
        self.aas.tag_resource(ResourceARN=arn, Tags={"env": "prod", "team": "ai"})
        self.aas.untag_resource(ResourceARN=arn, TagKeys=["env"])
        self.assertEqual(self.aas.list_tags_for_resource(ResourceARN=arn)["Tags"], {"team": "ai"})
        self.assertError("ValidationException", None, self.aas.tag_resource, ResourceARN=arn, Tags={"k" * 129: "v"})
        self.aas.deregister_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        self.assertError("ResourceNotFoundException", None, self.aas.list_tags_for_resource, ResourceARN=arn)


class DeregisterCascades(StandinTest):
    """Rule 6."""

    def test_deregister_deletes_policies_their_alarms_and_scheduled_actions_but_not_step_alarms(self):
        rid = self.target()
        tt_alarms = [a["AlarmName"] for a in self.tt_policy(rid, "tt")["Alarms"]]
        arn = self.step_policy(rid, "step")["PolicyARN"]
        self.alarm(f"{self.region}-step", [arn])
        self.schedule(rid, "night", "cron(0 20 * * ? *)", ScalableTargetAction={"MinCapacity": 1})
        self.aas.deregister_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        self.assertEqual(self.policies(rid), [])
        self.assertEqual(self.aas.describe_scheduled_actions(ServiceNamespace=NS, ResourceId=rid)["ScheduledActions"], [])
        self.assertEqual(self.alarms(*tt_alarms), [])
        self.assertEqual(len(self.alarms(f"{self.region}-step")), 1)


class CompositeAlarmDependency(StandinTest):
    """Rule 7."""

    def test_an_alarm_a_composite_uses_cannot_be_deleted(self):
        child, other = f"{self.region}-child", f"{self.region}-other"
        self.alarm(child)
        self.alarm(other)
        self.cw.put_composite_alarm(AlarmName=f"{self.region}-parent", AlarmRule=f'ALARM("{child}")')
        self.assertError("ValidationError", f"Cannot delete {child} as there are composite alarm(s) depending on it.",
                         self.cw.delete_alarms, AlarmNames=[other, child])
        self.assertEqual(len(self.alarms(child, other)), 2, "nothing is deleted")


class Pagination(StandinTest):
    """Rule 8."""

    def test_scalable_target_pages_end(self):
        for _ in range(3):
            self.target()
        pages = list(self.aas.get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace=NS, PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["ScalableTargets"]) for p in pages], [2, 1])
        self.assertError("ValidationException", None, self.aas.describe_scalable_targets, ServiceNamespace=NS, MaxResults=51)

    def test_scaling_policies_come_ten_at_a_time_and_policy_names_filter(self):
        rid = self.target()
        for i in range(12):
            self.step_policy(rid, f"p{i:02}")
        first = self.aas.describe_scaling_policies(ServiceNamespace=NS, ResourceId=rid)
        self.assertEqual(len(first["ScalingPolicies"]), 10)
        second = self.aas.describe_scaling_policies(ServiceNamespace=NS, ResourceId=rid, NextToken=first["NextToken"])
        self.assertEqual((len(second["ScalingPolicies"]), second.get("NextToken")), (2, None))
        self.assertError("ValidationException", None, self.aas.describe_scaling_policies, ServiceNamespace=NS, MaxResults=11)
        named = self.policies(rid, PolicyNames=["p03", "p07"])
        self.assertEqual([p["PolicyName"] for p in named], ["p03", "p07"])
        self.assertEqual(self.policies(rid + "x"), [], "ResourceId matches exactly")

    def test_scheduled_actions_and_alarms_honour_their_page_size(self):
        rid = self.target()
        for i in range(3):
            self.schedule(rid, f"a{i}", "cron(0 8 * * ? *)", ScalableTargetAction={"MinCapacity": 1})
            self.alarm(f"{self.region}-page-{i}")
        page = self.aas.describe_scheduled_actions(ServiceNamespace=NS, ResourceId=rid, MaxResults=2)
        self.assertEqual(len(page["ScheduledActions"]), 2)
        rest = self.aas.describe_scheduled_actions(ServiceNamespace=NS, ResourceId=rid, MaxResults=2, NextToken=page["NextToken"])
        self.assertEqual((len(rest["ScheduledActions"]), rest.get("NextToken")), (1, None))
        alarms = self.cw.describe_alarms(AlarmNamePrefix=f"{self.region}-page-", MaxRecords=2)
        self.assertEqual(len(alarms["MetricAlarms"]), 2)
        self.assertIn("NextToken", alarms)
        self.assertError("ValidationError", None, self.cw.describe_alarms, MaxRecords=101)


class MissingObjects(StandinTest):
    """Rule 9."""

    def test_deleting_a_missing_policy_or_target_is_object_not_found(self):
        rid = self.target()
        self.assertError("ObjectNotFoundException", None, self.aas.delete_scaling_policy,
                         PolicyName="nope", ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        self.assertError("ObjectNotFoundException", None, self.aas.deregister_scalable_target,
                         ServiceNamespace=NS, ResourceId=rid + "x", ScalableDimension=DIM)


class ModelCheck(StandinTest):
    """Point 6 of aws_standin.py: requests checked against botocore's service models and the
    limits the API references state in words (model_check.py). Each request below reached
    moto, which took it, before the check; botocore's own client-side validation is off so
    length limits reach the stand-in too."""

    def setUp(self):
        super().setUp()
        kw = dict(region_name=self.region, endpoint_url=SERVER["url"], aws_access_key_id="testing",
                  aws_secret_access_key="testing",
                  config=Config(retries={"max_attempts": 1}, parameter_validation=False))
        self.aas = boto3.client("application-autoscaling", **kw)
        self.cw = boto3.client("cloudwatch", **kw)

    def math_policy(self, rid, metrics, target=10.0):
        return self.aas.put_scaling_policy(
            PolicyName="math", ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={"TargetValue": target, "CustomizedMetricSpecification": {"Metrics": metrics}})

    @staticmethod
    def query(i, name="Backlog", namespace="AWS/SQS", dims=(("QueueName", "q"),)):
        return {"Id": f"m{i}", "ReturnData": False, "MetricStat": {"Stat": "Average", "Metric": {
            "MetricName": name, "Namespace": namespace, "Dimensions": [{"Name": n, "Value": v} for n, v in dims]}}}

    def test_a_scheduled_action_name_with_a_java_line_terminator_is_refused(self):
        rid = self.target()
        for name in ["night\u2028shift", "night\u2029shift", "tab\tname", " lead", "trail ", "a/b", "x" * 257]:
            self.assertError("ValidationException", None, self.schedule, rid, name, "rate(1 hour)",
                             ScalableTargetAction={"MinCapacity": 1})
        self.schedule(rid, "ünïcode 😀 ok", "rate(1 hour)", ScalableTargetAction={"MinCapacity": 1})

    def test_the_refusal_reads_as_aws_writes_it(self):
        rid = self.target()
        with self.assertRaises(ClientError) as caught:
            self.schedule(rid, "a:b", "rate(1 hour)", ScalableTargetAction={"MinCapacity": 1})
        self.assertEqual(caught.exception.response["Error"]["Message"],
                         "1 validation error detected: Value 'a:b' at 'scheduledActionName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: "
                         "(?!((^[ ]+.*)|(.*([\\u0000-\\u001f]|[\\u007f-\\u009f]|[:/|])+.*)|(.*[ ]+$))).+")

    def test_a_slash_in_the_cron_day_of_week_is_refused(self):
        rid = self.target()
        self.assertError("ValidationException", None, self.schedule, rid, "every-other", "cron(0 8 ? * 2/2 *)",
                         ScalableTargetAction={"MinCapacity": 1})
        self.schedule(rid, "every-other-hour", "cron(0 0/2 ? * MON-FRI *)", ScalableTargetAction={"MinCapacity": 1})

    def test_control_characters_in_metric_math_are_refused(self):
        rid = self.target()
        for q in [self.query(1, name="Back\x01log"), self.query(1, namespace="AWS/\x1fSQS"),
                  self.query(1, dims=(("Queue\x00", "q"),)), {"Id": "e1", "Expression": "m1\x07 * 2"}]:
            self.assertError("ValidationException", None, self.math_policy, rid, [q, {"Id": "e", "Expression": "m1", "ReturnData": True}])

    def test_dimensions_follow_api_dimension_for_alarms_and_target_tracking_alike(self):
        rid = self.target()
        for dims in [(("Queue", "naïve"),), (("Queue", "   "),), ((":Queue", "q"),), (("Queue", "a\x7fb"),)]:
            self.assertError("ValidationException", None, self.math_policy, rid,
                             [self.query(1, dims=dims), {"Id": "e", "Expression": "m1", "ReturnData": True}])
            self.assertError("ValidationError", None, self.cw.put_metric_alarm, AlarmName="dims", MetricName="m",
                             Namespace="n", Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1.0,
                             ComparisonOperator="GreaterThanThreshold",
                             Dimensions=[{"Name": n, "Value": v} for n, v in dims])
        self.assertError("ValidationException", None, self.tt_policy, rid, "custom", target=5.0, metric={
            "CustomizedMetricSpecification": {"MetricName": "m", "Namespace": "n", "Statistic": "Average",
                                              "Dimensions": [{"Name": "Queue", "Value": "naïve"}]}})

    def test_a_colon_is_refused_at_the_start_of_a_namespace_and_taken_in_a_metric_name(self):
        alarm = dict(AlarmName="colon", Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1.0,
                     ComparisonOperator="GreaterThanThreshold")
        self.cw.put_metric_alarm(MetricName=":m", Namespace="n", **alarm)
        self.assertError("ValidationError", None, self.cw.put_metric_alarm, MetricName="m", Namespace=":n", **alarm)
        self.assertError("ValidationError", None, self.cw.put_metric_alarm, MetricName="m", Namespace="n\u2028", **alarm)

    def test_more_than_ten_metrics_in_math_are_refused(self):
        rid = self.target()
        expression = {"Id": "e", "Expression": "SUM(METRICS())", "ReturnData": True}
        self.math_policy(rid, [self.query(i) for i in range(10)] + [expression])
        self.aas.delete_scaling_policy(PolicyName="math", ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        self.assertError("ValidationException", None, self.math_policy, rid, [self.query(i) for i in range(11)] + [expression])

    def test_target_values_are_taken_within_two_to_the_360(self):
        rid = self.target()
        self.tt_policy(rid, "negative", target=-5.0)
        self.tt_policy(rid, "negative", target=2.0 ** 360)
        self.tt_policy(rid, "negative", target=1e-200)
        self.assertError("ValidationException", None, self.tt_policy, rid, "negative", target=2.0 ** 361)

    def test_every_request_is_recorded_with_its_parameters(self):
        rid = self.target(1, 3)
        self.assertError("ValidationException", None, self.schedule, rid, "a|b", "rate(1 hour)", ScalableTargetAction={"MinCapacity": 1})
        log = control("GET", f"/_standin/requests?region=testing/{self.region}")
        self.assertEqual([r["operation"] for r in log[-2:]], ["RegisterScalableTarget", "PutScheduledAction"])
        self.assertEqual((log[-2]["params"]["MaxCapacity"], log[-2]["violations"]), (3, []))
        self.assertEqual(log[-1]["params"]["ScheduledActionName"], "a|b")
        self.assertEqual(len(log[-1]["violations"]), 1)


class JavaPatterns(unittest.TestCase):
    """model_check.java_regex: Java's regex semantics where Python's differ."""

    def test_surrogate_pairs_are_the_supplementary_range_and_dot_stops_at_line_terminators(self):
        import model_check
        text = model_check.java_regex("[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*")
        self.assertTrue(text.fullmatch("ok 😀 \U0010FFFD\t\n"))
        for bad in ["\x00", "\x1f", "\uFFFE", "\uFFFF"]:
            self.assertIsNone(text.fullmatch(f"a{bad}b"), repr(bad))
        dot = model_check.java_regex("[^:].*")
        for bad in ["\n", "\r", "\u0085", "\u2028", "\u2029"]:
            self.assertIsNone(dot.fullmatch(f"ab{bad}c"), repr(bad))
        self.assertTrue(dot.fullmatch("a\tb"))
        self.assertTrue(model_check.java_regex("\\p{Print}+").fullmatch("Abc ~"))
        self.assertIsNone(model_check.java_regex("\\p{Print}+").fullmatch("é"))

class ScheduledActionUpdates(StandinTest):
    """Rule 12."""

    def test_an_update_keeps_the_time_zone_and_bounds_it_leaves_out_but_drops_start_and_end(self):
        rid = self.target(1, 4)
        self.schedule(rid, "office", "cron(0 8 * * ? *)", Timezone="Europe/Berlin",
                      StartTime=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                      ScalableTargetAction={"MinCapacity": 2, "MaxCapacity": 6})
        self.schedule(rid, "office", "cron(0 9 * * ? *)", ScalableTargetAction={"MinCapacity": 3})
        action = self.aas.describe_scheduled_actions(ServiceNamespace=NS, ResourceId=rid)["ScheduledActions"][0]
        self.assertEqual(action["Schedule"], "cron(0 9 * * ? *)")
        self.assertEqual(action["Timezone"], "Europe/Berlin")
        self.assertEqual(action["ScalableTargetAction"], {"MinCapacity": 3, "MaxCapacity": 6})
        self.assertNotIn("StartTime", action)

if __name__ == "__main__":
    unittest.main()
