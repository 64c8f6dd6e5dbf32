#!/usr/bin/env python3
"""Speed of nofold.Model.process() on a 10 s buffer against `nofold bench` (the program's model time).

    PYTHONPATH=<build>/python python3 python/bench_process.py NOFOLD_PROGRAM MODEL [MODEL...]

For each model: the median over 7 runs of the process CPU time (time.process_time, like `nofold bench`) of
one process() call on 10 s of -20 dBFS noise at the model's rate (float32, no copy), in ns per sample, next
to `nofold bench MODEL --block 64 --json`'s median ns_per_sample, and their ratio. Run on an idle machine.
"""
import json
import subprocess
import sys
import time

import numpy as np

import nofold

program, models = sys.argv[1], sys.argv[2:]
print(f"{'model':40} {'process() ns/sample':>20} {'nofold bench':>13} {'ratio':>6}")
for path in models:
    model = nofold.load(path)
    n = int(10 * model.sample_rate)
    x = (0.1 * np.random.default_rng(1).standard_normal(n)).astype(np.float32)
    model.process(x)  # warm: caches, clock
    times = []
    for _ in range(7):
        start = time.process_time()
        model.process(x)
        times.append((time.process_time() - start) / n * 1e9)
    python_ns = float(np.median(times))
    bench = json.loads(subprocess.run([program, "bench", path, "--block", "64", "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    cli_ns = bench["ns_per_sample"]
    print(f"{path.split('/')[-1]:40} {python_ns:20.1f} {cli_ns:13.1f} {python_ns / cli_ns:6.3f}")
