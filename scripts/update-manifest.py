"""Writes a release's version and checksums into dist/manifest.json.
Usage: python3 scripts/update-manifest.py VERSION SHA256SUMS"""

import json
import sys

version, sums = sys.argv[1], sys.argv[2]
path = "dist/manifest.json"
manifest = json.load(open(path))
manifest["version"] = version
checksums = {}
for line in open(sums):
    digest, name = line.split()
    checksums[name.lstrip("*")] = digest
for target, asset in manifest["assets"].items():
    if asset["file"] not in checksums:
        sys.exit(f"no checksum for {asset['file']} in {sums}")
    asset["sha256"] = checksums[asset["file"]]
json.dump(manifest, open(path, "w"), indent=2)
open(path, "a").write("\n")
