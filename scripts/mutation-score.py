#!/usr/bin/env python3
"""Mutation score per Portal.Domain folder from a Stryker JSON report.

score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker counts it;
compile errors and ignored mutants are not in it. Usage: mutation-score.py mutation-report.json
"""
import collections
import json
import sys

report = json.load(open(sys.argv[1]))
counts = collections.defaultdict(collections.Counter)
for path, file in report["files"].items():
    parts = path.replace("\\", "/").split("/")
    folder = parts[parts.index("Domain") + 1] if "Domain" in parts and parts.index("Domain") + 2 < len(parts) else "(root)"
    for mutant in file["mutants"]:
        counts[folder][mutant["status"]] += 1
        counts["ALL"][mutant["status"]] += 1


def score(c):
    detected = c["Killed"] + c["Timeout"]
    valid = detected + c["Survived"] + c["NoCoverage"]
    return detected, valid, (100.0 * detected / valid if valid else float("nan"))


print(f"{'folder':<14}{'score':>8}{'killed':>8}{'timeout':>8}{'survived':>9}{'nocov':>7}{'compile':>8}")
for folder in sorted(counts, key=lambda f: (f == "ALL", f)):
    c = counts[folder]
    _, _, s = score(c)
    print(f"{folder:<14}{s:>7.1f}%{c['Killed']:>8}{c['Timeout']:>8}{c['Survived']:>9}{c['NoCoverage']:>7}{c['CompileError']:>8}")
