"""nofold.load / process / oversampled / resampled against the `nofold` program on the same inputs, and the
streaming, reset, dtype and error contracts."""
import json
import threading
import time

import numpy as np
import pytest

import nofold
from conftest import DEMO_MODEL, make_signal, quantise_pcm32, read_wav_pcm32, write_wav_pcm32


def cli_process(cli, tmp_path, x, rate, *args):
    """Runs `nofold process` on x (written as 32-bit PCM); returns (the input as stored, the output)."""
    stored = write_wav_pcm32(tmp_path / "in.wav", x, rate)
    cli("process", DEMO_MODEL, tmp_path / "in.wav", tmp_path / "out.wav", *args)
    return stored, read_wav_pcm32(tmp_path / "out.wav")


@pytest.mark.parametrize(
    "math, factor, cli_args",
    [("exact", 1, []), ("fast", 1, ["--math", "fast"]), ("exact", 2, ["--oversample", "2"])],
)
def test_process_matches_the_program(cli, tmp_path, math, factor, cli_args):
    stored, expected = cli_process(cli, tmp_path, make_signal(48000, 1.0), 48000, *cli_args)
    model = nofold.load(str(DEMO_MODEL), math=math)
    if factor != 1:
        model = nofold.oversampled(model, factor)
    y = model.process(stored[0].astype(np.float32))
    assert y.dtype == np.float32 and y.shape == stored[0].shape
    # The program writes 32-bit PCM: the same float output quantised agrees to the integer.
    np.testing.assert_array_equal(quantise_pcm32(y), expected[0])


def test_stereo_runs_one_instance_per_channel_like_the_program(cli, tmp_path):
    stored, expected = cli_process(cli, tmp_path, make_signal(48000, 0.5, channels=2), 48000)
    y = nofold.load(str(DEMO_MODEL)).process(stored.astype(np.float32))
    assert y.shape == (2, stored.shape[1])
    np.testing.assert_array_equal(quantise_pcm32(y), expected)


def test_resampled_matches_the_program_rate_adaptation(cli, tmp_path):
    stored, expected = cli_process(cli, tmp_path, make_signal(44100, 0.5), 44100, "--rate", "44100")
    model = nofold.resampled(nofold.load(str(DEMO_MODEL)), 44100)
    assert model.sample_rate == 44100
    np.testing.assert_array_equal(quantise_pcm32(model.process(stored[0].astype(np.float32))), expected[0])


def test_info_has_the_programs_keys_and_values(cli):
    expected = json.loads(cli("info", DEMO_MODEL, "--json").stdout)
    expected.pop("isa", None)  # the program's run-time instruction-set choice; the module does not dispatch
    info = nofold.load(str(DEMO_MODEL)).info
    assert list(info.keys()) == list(expected.keys())
    for key in expected:
        if key != "load_ms":
            assert info[key] == expected[key], key
    model = nofold.load(str(DEMO_MODEL))
    assert model.latency == expected["latency_samples"] and model.receptive_field == expected["receptive_field"]
    expected_os = json.loads(cli("info", DEMO_MODEL, "--json", "--oversample", "4", "--filter", "fir").stdout)
    info_os = nofold.oversampled(model, 4, filter="fir").info
    for key in ("oversample", "filter", "latency_samples", "latency_exact_samples", "flops_per_sample",
                "implementation", "receptive_field"):
        assert info_os[key] == expected_os[key], key


def test_streaming_reset_and_dtypes():
    x = make_signal(48000, 0.5).astype(np.float32)
    model = nofold.load(str(DEMO_MODEL))
    whole = model.process(x)
    model.reset()
    np.testing.assert_array_equal(model.process(x), whole)  # reset = the state right after loading
    model.reset()
    halves = np.concatenate([model.process(x[:10001]), model.process(x[10001:])])
    np.testing.assert_array_equal(halves, whole)  # state carries across calls
    y64 = nofold.load(DEMO_MODEL).process(x.astype(np.float64))  # a pathlib.Path works too
    assert y64.dtype == np.float64
    np.testing.assert_array_equal(y64, whole.astype(np.float64))
    strided = np.zeros(2 * len(x), dtype=np.float32)
    strided[::2] = x
    np.testing.assert_array_equal(nofold.load(str(DEMO_MODEL)).process(strided[::2]), whole)
    assert nofold.load(str(DEMO_MODEL)).process(np.zeros(0, dtype=np.float32)).shape == (0,)


def test_errors_are_python_exceptions_with_the_programs_message(cli, tmp_path):
    bad = tmp_path / "bad.nam"
    bad.write_text('{"version": "0.5.4", "architecture": "WaveNet", "config": {"layers": 3}, "weights": []}')
    missing = tmp_path / "missing.nam"
    for path in (bad, missing):
        with pytest.raises(nofold.LoadError) as e:
            nofold.load(str(path))
        r = cli("info", path, check=False)
        assert r.returncode == 1
        assert r.stderr.strip() == "nofold: " + str(e.value)
        assert isinstance(e.value, ValueError) and e.value.file == str(path)
    with pytest.raises(nofold.LoadError) as e:
        nofold.load(str(bad))
    assert e.value.json_path.startswith("$.config") and e.value.reason and e.value.line >= 1
    with pytest.raises(nofold.LoadError, match="refusing to play it at the wrong rate"):
        nofold.load(str(DEMO_MODEL), sample_rate=44100)
    with pytest.raises(ValueError, match="math must be exact, fast or nam"):
        nofold.load(str(DEMO_MODEL), math="fastest")
    model = nofold.load(str(DEMO_MODEL))
    with pytest.raises(ValueError, match="oversample factor must be"):
        nofold.oversampled(model, 3)
    with pytest.raises(ValueError, match="filter must be"):
        nofold.oversampled(model, 2, filter="cubic")
    with pytest.raises(ValueError, match="1-D .* or 2-D"):
        model.process(np.zeros((1, 2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="host_rate must be a positive"):
        nofold.resampled(model, 0)
    with pytest.raises(ValueError, match="Resampler: "):
        nofold.resampled(model, 1000)  # the clean band (16 kHz) does not fit below 500 Hz
    with pytest.raises(nofold.LoadError, match="slimmable size must lie in"):
        nofold.load(str(DEMO_MODEL), slim=2.0)


def test_process_releases_the_gil():
    # A Python thread keeps counting while process() works on a long buffer; with the GIL held it could
    # not run at all until process() returned.
    model = nofold.load(str(DEMO_MODEL))
    x = make_signal(48000, 10.0).astype(np.float32)
    count, stop = [0], threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.05)
    start = time.perf_counter()
    before = count[0]
    model.process(x)
    during = count[0] - before
    elapsed = time.perf_counter() - start
    stop.set()
    t.join()
    assert elapsed > 0.05, "process() was too short to tell"
    assert during > 1000, (during, elapsed)
