"""Shared fixtures: the module under test, the `nofold` program to compare with, models, WAV helpers.

Environment (set by the CMake/Meson test registration): PYTHONPATH holds the built module, NOFOLD_CLI the
`nofold` program (tests that compare with it are skipped without it), NOFOLD_SOURCE_DIR the checkout,
NOFOLD_SHARED_DIR the shared NAM models (tests that need them are skipped when absent).
"""
import json
import os
import pathlib
import subprocess
import wave

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("NOFOLD_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
DEMO_MODEL = SOURCE_DIR / "examples" / "models" / "nofold_demo_drive.nam"


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("NOFOLD_CLI", "")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("NOFOLD_CLI (the nofold program) not given")

    def run(*args, check=True):
        # The module is compiled for one instruction set (the build's flags: AVX2 in CI) while the program
        # picks its path at run time (docs/isa-dispatch.md); pin the program to AVX2 so outputs compare bitwise.
        env = dict(os.environ, NOFOLD_ISA=os.environ.get("NOFOLD_ISA", "avx2"))
        r = subprocess.run([path, *map(str, args)], capture_output=True, text=True, env=env)
        if check and r.returncode != 0:
            raise AssertionError(f"nofold {' '.join(map(str, args))} failed: {r.stderr}")
        return r

    return run


@pytest.fixture(scope="session")
def shared_models():
    d = pathlib.Path(os.environ.get("NOFOLD_SHARED_DIR", SOURCE_DIR.parent / "shared")) / "models"
    if not d.is_dir():
        pytest.skip("shared models absent")
    return d


def write_wav_pcm32(path, x, rate):
    """x: samples (1-D) or channels x samples in [-1, 1); written as 32-bit integer PCM."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    q = np.clip(np.rint(x * 2.0**31), -(2.0**31), 2.0**31 - 1).astype("<i4")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(q.shape[0])
        w.setsampwidth(4)
        w.setframerate(int(rate))
        w.writeframes(q.T.tobytes())
    return q.astype(np.float64) / 2.0**31  # the values the file holds


def read_wav_pcm32(path):
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 4
        q = np.frombuffer(w.readframes(w.getnframes()), dtype="<i4").reshape(-1, w.getnchannels())
    return q.T.astype(np.float64) / 2.0**31


def quantise_pcm32(y):
    """What writing y as 32-bit PCM stores (round to nearest, clip), as numbers."""
    return np.clip(np.rint(np.asarray(y, dtype=np.float64) * 2.0**31), -(2.0**31), 2.0**31 - 1) / 2.0**31


def make_signal(rate, seconds, channels=1, seed=1):
    """A guitar-like test input: decaying plucked tones plus a little noise, fixed seed, within +-0.7."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    out = []
    for c in range(channels):
        f = 110.0 * (1.5 ** c)
        x = 0.6 * np.sin(2 * np.pi * f * t) * np.exp(-2.0 * (t % 0.5)) + 0.02 * rng.standard_normal(n)
        out.append(np.clip(x, -0.7, 0.7))
    return np.array(out) if channels > 1 else out[0]


@pytest.fixture(scope="session")
def small_lstm(tmp_path_factory):
    """A small LSTM (1 x 8, fixed-seed random weights) written as a .nam file: cheap to run 264 tones through."""
    rng = np.random.default_rng(5)
    hidden = 8
    count = 4 * hidden * (1 + hidden) + 4 * hidden + 2 * hidden + hidden + 1  # W, b, h0, c0, head w, head b
    path = tmp_path_factory.mktemp("models") / "small_lstm.nam"
    path.write_text(json.dumps({"version": "0.5.4", "architecture": "LSTM", "sample_rate": 48000,
                                "config": {"input_size": 1, "hidden_size": hidden, "num_layers": 1},
                                "weights": (0.5 * rng.standard_normal(count)).tolist()}))
    return path
