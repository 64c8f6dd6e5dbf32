#!/usr/bin/env python3
"""Checks, from a GNU ld / lld link map, the one-definition-rule argument of nofold's ISA dispatch
(include/nofold/isa_backend.hpp, docs/isa-dispatch.md).

The backends put every nofold function in a namespace of their own; what they still share with the rest of
the program are standard-library functions (and the flag-independent nofold types' members), compiled with
the backend's flags. For each such function the linker keeps one copy. Safe means: the kept copy comes from
the lowest-level object that has one (baseline objects first, then sse41, avx2, avx512), because any code
calling the function is in an object that has a copy too, so it only runs on CPUs that can run the kept one.

Usage: check_link_map.py MAP_FILE   -> exit 0 and a one-line summary, or 1 and the offending sections.
"""
import re
import sys

LEVELS = {"sse41": 1, "avx2": 2, "avx512": 3}


def rank(obj):
    m = re.search(r"_nofold_isa_(sse41|avx2|avx512)\.(a|lib)\(", obj)
    return LEVELS[m.group(1)] if m else 0


def sections(lines):
    """Yields (section name, object file) for every input section line of a GNU ld map."""
    pending = None
    for line in lines:
        m = re.match(r"^ (\.text\S*)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.text\S*)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(\S.*)$", line)
        if m:
            yield m.group(1), m.group(2).strip()
            pending = None
            continue
        m = re.match(r"^\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(\S.*)$", line)
        if m and pending:
            yield pending, m.group(1).strip()
        pending = None


def main():
    text = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
    try:
        split = text.index("Memory Configuration")
    except ValueError:
        print("check_link_map: not a GNU ld map file", file=sys.stderr)
        return 2
    discarded, kept = {}, {}
    for name, obj in sections(text[:split]):
        discarded.setdefault(name, []).append(rank(obj))
    for name, obj in sections(text[split:]):
        kept.setdefault(name, []).append((rank(obj), obj))
    if not any(r for copies in kept.values() for r, _ in copies):
        print("check_link_map: no ISA backend objects in the link", file=sys.stderr)
        return 2
    # A name kept from several objects is a local function (a compiler clone such as .isra.0, outside any
    # shared group): each object calls its own. A discarded copy was replaced by a kept one of the same name,
    # so some kept copy must be of its level or lower.
    shared = bad = 0
    for name, copies in sorted(kept.items()):
        lowest, obj = min(copies)
        lost = discarded.get(name, [])
        if any(d != lowest for d in lost):
            shared += 1
        if any(d < lowest for d in lost):
            bad += 1
            print(f"kept from level {lowest} ({obj}) although a lower level has a copy: {name}")
    backend = sum(1 for copies in kept.values() if min(copies)[0] > 0)
    print(f"check_link_map: {len(kept)} text sections, {backend} from backends, {shared} with copies in "
          f"several levels, {bad} kept from a higher level than the lowest copy")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
