#!/usr/bin/env python3
"""Checks that references to the documentation can be followed.

- Every `docs/<page>.md` named in include/, tests/, examples/, benchmarks/, scripts/ or README.md exists,
  and a section number right after it (`docs/metrics.md §5`, `§2.8`, `§3–5`: the first number counts)
  is a heading of that page (`## 5.` or `### 2.8`). Links between pages (`[x.md](x.md) §N`) likewise.
- Library headers cite files inside the repository, never the ../shared folder beside it, which users
  of the library do not have (tests may read data from it; headers may not point there).

Usage: check_doc_refs.py [ROOT]    exit 0 when every reference resolves, 1 otherwise.
"""
import os
import re
import sys

CITE = re.compile(r"docs/([\w-]+\.md)(?:\s*§\s*(\d+(?:\.\d+)?))?")
LINK = re.compile(r"\]\(([\w-]+\.md)\)(?:\s*§\s*(\d+(?:\.\d+)?))?")
SCANNED = ("include", "tests", "examples", "benchmarks", "scripts")
SOURCE_ENDINGS = (".hpp", ".h", ".cpp", ".sh", ".py", ".txt", ".build", ".md", ".cmake")


def headings(path):
    numbers = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#{2,4}\s+(\d+(?:\.\d+)*)[.\s]", line)
            if m:
                numbers.add(m.group(1))
    return numbers


def files(root):
    yield os.path.join(root, "README.md")
    for top in SCANNED:
        for folder, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith(SOURCE_ENDINGS):
                    yield os.path.join(folder, name)


def main(argv):
    root = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    docs = os.path.join(root, "docs")
    cache = {}
    problems = []

    def check(where, page, section):
        path = os.path.join(docs, page)
        if not os.path.isfile(path):
            problems.append("%s: docs/%s does not exist" % (where, page))
            return
        if section:
            if page not in cache:
                cache[page] = headings(path)
            if section not in cache[page]:
                problems.append("%s: docs/%s has no section %s" % (where, page, section))

    for path in files(root):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if not os.path.isfile(path) or rel.startswith("tests/lint/") or rel == "scripts/check_doc_refs.py":
            continue  # the checks' own tests and text hold deliberate bad references
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                for m in CITE.finditer(line):
                    check("%s:%d" % (rel, number), m.group(1), m.group(2))
                if rel.startswith("include") and "../shared" in line:
                    problems.append("%s:%d: a library header points at ../shared; cite docs/ instead" % (rel, number))
    if os.path.isdir(docs):
        for name in sorted(os.listdir(docs)):
            if name.endswith(".md"):
                with open(os.path.join(docs, name), encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        for m in LINK.finditer(line):
                            check("docs/%s:%d" % (name, number), m.group(1), m.group(2))
    for p in problems:
        print("doc refs: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
