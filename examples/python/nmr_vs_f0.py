#!/usr/bin/env python3
"""How audible is a model's aliasing, note by note? NMR-S against f0 over the chromatic set, at 1x, 2x and 4x
oversampling: a notebook-style walk through the nofold Python module.

    python3 examples/python/nmr_vs_f0.py [MODEL.nam] [--out nmr_vs_f0.png]

Prints the mean NMR-S / ESR-S per oversampling factor and level, and, when matplotlib is installed, plots
NMR-S (dB) against f0 (log axis) with the approximate audibility threshold of -10 dB.
"""
import argparse
import pathlib

import numpy as np

import nofold
from nofold import metrics

here = pathlib.Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("model", nargs="?", default=str(here.parent / "models" / "nofold_demo_drive.nam"))
parser.add_argument("--out", default="nmr_vs_f0.png", help="where to save the plot (needs matplotlib)")
args = parser.parse_args()

# 1. Load the model: the same reader, dispatch and prewarm as `nofold process`.
model = nofold.load(args.model)
print(f"{args.model}: {model.info['architecture']}, {model.info['implementation']}, {model.sample_rate:.0f} Hz")

# 2. The chromatic set (MIDI 21-108 x {-36, -18, -6} dBFS) at three oversampling factors.
tables = {}
for factor in (1, 2, 4):
    m = model if factor == 1 else nofold.oversampled(model, factor)
    tables[factor] = metrics.chromatic(m, as_frame=False)  # dict of NumPy arrays (pandas not needed)


def mean_db(db):  # the literature's summary: the mean of the linear values, in dB
    return 10 * np.log10(np.mean(10 ** (np.asarray(db) / 10)))


# 3. A summary table.
print(f"{'oversample':>10} {'level':>6} {'NMR-S dB':>9} {'ESR-S dB':>9}")
for factor, t in tables.items():
    for level in (-36.0, -18.0, -6.0):
        rows = t["amp_dbfs"] == level
        print(f"{factor:>9}x {level:>6.0f} {mean_db(t['nmr_s_db'][rows]):>9.1f} {mean_db(t['esr_s_db'][rows]):>9.1f}")

# 4. The plot, when matplotlib is there.
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no plot (apt-get install python3-matplotlib)")
else:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
    for ax, level in zip(axes, (-36.0, -18.0, -6.0)):
        for factor, t in tables.items():
            rows = t["amp_dbfs"] == level
            ax.semilogx(t["f0_hz"][rows], t["nmr_s_db"][rows], label=f"{factor}x")
        ax.axhline(-10, color="grey", linestyle="--", linewidth=1)
        ax.set_title(f"{level:.0f} dBFS")
        ax.set_xlabel("f0 (Hz)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("NMR-S (dB); audible above about -10 dB")
    axes[0].legend(title="oversampling")
    fig.suptitle(f"Aliasing of {pathlib.Path(args.model).name} over the chromatic set")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")
