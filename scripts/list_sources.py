#!/usr/bin/env python3
"""Prints the files matching a glob, one per line, sorted: Meson's stand-in for CMake's file(GLOB).

Usage: list_sources.py DIR PATTERN   (paths printed relative to DIR)
"""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
for path in sorted(root.glob(sys.argv[2])):
    print(path.relative_to(root).as_posix())
