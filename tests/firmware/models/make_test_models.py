#!/usr/bin/env python3
"""Writes the two synthetic models the emulated firmware run uses besides the demo drive (feather):
a WaveNet with the "nano" preset's shape and an LSTM 1x16. Their weights are pseudo-random (a fixed
32-bit LCG, uniform in +-scale/sqrt(fan-in)), not trained: the run checks that the target computes what
the host computes, which needs realistic magnitudes (activations well inside and outside their linear
range), not a good amp. Deterministic: the same bytes on every run.
Usage: make_test_models.py OUT_DIR   (writes firmware_nano.nam and firmware_lstm_1x16.nam)"""
import json
import math
import sys


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def uniform(self, scale):
        self.state = (1664525 * self.state + 1013904223) % 2**32
        # 24 bits, so every value is an exact float; %.9g below round-trips it
        return scale * ((self.state >> 8) / 2**23 - 1.0)


def wavenet_nano(rng):
    lite1 = [1, 2, 4, 8, 16, 32, 64]
    lite2 = [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    arrays = [(1, 4, 2, lite1, False), (4, 2, 1, lite2, True)]  # input, channels, head, dilations, head bias
    weights = []

    def block(count, fan_in, gain=1.0):
        weights.extend(round(rng.uniform(gain / math.sqrt(fan_in)), 9) for _ in range(count))

    layers = []
    for inp, ch, head, dil, head_bias in arrays:
        block(ch * inp, inp)  # rechannel 1x1, no bias
        for _ in dil:
            block(ch * ch * 3 + ch, ch * 3, 1.5)  # dilated conv (kernel 3) + bias
            block(ch, 1, 0.5)  # input mixin (condition 1 -> ch), no bias
            block(ch * ch + ch, ch)  # layer 1x1 + bias
        block(head * ch + (head if head_bias else 0), ch)  # head rechannel
        layers.append({"input_size": inp, "condition_size": 1, "channels": ch, "head_size": head, "kernel_size": 3,
                       "dilations": dil, "activation": "Tanh", "gated": False, "head_bias": head_bias})
    weights.append(0.3)  # head scale
    return {"layers": layers, "head": None, "head_scale": 0.3}, weights


def lstm_1x16(rng):
    h = 16
    weights = [round(rng.uniform(1.0 / math.sqrt(h + 1)), 9) for _ in range(4 * h * (1 + h))]  # W = [W_ih | W_hh]
    weights += [round(rng.uniform(0.2), 9) for _ in range(4 * h)]  # bias
    weights += [0.0] * (2 * h)  # initial hidden and cell state
    weights += [round(rng.uniform(1.0 / math.sqrt(h)), 9) for _ in range(h)] + [0.0]  # head, head bias
    return {"input_size": 1, "hidden_size": h, "num_layers": 1}, weights


def write(path, name, architecture, config, weights):
    model = {"version": "0.5.4",
             "metadata": {"name": name, "modeled_by": "tests/firmware/models/make_test_models.py (pseudo-random)"},
             "architecture": architecture, "config": config, "weights": weights, "sample_rate": 48000}
    with open(path, "w") as f:
        json.dump(model, f, separators=(",", ":"))
        f.write("\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    write(f"{out}/firmware_nano.nam", "firmware test nano", "WaveNet", *wavenet_nano(Lcg(18)))
    write(f"{out}/firmware_lstm_1x16.nam", "firmware test LSTM 1x16", "LSTM", *lstm_1x16(Lcg(1816)))


main()
