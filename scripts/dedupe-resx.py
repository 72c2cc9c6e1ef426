#!/usr/bin/env python3
"""Drops repeated <data name="..."> entries from a .resx (the first one wins); prints what it dropped.
Used after merging branches that each added Russian texts (see .gitattributes)."""
import re
import sys

for path in sys.argv[1:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    seen, out = set(), []
    for line in lines:
        m = re.match(r'\s*<data name="([^"]*)"', line)
        if m and "</data>" in line:
            if m.group(1) in seen:
                print(f"{path}: dropped repeated {m.group(1)!r}")
                continue
            seen.add(m.group(1))
        out.append(line)
    open(path, "w", encoding="utf-8").write("\n".join(out))
