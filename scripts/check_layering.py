#!/usr/bin/env python3
"""Checks that every include inside include/nofold/ runs down the layer order of docs/layering.md.

Usage: check_layering.py [ROOT] [--allow FILE]   exit 0 when clean, 1 on any violation
       check_layering.py --table                  print the allowed table as docs/layering.md shows it

ROOT is the folder that holds include/nofold (default: the repository). An area is a folder of
include/nofold (its detail/ subfolder included) or a file at its top. Includes inside an area are
always allowed; across areas only those of ALLOWED. An area missing from ALLOWED is an error too, so
a new folder or top-level header gets its place in the order before anything can include it.

The allow-list (default scripts/layering_allow.txt) holds known violations still to be removed, one
`path -> included path` a line (paths below include/nofold). An entry that no longer matches a
violation is reported as well, so the list only ever shrinks.
"""
import argparse
import os
import re
import sys

BASE = ["config.hpp", "model.hpp"]  # the build switches and the Model interface every layer may use
BELOW_TOP = ["io", "isa", "runtime", "nn", "dsp", "analysis", "math", "simd"] + BASE

# Area -> the other areas its headers may include (target state; see docs/layering.md).
ALLOWED = {
    "config.hpp": [],
    "model.hpp": ["config.hpp"],
    "simd": ["config.hpp"],
    "math": ["simd", "config.hpp"],
    "nn": ["math", "simd"] + BASE,
    "dsp": ["math", "simd"] + BASE,
    "analysis": ["dsp", "math", "simd"] + BASE,
    "runtime": ["nn", "math", "simd"] + BASE,
    "isa": ["nn", "simd"] + BASE,  # run-time ISA dispatch: flag-independent declarations (+ active.hpp: simd)
    "io": ["isa", "runtime", "nn", "dsp", "math", "simd"] + BASE,
    "isa_backend.hpp": BELOW_TOP,  # one backend translation unit: the whole factory, renamed
    "processor.hpp": BELOW_TOP,
    "train": BELOW_TOP,
    "nofold.hpp": BELOW_TOP + ["processor.hpp"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def area_of(rel):
    """Area of a path relative to include/nofold: its first folder, or the file name at the top."""
    return rel.split("/", 1)[0]


def table_markdown():
    rows = ["| area | may include (besides itself) |", "|---|---|"]
    for area, allowed in ALLOWED.items():
        rows.append("| `%s` | %s |" % (area, ", ".join("`%s`" % a for a in allowed) or "nothing"))
    return "\n".join(rows)


def violations(root):
    """Yields (header, line number, included path, message); paths relative to include/nofold."""
    top = os.path.join(root, "include", "nofold")
    for folder, _, files in sorted(os.walk(top)):
        for name in sorted(files):
            if not name.endswith((".hpp", ".h")):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, top).replace(os.sep, "/")
            area = area_of(rel)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(2)
                    if target.startswith("nofold/"):
                        target_rel = target[len("nofold/"):]
                    elif m.group(1) == '"':
                        target_rel = os.path.relpath(os.path.normpath(os.path.join(folder, target)), top)
                        target_rel = target_rel.replace(os.sep, "/")
                        if target_rel.startswith(".."):
                            yield rel, number, target, "includes a file outside include/nofold"
                            continue
                    else:
                        continue  # the standard library or xsimd
                    target_area = area_of(target_rel)
                    if target_area == area:
                        continue
                    if area not in ALLOWED:
                        yield rel, number, target_rel, "area '%s' is not in the layer table" % area
                    elif target_area not in ALLOWED:
                        yield rel, number, target_rel, "area '%s' is not in the layer table" % target_area
                    elif target_area not in ALLOWED[area]:
                        yield rel, number, target_rel, "%s may not include %s" % (area, target_area)


def main(argv):
    parser = argparse.ArgumentParser(description="Checks the include order of include/nofold.")
    parser.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--allow", help="allow-list file (default ROOT/scripts/layering_allow.txt)")
    parser.add_argument("--table", action="store_true", help="print the allowed table and exit")
    args = parser.parse_args(argv)
    if args.table:
        print(table_markdown())
        return 0
    allow_path = args.allow or os.path.join(args.root, "scripts", "layering_allow.txt")
    allowed = set()
    if os.path.exists(allow_path):
        with open(allow_path, encoding="utf-8") as f:
            allowed = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    failed = False
    seen = set()
    for rel, number, target, message in violations(args.root):
        key = "%s -> %s" % (rel, target)
        if key in allowed:
            seen.add(key)
            continue
        print("layering: include/nofold/%s:%d: %s (%s)" % (rel, number, message, target))
        failed = True
    for key in sorted(allowed - seen):
        print("layering: '%s' no longer occurs: remove it from %s" % (key, allow_path))
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
