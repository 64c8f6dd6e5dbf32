#!/usr/bin/env python3
"""PyTorch anchor for benchmarks/train/gradient.cpp: the same models, batch and frame length, timed for
forward + backward (ESR loss) + one Adam step, in nanoseconds per sample per batch item.

Usage: pytorch_anchor.py [--threads N] [--repeats R] [--clock cpu|wall] [--json]
Medians of R steps; `--clock cpu` (the default) reports process CPU time, which Google Benchmark's
single-thread figures of benchmarks/train/gradient.cpp also report, so a loaded machine compares fairly.
Skips with exit status 0 and a message when PyTorch is not installed (Debian: python3-torch); it is a
benchmark dependency only. The TCN frames carry their receptive field - 1 of warm-up, as nofold's do.
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
except ImportError:
    print("pytorch_anchor: PyTorch is not installed (apt-get install python3-torch); skipped")
    sys.exit(0)

ITEMS, KEPT = 4, 4410


class Layer(torch.nn.Module):
    """Dilated conv + input mixin, tanh, layer 1x1 residual (a plain NAM WaveNet layer)."""

    def __init__(self, channels, kernel, dilation):
        super().__init__()
        self.conv = torch.nn.Conv1d(channels, channels, kernel, dilation=dilation)
        self.mixin = torch.nn.Conv1d(1, channels, 1, bias=False)
        self.out = torch.nn.Conv1d(channels, channels, 1)

    def forward(self, x, cond):
        a = self.conv(x)
        n = a.shape[-1]
        z = torch.tanh(a + self.mixin(cond[..., -n:]))
        return x[..., -n:] + self.out(z), z


class Array(torch.nn.Module):
    def __init__(self, inputs, channels, head, dilations, head_bias):
        super().__init__()
        self.rechannel = torch.nn.Conv1d(inputs, channels, 1, bias=False)
        self.layers = torch.nn.ModuleList([Layer(channels, 3, d) for d in dilations])
        self.head = torch.nn.Conv1d(channels, head, 1, bias=head_bias)

    def forward(self, x, cond, skip):
        x = self.rechannel(x)
        for layer in self.layers:
            x, z = layer(x, cond)
            n = z.shape[-1]
            skip = z if skip is None else skip[..., -n:] + z
        return x, self.head(skip)


class WaveNet(torch.nn.Module):
    def __init__(self, c1, c2, d1, d2):
        super().__init__()
        self.a1 = Array(1, c1, c2, d1, False)
        self.a2 = Array(c1, c2, 1, d2, True)
        self.receptive_field = 1 + 2 * (sum(d1) + sum(d2))

    def forward(self, x):
        h, head = self.a1(x, x, None)
        _, out = self.a2(h, x, head)
        return 0.02 * out


class Recurrent(torch.nn.Module):
    def __init__(self, cell, hidden):
        super().__init__()
        self.rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(1, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, 1)
        self.receptive_field = 1

    def forward(self, x):
        y, _ = self.rnn(x.transpose(1, 2))
        return self.out(y).transpose(1, 2)


def time_step(model, dtype, repeats, clock):
    model = model.to(dtype)
    warm = model.receptive_field - 1
    x = torch.randn(ITEMS, 1, warm + KEPT, dtype=dtype) * 0.5
    target = torch.randn(ITEMS, 1, KEPT, dtype=dtype) * 0.5
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)

    def step():
        opt.zero_grad()
        y = model(x)[..., -KEPT:]
        loss = ((y - target) ** 2).sum() / (target ** 2).sum()
        loss.backward()
        opt.step()

    step()
    times = []
    for _ in range(repeats):
        start = clock()
        step()
        times.append(clock() - start)
    return statistics.median(times) * 1e9 / (ITEMS * KEPT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    d10 = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    d7, d13 = [1, 2, 4, 8, 16, 32, 64], [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    cases = [
        ("wavenet/standard", lambda: WaveNet(16, 8, d10, d10)),
        ("wavenet/nano", lambda: WaveNet(4, 2, d7, d13)),
        ("lstm/1x40", lambda: Recurrent("lstm", 40)),
        ("lstm/1x16", lambda: Recurrent("lstm", 16)),
        ("gru/1x16", lambda: Recurrent("gru", 16)),
    ]
    rows = []
    for name, make in cases:
        for dtype in (torch.float32, torch.float64):
            clock = time.process_time if args.clock == "cpu" else time.perf_counter
            ns = time_step(make(), dtype, args.repeats, clock)
            rows.append({"case": name, "dtype": str(dtype).replace("torch.", ""), "threads": args.threads,
                         "clock": args.clock, "ns_per_sample_item": ns})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"PyTorch {torch.__version__}, {args.threads} thread(s), batch {ITEMS} x {KEPT}, forward + backward + Adam,"
              f" {args.clock} time")
        for r in rows:
            print(f"{r['case']:18s} {r['dtype']:8s} {r['ns_per_sample_item']:10.0f} ns/sample-item")


if __name__ == "__main__":
    main()
