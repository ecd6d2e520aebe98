"""Measures start-up, plan and apply of sagemaker-autoscale against the local AWS stand-in,
side by side with boto3 and the aws CLI doing the same reads. Prints markdown."""

import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/sagemaker-autoscale")
BENCH_PY = os.path.join(ROOT, ".venv-bench/bin/python")
AWS_CLI = os.path.join(ROOT, ".venv-bench/bin/aws")
LATENCY = 0.020

BOTO3_READS = """
import boto3, sys
region, rid, alarm = sys.argv[1:4]
aas = boto3.client("application-autoscaling", region_name=region)
cw = boto3.client("cloudwatch", region_name=region)
aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[rid])
aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=rid)
aas.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=rid)
cw.describe_alarms(AlarmNames=[alarm])
"""


def start_standin():
    p = subprocess.Popen([os.path.join(ROOT, ".venv/bin/python"), os.path.join(ROOT, "tests/standin/aws_standin.py"), "0", "--exit-with-parent"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, port


SIMULATE_PUT = """
import boto3, datetime
cw = boto3.client("cloudwatch", region_name="{region}", endpoint_url="http://127.0.0.1:{port}",
                  aws_access_key_id="{key}", aws_secret_access_key="bench")
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
ep = [{{"Name": "EndpointName", "Value": "bench-0000"}}]
var = ep + [{{"Name": "VariantName", "Value": "AllTraffic"}}]
backlog, cpu = [], []
for m in range(1, 1441):
    t = now - datetime.timedelta(minutes=m)
    busy = (m // 60) % 3 == 0
    backlog.append({{"MetricName": "ApproximateBacklogSize", "Dimensions": ep, "Timestamp": t, "Value": 50.0 if busy else 0.0}})
    cpu.append({{"MetricName": "CPUUtilization", "Dimensions": var, "Timestamp": t, "Value": 180.0 if busy else 5.0}})
for i in range(0, 1440, 500):
    cw.put_metric_data(Namespace="AWS/SageMaker", MetricData=backlog[i:i + 500])
    cw.put_metric_data(Namespace="/aws/sagemaker/Endpoints", MetricData=cpu[i:i + 500])
"""


def control(port, method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req))


def env(port, key):
    e = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY="bench",
             AWS_EC2_METADATA_DISABLED="true", AWS_DEFAULT_REGION="us-east-1", NO_COLOR="1")
    e.pop("SAGEMAKER_AUTOSCALE_RETRY_BASE_MS", None)
    return e


def timed(cmd, e, runs=5):
    """Median wall seconds and median peak RSS (MB) over runs."""
    walls, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=e, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        rss.append(int(out.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(walls), statistics.median(rss)


def config(n, region, folder):
    path = os.path.join(folder, f"bench-{region}-{n}.toml")
    with open(path, "w") as f:
        f.write(f'region = "{region}"\n')
        for i in range(n):
            f.write(f'[[endpoint]]\nname = "bench-{i:04d}"\nmax_capacity = 4\npreset = "async-cpu"\n\n')
    return path


def calls(port, key, region):
    return control(port, "GET", f"/_standin/calls?region={key}/{region}")


def critical_path(n, total, reader):
    """Sequential round trips of one plan of n applied endpoints (2 policies each) in a namespace
    of `total` targets: pages of one chain follow each other; 8 independent calls in flight."""
    alarms = math.ceil(math.ceil(n / 100) / 8)
    if reader == "boto3, per resource":
        return 4 * n
    if reader == "auto" and total <= 8.4 * n:
        # targets listed page by page, then policies and schedules as two chains side by side
        return math.ceil(total / 50) + max(math.ceil(2 * n / 10), 1) + alarms
    # (auto: one listing page first) targets by id, then per target policies and schedules
    probe = 1 if reader == "auto" else 0
    return probe + math.ceil(math.ceil(n / 50) / 8) + math.ceil(2 * n / 8) + alarms


BOTO3_ALL = """
import boto3, sys
region, n = sys.argv[1], int(sys.argv[2])
aas = boto3.client("application-autoscaling", region_name=region)
cw = boto3.client("cloudwatch", region_name=region)
for i in range(n):
    rid = f"endpoint/bench-{i:04d}/variant/AllTraffic"
    aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[rid])
    aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=rid)
    aas.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=rid)
    cw.describe_alarms(AlarmNames=[f"bench-{i:04d}-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy"])
"""

REGISTER = """
import boto3, sys
region, n = sys.argv[1], int(sys.argv[2])
aas = boto3.client("application-autoscaling", region_name=region)
for i in range(n):
    aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=f"endpoint/other-{i:05d}/variant/AllTraffic",
                                 ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=1, MaxCapacity=2)
"""


def register_others(port, key, region, n):
    """Targets of other teams in the same namespace (registered by hand, no policies)."""
    subprocess.run([BENCH_PY, "-c", REGISTER, region, str(n)], env=env(port, key), check=True)


def main():
    max_n = int(sys.argv[1])
    standin, port = start_standin()
    folder = tempfile.mkdtemp()
    print(f"Machine: {os.cpu_count()} cores; stand-in: moto 5.2.5 on loopback; latency injection {int(LATENCY * 1000)} ms per AWS call where marked.\n")

    only = os.environ.get("BENCH_ONLY")  # e.g. "reads": run that section alone
    if only and only != "reads":
        sys.exit(f"BENCH_ONLY={only}: only 'reads' can run alone")
    if not only:
        head_sections(port, folder)
    reads_at_scale(port, folder, max_n)
    if not only:
        tail_sections(port, folder)
    standin.stdin.close()


def head_sections(port, folder):
    print("## Start-up (median of 5; peak RSS)\n")
    print("| command | wall | peak RSS |\n|---|---|---|")
    base = env(port, "bench")
    for label, cmd in [
        ("`sagemaker-autoscale --version`", [BIN, "--version"]),
        ("`aws --version` (awscli 1.46.3)", [AWS_CLI, "--version"]),
        ("`python -c 'import boto3'` (1.44.8)", [BENCH_PY, "-c", "import boto3"]),
    ]:
        wall, rss = timed(cmd, base, runs=10)
        print(f"| {label} | {wall * 1000:.1f} ms | {rss:.1f} MB |")

    print("\n## Plan of the seed endpoint, applied (median of 5)\n")
    print("| tool | AWS calls | wall | peak RSS |\n|---|---|---|---|")
    region, key = "us-east-1", "seed"
    seed = config(1, region, folder)
    e = env(port, key)
    subprocess.run([BIN, "apply", "--auto-approve", "--config", seed], env=e, capture_output=True, check=True)
    rid, alarm = "endpoint/bench-0000/variant/AllTraffic", "bench-0000-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy"
    rows = [
        ("sagemaker-autoscale plan", [BIN, "plan", "--config", seed]),
        ("boto3 script, same reads", [BENCH_PY, "-c", BOTO3_READS, region, rid, alarm]),
    ]
    for label, cmd in rows:
        before = len(calls(port, key, region))
        subprocess.run(cmd, env=e, capture_output=True, check=True)
        n_calls = len(calls(port, key, region)) - before
        wall, rss = timed(cmd, e)
        print(f"| {label} | {n_calls} | {wall * 1000:.0f} ms | {rss:.1f} MB |")
    cli = [
        ["application-autoscaling", "describe-scalable-targets", "--service-namespace", "sagemaker", "--resource-ids", rid],
        ["application-autoscaling", "describe-scaling-policies", "--service-namespace", "sagemaker", "--resource-id", rid],
        ["application-autoscaling", "describe-scheduled-actions", "--service-namespace", "sagemaker", "--resource-id", rid],
        ["cloudwatch", "describe-alarms", "--alarm-names", alarm],
    ]
    walls, peak = [], 0.0
    for _ in range(5):
        total = 0.0
        for c in cli:
            w, r = timed([AWS_CLI, "--region", region] + c, e, runs=1)
            total += w
            peak = max(peak, r)
        walls.append(total)
    print(f"| aws CLI, same reads (4 processes) | 4 | {statistics.median(walls) * 1000:.0f} ms | {peak:.1f} MB |")



def reads_at_scale(port, folder, max_n):
    print("\n## Reads at scale: plan of applied endpoints (2 policies + 1 alarm each)\n")
    print("Two account shapes: the config covers the namespace, or it is a small part of a namespace of")
    print("2,000 targets. `auto` is the reader (namespace or per target, whichever costs fewer calls);")
    print("`per target` is the reader before it (SAGEMAKER_AUTOSCALE_READS=per-target); boto3 reads each")
    print("endpoint's target, policies, scheduled actions and alarm (4 calls), as a per-resource script or")
    print("Terraform's refresh does (aws_appautoscaling_target, _policy x2, aws_cloudwatch_metric_alarm:")
    print("one Describe each). With 20 ms injected per call; critical path = sequential round trips.\n")
    print("| endpoints | namespace | reader | AWS calls | calls / endpoint | wall | wall with 20 ms | critical path x 20 ms |")
    print("|---|---|---|---|---|---|---|---|")
    regions = iter(["eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "me-south-1", "af-south-1"])
    for n in [1, 10, 100, 1000]:
        if n > max_n:
            break
        for shape in ["covers", "small part"]:
            if shape == "small part" and n > 100:
                continue
            region, key = next(regions), f"reads{n}{shape[0]}"
            e = env(port, key)
            path = config(n, region, folder)
            subprocess.run([BIN, "apply", "--auto-approve", "--config", path], env=e, capture_output=True, check=True)
            total = n
            if shape == "small part":
                others = 2000 - n
                register_others(port, key, region, others)
                total = 2000
            for reader, extra in [("auto", {}), ("per target", {"SAGEMAKER_AUTOSCALE_READS": "per-target"}), ("boto3, per resource", None)]:
                if extra is None:
                    cmd = [BENCH_PY, "-c", BOTO3_ALL, region, str(n)]
                    re = e
                else:
                    cmd = [BIN, "plan", "--config", path]
                    re = dict(e, **extra)
                before = len(calls(port, key, region))
                subprocess.run(cmd, env=re, capture_output=True, check=True)
                n_calls = len(calls(port, key, region)) - before
                wall, _ = timed(cmd, re, runs=1)
                control(port, "POST", "/_standin/faults", [{"region": f"{key}/{region}", "delay": LATENCY, "times": 10**9}])
                slow, _ = timed(cmd, re, runs=1)
                control(port, "DELETE", f"/_standin/faults?region={key}/{region}")
                cp = critical_path(n, total, reader)
                print(f"| {n} | {total} ({shape}) | {reader} | {n_calls} | {n_calls / n:.2f} | {wall:.2f} s | {slow:.2f} s | {cp} x 20 ms = {cp * LATENCY:.2f} s |")



def tail_sections(port, folder):
    print("\n## Apply of 100 endpoints from scratch, 20 ms latency per call\n")
    print("`--parallelism N`: scalable targets changed at once. With throttling, a seeded 20 % of")
    print("all calls answer ThrottlingException (the SDK and the tool retry with backoff).\n")
    print("| parallelism | throttling | AWS calls | throttled | wall | converged |")
    print("|---|---|---|---|---|---|")
    regions = iter(["ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
                    "ca-central-1", "sa-east-1", "us-west-1", "us-west-2", "us-east-2"])
    for throttled in [False, True]:
        for parallelism in [1, 2, 4, 8, 16]:
            region, key = next(regions), "apply100"
            e = env(port, key)
            path = config(100, region, folder)
            scope = f"{key}/{region}"
            faults = [{"region": scope, "delay": LATENCY, "times": 10**9}]
            if throttled:
                faults.append({"region": scope, "status": 400, "code": "ThrottlingException",
                               "message": "Rate exceeded", "fraction": 0.2, "seed": parallelism})
            control(port, "POST", "/_standin/faults", faults)
            start = time.perf_counter()
            run = subprocess.run([BIN, "apply", "--auto-approve", "--parallelism", str(parallelism), "--config", path],
                                 env=e, capture_output=True)
            wall = time.perf_counter() - start
            hits = sum(f.get("hits", 0) for f in control(port, "GET", "/_standin/faults")
                       if f.get("region") == scope and "code" in f)
            n_calls = len(calls(port, key, region))
            control(port, "DELETE", f"/_standin/faults?region={scope}")
            again = subprocess.run([BIN, "plan", "--detailed-exitcode", "--config", path], env=e, capture_output=True)
            ok = "yes" if run.returncode == 0 and again.returncode == 0 else f"no (apply exit {run.returncode})"
            print(f"| {parallelism} | {'20 %' if throttled else 'none'} | {n_calls} | {hits} | {wall:.1f} s | {ok} |")

    print("\n## simulate: one endpoint (the seed), one day of one-minute data (median of 3)\n")
    region, key = "eu-south-1", "simulate"
    e = env(port, key)
    path = config(1, region, folder)
    subprocess.run([BIN, "apply", "--auto-approve", "--config", path], env=e, capture_output=True, check=True)
    put = SIMULATE_PUT.format(port=port, region=region, key=key)
    subprocess.run([os.path.join(ROOT, ".venv-bench/bin/python"), "-c", put], check=True)
    until = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime())
    before = len(calls(port, key, region))
    cmd = [BIN, "simulate", "--config", path, "--days", "1", "--until", until, "--price", "1"]
    subprocess.run(cmd, env=e, capture_output=True, check=True)
    n_calls = len(calls(port, key, region)) - before
    wall, rss = timed(cmd, e, runs=3)
    print("| AWS calls | wall | peak RSS |\n|---|---|---|")
    print(f"| {n_calls} | {wall * 1000:.0f} ms | {rss:.1f} MB |")
    print("\n(wall is mostly moto computing GetMetricData in Python; the simulation itself is 1,440 steps)")

    print("\n## Binaries\n")
    print("| file | bytes |\n|---|---|")
    for t in ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"]:
        p = os.path.join(ROOT, f"target/dist/sagemaker-autoscale-{t}")
        print(f"| {os.path.basename(p)} | {os.path.getsize(p) if os.path.exists(p) else 'not built (scripts/build-dist.sh)'} |")
    print(f"| target/release/sagemaker-autoscale (glibc, not stripped) | {os.path.getsize(BIN)} |")

    print("\n## Install step of the action (dist/install.sh), release asset from a file:// stand-in\n")
    asset = os.path.join(ROOT, "target/dist/sagemaker-autoscale-x86_64-unknown-linux-musl")
    if os.path.exists(asset):
        print("| case | wall (median of 5) |\n|---|---|")
        for label, cached in [("fresh: copy + sha256 verify + install into the tool cache", False),
                              ("cached: sha256 verify of the cached binary only", True)]:
            times = []
            for _ in range(5):
                with tempfile.TemporaryDirectory() as d:
                    os.makedirs(f"{d}/action/dist")
                    os.makedirs(f"{d}/release/v0.0.0-bench")
                    shutil.copy(os.path.join(ROOT, "dist/install.sh"), f"{d}/action/dist/install.sh")
                    shutil.copy(asset, f"{d}/release/v0.0.0-bench/sagemaker-autoscale-x86_64-unknown-linux-musl")
                    with open(asset, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                    manifest = {"version": "0.0.0-bench", "release_base": "https://example.invalid/releases",
                                "assets": {"x86_64-unknown-linux-musl": {"file": "sagemaker-autoscale-x86_64-unknown-linux-musl", "sha256": digest}}}
                    with open(f"{d}/action/dist/manifest.json", "w") as f:
                        json.dump(manifest, f)
                    ienv = dict(os.environ, ACTION_PATH=f"{d}/action", RUNNER_OS="Linux", RUNNER_ARCH="X64",
                                RUNNER_TOOL_CACHE=f"{d}/cache", RUNNER_TEMP=f"{d}/tmp", GITHUB_OUTPUT=f"{d}/output",
                                SAGEMAKER_AUTOSCALE_RELEASE_BASE=f"file://{d}/release")
                    if cached:
                        subprocess.run(["bash", f"{d}/action/dist/install.sh"], env=ienv, capture_output=True, check=True)
                    start = time.perf_counter()
                    subprocess.run(["bash", f"{d}/action/dist/install.sh"], env=ienv, capture_output=True, check=True)
                    times.append(time.perf_counter() - start)
            print(f"| {label} | {statistics.median(times) * 1000:.0f} ms |")
    else:
        print("not built (scripts/build-dist.sh)")


if __name__ == "__main__":
    main()
