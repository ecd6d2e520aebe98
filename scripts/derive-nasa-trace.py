#!/usr/bin/env python3
"""Derive a per-minute request-arrival fixture from the NASA-HTTP trace (July 1995).

Input: dataset/nasa/workload.tbz2 of github.com/reconfigurable-ml-pipeline/web-service-datasets,
a bzip2 tar holding workload.txt: space-separated requests per second, made by that repo's
dataset/nasa/dataset_reader.py from the ITA logs NASA_access_log_Jul95 followed directly by
NASA_access_log_Aug95. How that reader lays the seconds out, which this script relies on:
  - the first value is the second of the Jul file's first line, 01/Jul/1995:00:00:01 -0400
    (EDT); seconds with no line inside a file are zeros;
  - nothing is filled between the two files: the Aug file's first second follows the Jul
    file's last directly, so the index stops being Jul's clock where the Jul file ends;
  - each file's last second is never written out (its count is dropped).

Output: CSV `minute,requests`, preceded by `# ...` provenance lines.
  minute   = whole minutes since 1995-07-01 04:00 UTC (00:00 EDT), 0-based;
  requests = sum of the per-second counts in that minute. The first value is second :01, so
             minute m holds values 60m-1 .. 60m+58 (minute 0 has 59: second :00 is absent).
Only the Jul file's seconds are used, whole minutes only, at most --days days.

Where the Jul file ends is found from the data: the longest run of zeros is the Aug file's
Hurricane Erin outage, which the ITA page dates "from 01/Aug/1995:14:52:01 until
03/Aug/1995:04:36:13"; its first silent second (14:52:02) is 53,521 s after the Aug file's
first (00:00:01), which gives the index where the Aug file starts.

  derive-nasa-trace.py --git-dir /path/to/web-service-datasets.git --rev HEAD -o out.csv
reads the archive with `git show REV:PATH` and records the commit and blob in the header
(python3 stdlib only).
"""
import argparse
import datetime as dt
import io
import re
import subprocess
import sys
import tarfile

REPO = "https://github.com/reconfigurable-ml-pipeline/web-service-datasets"
PATH = "dataset/nasa/workload.tbz2"
ORIGIN = ("ITA NASA-HTTP, https://ita.ee.lbl.gov/html/contrib/NASA-HTTP.html "
          "(ftp://ita.ee.lbl.gov/html/contrib/NASA-HTTP.html); logs collected by Jim Dumoulin "
          "(KSC), contributed by Martin Arlitt and Carey Williamson (U. of Saskatchewan)")
LICENCE = ('the ITA page\'s "Restrictions": "The traces may be freely redistributed." '
           "(its Privacy note asks for no analysis beyond general traffic patterns; "
           "this file keeps only counts). The derived repo has no LICENSE file of its own")
# 00:00 EDT (UTC-4) on 1 July 1995, the log's first day.
FIRST_MINUTE_UTC = dt.datetime(1995, 7, 1, 4, 0, tzinfo=dt.timezone.utc)
# The Hurricane Erin outage: its length, and where it starts after the Aug file's first value.
OUTAGE_SECONDS = 135_851  # 01/Aug 14:52:02 .. 03/Aug 04:36:12, inclusive
OUTAGE_AFTER_AUG_START = 53_521  # 14:52:02 - 00:00:01


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir=" + git_dir, *args], check=True,
                          stdout=subprocess.PIPE).stdout


def per_second(archive):
    """The counts in the archive's workload.txt."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:bz2") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("workload.txt"))
        return [int(x) for x in tar.extractfile(member).read().split()]


def longest_zero_run(values):
    """(start, length) of the longest run of zeros."""
    best, start = (0, 0), None
    for i, v in enumerate(values + [1]):
        if v == 0 and start is None:
            start = i
        elif v != 0 and start is not None:
            best = max(best, (i - start, start))
            start = None
    return best[1], best[0]


def july_end(values):
    """Index of the Aug file's first value: where July's seconds stop."""
    start, length = longest_zero_run(values)
    if length != OUTAGE_SECONDS:
        sys.exit("the longest zero run (%d s at %d) is not the Hurricane Erin outage" % (length, start))
    return start - OUTAGE_AFTER_AUG_START


def per_minute(values, end, most):
    """Whole minutes of values[:end]: minute m is values[60m-1 .. 60m+58]."""
    out = []
    while len(out) < most and 60 * len(out) + 59 <= end:
        m = len(out)
        out.append(sum(values[max(60 * m - 1, 0):60 * m + 59]))
    return out


def write(path, minutes, about):
    last = FIRST_MINUTE_UTC + dt.timedelta(minutes=len(minutes) - 1)
    with open(path, "w", newline="", encoding="utf-8") as out:
        w = out.write
        w("# Per-minute request arrivals derived from the NASA Kennedy Space Center WWW server's "
          "HTTP logs (July 1995).\n")
        w("# origin: %s\n" % ORIGIN)
        w("# source: %s  path: %s\n" % (REPO, PATH))
        w("# snapshot commit: %s  (blob %s)\n" % (about["commit"], about["blob"]))
        w("# licence: %s\n" % LICENCE)
        w("# derived by: %s\n" % about["cmd"])
        w("# derivation: per-second counts summed per minute of the log's clock (EDT, UTC-4);\n")
        w("#   the first count is second 00:00:01 (1-second offset): minute 0 has 59 seconds;\n")
        w("#   seconds without a log line are zeros; only the Jul file's seconds are used.\n")
        w("# the Jul file's last line is at %s EDT (the ITA page says it runs to 31 July): the\n"
          % about["jul_last"].strftime("%d/%b/%Y:%H:%M:%S"))
        w("#   last whole minute before it is kept; the days after are not filled in.\n")
        w("# first minute (UTC): %s  last: %s  minutes: %d  zero minutes: %d  requests: %d\n"
          % (FIRST_MINUTE_UTC.strftime("%Y-%m-%d %H:%M"), last.strftime("%Y-%m-%d %H:%M"),
             len(minutes), minutes.count(0), sum(minutes)))
        w("minute,requests\n")
        for i, r in enumerate(minutes):
            w("%d,%d\n" % (i, r))


def command(a):
    """How this file was made, with the local clone's path left out."""
    args = ["--git-dir", "<a clone of reconfigurable-ml-pipeline/web-service-datasets>",
            "--rev", a.rev, "--path", a.path, "--days", str(a.days), "-o", a.output]
    return "python3 scripts/derive-nasa-trace.py " + " ".join(
        x if re.fullmatch(r"[\w./:^@=+-]+", x) else repr(x) for x in args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--path", default=PATH)
    ap.add_argument("--days", type=int, default=28, help="at most this many days")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    commit = git(a.git_dir, "rev-parse", a.rev + "^{commit}").decode().strip()
    blob = git(a.git_dir, "rev-parse", "%s:%s" % (commit, a.path)).decode().strip()
    values = per_second(git(a.git_dir, "show", "%s:%s" % (commit, a.path)))
    end = july_end(values)
    minutes = per_minute(values, end, a.days * 1440)
    # Value i is second i + 1 of the log's clock; the file's last line (second end + 1) is
    # the one the reader never wrote out.
    jul_last = dt.datetime(1995, 7, 1) + dt.timedelta(seconds=end + 1)
    write(a.output, minutes, {"commit": commit, "blob": blob, "cmd": command(a), "jul_last": jul_last})


if __name__ == "__main__":
    main()
