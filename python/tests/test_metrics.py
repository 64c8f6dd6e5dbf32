"""nofold.metrics against independent NumPy formulas and analytic results, the chromatic table and a
single tone against `nofold alias`, and the activation catalogue against `nofold activations`."""
import csv
import json
import math

import numpy as np
import pytest

import nofold
from nofold import metrics
from conftest import DEMO_MODEL


def direct_dft_asr_db(y, k0):
    """Sato & Smith's ASR from an explicit O(N^2) DFT (no FFT): harmonic bins m*k0 <= (N-1)/2 against
    every other bin 1 ... (N-1)/2."""
    n = len(y)
    top = (n - 1) // 2
    k = np.arange(1, top + 1)
    spectrum = np.exp(-2j * np.pi * np.outer(k, np.arange(n)) / n) @ y
    energy = np.abs(spectrum) ** 2
    harmonic = k % k0 == 0
    return 10 * math.log10(energy[~harmonic].sum() / energy[harmonic].sum())


def test_asr_matches_a_direct_dft():
    n, k0 = 1009, 37  # N prime, so every harmonic has its own bin
    x = np.sin(2 * np.pi * k0 * np.arange(n) / n)
    y = np.tanh(4 * x)
    r = metrics.asr(y, k0)
    assert r.db == pytest.approx(direct_dft_asr_db(y, k0), abs=1e-9)
    assert r.harmonic_count == (n - 1) // 2 // k0
    assert float(r) == r.db and r.linear == pytest.approx(10 ** (r.db / 10), rel=1e-12)
    with pytest.raises(ValueError, match="coprime"):
        metrics.asr(np.zeros(1000), 10)


def test_esr_by_hand():
    rng = np.random.default_rng(3)
    t = rng.standard_normal(4096)
    y = t + 0.1 * rng.standard_normal(4096)
    plain = np.sum((t - y) ** 2) / np.sum(t**2)
    assert metrics.esr(y, t).linear == pytest.approx(plain, rel=1e-12)
    for a in (0.95, 0.85):
        fy, ft = y - a * np.concatenate([[0.0], y[:-1]]), t - a * np.concatenate([[0.0], t[:-1]])
        assert metrics.esr(y, t, pre_emphasis=a).linear == pytest.approx(np.sum((ft - fy) ** 2) / np.sum(ft**2), rel=1e-12)
    # A-weighting: IEC 61672-1 Annex E's R_A(f) (pole frequencies f1 ... f4) on the full DFT of the error and
    # of the target, normalised at 1 kHz.
    fs = 48000.0
    f = np.abs(np.fft.fftfreq(len(t), 1 / fs))
    f1, f2_, f3, f4 = 20.598997, 107.65265, 737.86223, 12194.217

    def ra(f):
        f2 = f * f
        return f4**2 * f2 * f2 / ((f2 + f1**2) * np.sqrt((f2 + f2_**2) * (f2 + f3**2)) * (f2 + f4**2))

    w = (ra(f) / ra(1000.0)) ** 2
    expected = np.sum(w * np.abs(np.fft.fft(t - y)) ** 2) / np.sum(w * np.abs(np.fft.fft(t)) ** 2)
    assert metrics.esr(y, t, pre_emphasis="a_weighting", sample_rate=fs).linear == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError):
        metrics.esr(y, t[:-1])


def test_bandlimit_keeps_harmonics_and_removes_the_rest():
    fs, f0 = 48000, 1000.0
    n = np.arange(fs)
    harmonics = 0.1 + sum(a * np.cos(2 * np.pi * m * f0 * n / fs + m) for m, a in ((1, 0.5), (2, 0.2), (7, 0.05)))
    alias = 1e-3 * np.sin(2 * np.pi * 2345.0 * n / fs)  # not a multiple of f0
    y = metrics.bandlimit(harmonics + alias, f0, fs)
    # The method's floor (analysis/sine_metrics.hpp): the unpaired first window sample leaks about -120 dB
    # of each harmonic into every estimate, largest at the segment's start. The alias (RMS 7e-4) is gone.
    assert np.max(np.abs(y - harmonics)) < 2e-5
    assert np.sqrt(np.mean((y - harmonics) ** 2)) < 3e-6


def test_nmr_scales_with_the_error_and_is_zero_without_one():
    fs = 48000.0
    ref = 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(16384) / fs)
    assert metrics.nmr(ref, ref, fs).db < -100  # no error: only rounding is left
    # y = g ref: the error spectrum is |g - 1| |R|, the mask depends on ref only, so NMR goes as (g - 1)^2.
    assert metrics.nmr(1.1 * ref, ref, fs).db - metrics.nmr(1.01 * ref, ref, fs).db == pytest.approx(20.0, abs=1e-6)


def test_sine_metrics_are_consistent_with_bandlimit_and_esr():
    fs, f0 = 48017, 1249
    x = 0.5 * np.sin(2 * np.pi * f0 * np.arange(fs) / fs)
    y = np.tanh(3 * x)
    m = metrics.sine_metrics(y, f0, fs, reference=y)
    clean = metrics.bandlimit(y, f0, fs)
    np.testing.assert_allclose(m["bandlimited"], clean, atol=1e-12)
    assert m["esr_s"].linear == pytest.approx(np.sum((y - clean) ** 2) / np.sum(clean**2), rel=1e-9)
    assert m["asr"].db == pytest.approx(metrics.asr(y, f0).db, abs=1e-12)
    assert m["nmr_s"].db == pytest.approx(metrics.nmr(y, clean, fs).db, abs=1e-9)
    assert m["hesr"].linear == 0.0
    assert abs(2 * abs(m["harmonics"][0]) - np.max(np.abs(np.fft.rfft(y))) * 2 / fs) < 1e-6
    assert metrics.sine_metrics(y[:48000], 1000.5, 48000)["asr"] is None  # not bin-exact


def run_tone(model, f0, fs, amplitude, seconds):
    """The tone test's input (phase reduced modulo 1, as analysis::sine) through the model."""
    n = np.arange(int(round(seconds * fs)))
    phase = np.mod(f0 * n, fs) / fs
    return model.process((amplitude * np.sin(2 * np.pi * phase)).astype(np.float32)).astype(np.float64)


def test_a_single_tone_measures_like_the_program(cli):
    expected = json.loads(cli("alias", DEMO_MODEL, "--json").stdout)  # 1249 Hz at 48017 Hz, -6 dBFS, 2 s + 1 s
    y = run_tone(nofold.load(str(DEMO_MODEL)), 1249, 48017, 10 ** (-6 / 20), 3.0)[-48017:]
    m = metrics.sine_metrics(y, 1249, 48017)
    assert m["asr"].db == pytest.approx(expected["asr_db"], abs=0.01)
    assert m["esr_s"].db == pytest.approx(expected["esr_s_db"], abs=0.01)
    assert m["nmr_s"].db == pytest.approx(expected["nmr_s_db"], abs=0.01)


def test_chromatic_table_matches_the_programs_csv(cli, tmp_path, small_lstm):
    cli("alias", small_lstm, "--chromatic", "--csv", tmp_path / "tones.csv")
    with open(tmp_path / "tones.csv") as f:
        rows = list(csv.DictReader(f))
    table = metrics.chromatic(nofold.load(str(small_lstm)), as_frame=False)
    assert len(rows) == len(table["midi_note"]) == 264
    for key in ("midi_note", "f0_hz", "amp_dbfs", "sample_rate_hz", "asr_db", "asr_time_db", "esr_s_db", "nmr_s_db"):
        np.testing.assert_allclose(np.asarray(table[key], dtype=float), [float(r[key]) for r in rows], atol=1e-3, err_msg=key)
    assert list(table["asr_kind"]) == [r["asr_kind"] for r in rows]


def test_activation_catalogue_rows_match_the_program(cli):
    expected = json.loads(cli("activations", "--json").stdout)
    table = nofold.activations(timing=False, as_frame=False)
    assert len(table["name"]) == len(expected) > 100
    for i, row in enumerate(expected):
        assert (table["name"][i], table["param"][i], table["tier"][i]) == (row["name"], row["param"], row["tier"])
        for key in ("max_abs_err", "max_ulp", "asr_db"):  # the program prints null for non-finite values
            if row[key] is None:
                assert not np.isfinite(table[key][i]), (row, key)
            else:
                assert table[key][i] == pytest.approx(row[key], rel=1e-12, abs=0), (row, key)
    assert np.all(np.isnan(table["ns_simd"]))
    timed = nofold.activations("relu6", as_frame=False)
    assert list(timed["name"]) == ["relu6"] and timed["ns_simd"][0] > 0


def test_tables_are_dataframes_with_pandas_and_dicts_without():
    try:
        import pandas
    except ImportError:
        pandas = None
    table = nofold.activations("relu6", timing=False)
    columns = ["name", "param", "tier", "max_abs_err", "max_ulp", "ns_scalar", "ns_simd", "asr_db"]
    if pandas is None:
        assert isinstance(table, dict) and list(table) == columns
        with pytest.raises(ImportError):
            nofold.activations("relu6", timing=False, as_frame=True)
    else:
        assert isinstance(table, pandas.DataFrame) and list(table.columns) == columns and len(table) == 1
    assert isinstance(nofold.activations("relu6", timing=False, as_frame=False), dict)


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.bandlimit(np.zeros(0), 1000, 48000),
        lambda: metrics.bandlimit(np.zeros(100), 0, 48000),
        lambda: metrics.bandlimit(np.zeros(100), float("nan"), 48000),
        lambda: metrics.bandlimit(np.zeros(100), 1000, float("inf")),
        lambda: metrics.nmr(np.zeros(4096), np.zeros(4096), float("inf")),
        lambda: metrics.nmr(np.zeros(100), np.zeros(100), 48000),
        lambda: metrics.sine_metrics(np.zeros(4096), 30000, 48000),
        lambda: metrics.asr(np.zeros((2, 5)), 1),
        lambda: metrics.esr(np.zeros(10), np.zeros(10), pre_emphasis="x"),
    ],
)
def test_bad_arguments_raise_value_errors(call):
    with pytest.raises(ValueError):
        call()
