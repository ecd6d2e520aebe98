#!/usr/bin/env python3
"""Derive a per-minute request-arrival fixture from an Azure LLM inference trace.

Input: a CSV from github.com/Azure/AzurePublicDataset with the columns
TIMESTAMP,ContextTokens,GeneratedTokens (one row per request), e.g.
data/AzureLLMInferenceTrace_conv.csv (2023, one hour) or the 2024 week-long
AzureLLMInferenceTrace_{conv,code}_1week.csv.

Output: CSV `minute,requests,tokens`, preceded by `# ...` provenance lines.
  minute   = whole minutes since the trace's first minute (0-based); every
             minute from the first to the last is present, zeros included.
  requests = number of requests whose TIMESTAMP falls in that minute
             (timestamps are floored to the minute, not rounded).
  tokens   = sum of ContextTokens + GeneratedTokens over those requests.

Timestamps: the 2023 files carry no zone ("2023-11-16 18:15:46.6805900",
7 fractional digits); the 2024 files carry "+00:00". Zone-less stamps are
taken as UTC. Any explicit offset is converted to UTC.

Two ways to name the input (python3 stdlib only):
  derive.py --git-dir /path/to/repo.git --rev HEAD \
            --path data/AzureLLMInferenceTrace_conv.csv -o out.csv
      reads the file with `git show REV:PATH` and records the resolved
      commit hash in the header.
  derive.py --input local.csv --source-path data/... --commit <sha> -o out.csv
"""
import argparse
import csv
import datetime as dt
import io
import re
import subprocess
import sys

REPO = "https://github.com/Azure/AzurePublicDataset"
LICENCE = ("CC-BY 4.0 (Creative Commons Attribution 4.0 International), "
           "see LICENSE in the source repo")
CITATIONS = {
    2023: ('Pratyush Patel, Esha Choukse, Chaojie Zhang, Aashaka Shah, '
           'Íñigo Goiri, Saeed Maleki, Ricardo Bianchini. "Splitwise: '
           'Efficient generative LLM inference using phase splitting", in '
           'Proceedings of the International Symposium on Computer '
           'Architecture (ISCA 2024). ACM, Buenos Aires, Argentina, 2024.'),
    2024: ('Jovan Stojkovic, Chaojie Zhang, Íñigo Goiri, Josep Torrellas, '
           'Esha Choukse. "DynamoLLM: Designing LLM Inference Clusters for '
           'Performance and Energy Efficiency", in Proceedings of the '
           'International Symposium on High-Performance Computer '
           'Architecture (HPCA 2025). IEEE, Las Vegas, USA, 2025.'),
}

# "YYYY-MM-DD[ T]HH:MM[:SS[.fff...]][Z|+HH:MM|-HH:MM]"
TS_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})"
    r"(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


def minute_of(ts):
    """Return the UTC minute (naive datetime, seconds=0) of a timestamp."""
    m = TS_RE.match(ts)
    if not m:
        raise ValueError("unparseable TIMESTAMP: %r" % ts)
    y, mo, d, h, mi, tz = m.groups()
    t = dt.datetime(int(y), int(mo), int(d), int(h), int(mi))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        hh, mm = int(tz[1:3]), int(tz[-2:])
        # Whole-hour/minute offsets only, so flooring commutes with the shift.
        t -= sign * dt.timedelta(hours=hh, minutes=mm)
    return t


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir=" + git_dir, *args], check=True,
                          stdout=subprocess.PIPE).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--path", help="path inside the repo (with --git-dir)")
    ap.add_argument("--input", help="local CSV (instead of --git-dir)")
    ap.add_argument("--source-path", help="repo path of --input, for header")
    ap.add_argument("--commit", help="commit of --input, for header")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    if a.git_dir:
        if not a.path:
            ap.error("--git-dir needs --path")
        commit = git(a.git_dir, "rev-parse", a.rev + "^{commit}").decode().strip()
        raw = git(a.git_dir, "show", "%s:%s" % (commit, a.path))
        blob = git(a.git_dir, "rev-parse", "%s:%s" % (commit, a.path)).decode().strip()
        src_path, text = a.path, io.StringIO(raw.decode("utf-8-sig"))
    elif a.input:
        commit, blob = a.commit or "unknown", None
        src_path = a.source_path or a.input
        text = open(a.input, newline="", encoding="utf-8-sig")
    else:
        ap.error("give --git-dir/--path or --input")

    reqs, toks = {}, {}
    n = 0
    for row in csv.DictReader(text):
        t = minute_of(row["TIMESTAMP"])
        reqs[t] = reqs.get(t, 0) + 1
        toks[t] = toks.get(t, 0) + int(row["ContextTokens"]) + int(row["GeneratedTokens"])
        n += 1
    if not n:
        sys.exit("no rows")

    first, last = min(reqs), max(reqs)
    span = int((last - first).total_seconds() // 60) + 1
    year = 2024 if first.year >= 2024 else 2023
    zero = sum(1 for i in range(span)
               if first + dt.timedelta(minutes=i) not in reqs)

    cmd = "python3 derive.py " + " ".join(
        x if re.fullmatch(r"[\w./:^@=+-]+", x) else repr(x) for x in sys.argv[1:])
    with open(a.output, "w", newline="", encoding="utf-8") as out:
        w = out.write
        w("# Per-minute request arrivals derived from a public Azure LLM inference trace.\n")
        w("# source: %s  path: %s\n" % (REPO, src_path))
        w("# snapshot commit: %s%s\n" % (commit, "  (blob %s)" % blob if blob else ""))
        w("# licence: %s\n" % LICENCE)
        w("# citation (requested by the dataset): %s\n" % CITATIONS[year])
        w("# derived by: %s\n" % cmd)
        w("# derivation: TIMESTAMP floored to the UTC minute (zone-less stamps taken as UTC);\n")
        w("#   minute = minutes since first minute; requests = rows in that minute;\n")
        w("#   tokens = sum(ContextTokens + GeneratedTokens); all minutes present, zeros included.\n")
        w("# first minute (UTC): %s  last: %s  minutes: %d  zero minutes: %d  requests: %d\n"
          % (first.strftime("%Y-%m-%d %H:%M"), last.strftime("%Y-%m-%d %H:%M"), span, zero, n))
        w("minute,requests,tokens\n")
        for i in range(span):
            t = first + dt.timedelta(minutes=i)
            w("%d,%d,%d\n" % (i, reqs.get(t, 0), toks.get(t, 0)))


if __name__ == "__main__":
    main()
