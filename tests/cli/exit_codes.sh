#!/usr/bin/env bash
# Claims about the `nofold` program's contract: exit 0 on success, 1 on a bad file, 2 on bad usage,
# each failure with a one-line "nofold: ..." message; WAV formats round-trip; stereo is per channel.
set -u
nofold=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/expect.sh"  # tmp, fail, expect

expect 0 '' -- "$nofold" --version
"$nofold" --version | grep -qE '^nofold [0-9]+\.[0-9]+\.[0-9]+' || { echo "FAIL: --version text"; failures=$((failures + 1)); }
expect 0 '' -- "$nofold" selfcheck
"$nofold" selfcheck --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ok"] is True and d["float_lanes"] >= 1' \
  || { echo "FAIL: selfcheck --json"; failures=$((failures + 1)); }
expect 2 '^nofold: ' -- "$nofold"
expect 2 '^nofold: ' -- "$nofold" no-such-command
expect 2 '^nofold: ' -- "$nofold" convert
expect 2 '^nofold: ' -- "$nofold" convert --bogus-flag a b
expect 1 'cannot read' -- "$nofold" convert "$tmp/missing.wav" "$tmp/out.wav"
echo "this is not audio" >"$tmp/text.wav"
expect 1 'text.wav' -- "$nofold" convert "$tmp/text.wav" "$tmp/out.wav"
: >"$tmp/empty.wav"
expect 1 'empty.wav' -- "$nofold" convert "$tmp/empty.wav" "$tmp/out.wav"

# Make a stereo float WAV with Python's standard library only (independent of libsndfile).
python3 - "$tmp" <<'PY'
import math, struct, sys, wave
tmp = sys.argv[1]
n, rate = 4800, 48000
left = [0.5 * math.sin(2 * math.pi * 1000 * i / rate) for i in range(n)]
right = [-0.25 * x for x in left]
data = b"".join(struct.pack("<ff", l, r) for l, r in zip(left, right))
fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
with open(f"{tmp}/stereo_float.wav", "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
    f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)
# 8-bit unsigned PCM: a sample format nofold refuses.
with wave.open(f"{tmp}/u8.wav", "wb") as w:
    w.setnchannels(1); w.setsampwidth(1); w.setframerate(rate); w.writeframes(bytes([128]) * 100)
# Three channels: refused.
with wave.open(f"{tmp}/three.wav", "wb") as w:
    w.setnchannels(3); w.setsampwidth(2); w.setframerate(rate); w.writeframes(b"\0\0" * 300)
PY
expect 1 '8-bit' -- "$nofold" convert "$tmp/u8.wav" "$tmp/out.wav"
expect 1 '3 channels' -- "$nofold" convert "$tmp/three.wav" "$tmp/out.wav"
expect 2 'unknown sample format' -- "$nofold" convert "$tmp/stereo_float.wav" "$tmp/out.wav" --format pcm12

for fmt in pcm16 pcm24 pcm32 float; do
    expect 0 '' -- "$nofold" convert "$tmp/stereo_float.wav" "$tmp/$fmt.wav" --format "$fmt" --gain -6.0206
    python3 - "$tmp/$fmt.wav" "$fmt" "$here" <<'PY' || failures=$((failures + 1))
import math, struct, sys
path, fmt = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
import wav_chunks
info, data = wav_chunks.read(path)
tag, ch, rate, _, _, bits = info
want_bits = {"pcm16": 16, "pcm24": 24, "pcm32": 32, "float": 32}[fmt]
assert ch == 2 and rate == 48000 and bits == want_bits, (fmt, info)
step = bits // 8
def sample(i):
    b = data[i*step:(i+1)*step]
    if fmt == "float": return struct.unpack("<f", b)[0]
    return int.from_bytes(b, "little", signed=True) / float(1 << (bits - 1))
n = len(data) // (step * 2)
assert n == 4800, n
tol = {"pcm16": 1/32768, "pcm24": 1/8388608, "pcm32": 1e-7, "float": 1e-7}[fmt]
for i in range(0, n, 7):
    x = 0.5 * math.sin(2 * math.pi * 1000 * i / 48000)
    l, r = sample(2*i), sample(2*i + 1)
    assert abs(l - 0.5 * x) <= tol + 1e-6 * abs(x), (fmt, i, l, x)
    assert abs(r + 0.125 * x) <= tol + 1e-6 * abs(x), (fmt, i, r, x)
PY
done

# The bundled demo model is exactly what the generator writes.
root=$(cd "$(dirname "$0")/../.." && pwd)
expect 0 '' -- "$nofold" make-demo-model "$tmp/demo.nam"
cmp -s "$tmp/demo.nam" "$root/examples/models/nofold_demo_drive.nam" ||
    { echo "FAIL: make-demo-model output differs from examples/models/nofold_demo_drive.nam"; failures=$((failures + 1)); }

# make-target: usage and file errors, and latency compensation (the compensated output is the kept one
# shifted by compensated_samples, sample for sample; same length as the input; a failed write leaves OUT).
"$nofold" make-di "$tmp/di.wav" --seconds 0.5 >/dev/null
expect 2 'circuit' -- "$nofold" make-target --circuit triode "$tmp/di.wav" "$tmp/t.wav"
expect 2 'internal-rate' -- "$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/t.wav" --internal-rate 8
expect 2 'input file' -- "$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/di.wav"
expect 1 'does not exist' -- "$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/nowhere/t.wav"
expect 1 'missing.wav' -- "$nofold" make-target --circuit diode_clipper "$tmp/missing.wav" "$tmp/t.wav"
"$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/comp.wav" --drive 12 --json >"$tmp/mt.json" &&
"$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/keep.wav" --drive 12 --latency keep >/dev/null &&
python3 - "$tmp" "$here" <<'PY' || { echo "FAIL: make-target latency compensation"; failures=$((failures + 1)); }
import json, struct, sys
tmp = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import wav_chunks
def floats(path):
    fmt, data = wav_chunks.read(path)
    assert fmt[0] == 3 and fmt[5] == 32, fmt
    return struct.unpack("<%df" % (len(data) // 4), data)
j = json.load(open(tmp + "/mt.json"))
assert j["circuit"] == "diode_clipper" and j["internal_rate"] == 16 and j["max_newton_iterations"] <= 12, j
d = j["compensated_samples"]
assert d == round(j["latency_samples"]) and d > 0, j
comp, keep = floats(tmp + "/comp.wav"), floats(tmp + "/keep.wav")
assert len(comp) == len(keep) == j["frames"] == 24000, (len(comp), len(keep))
assert all(comp[i] == keep[i + d] for i in range(len(comp) - d)), "not a shift"
assert 0.3 < max(abs(x) for x in comp) == j["peak_output"] < 1.0, j
PY

# The device as a built-in system for `alias` (dsp::DiodeClipperModel): alias-free at +20 dB drive.
"$nofold" alias builtin:diode_clipper:20 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["asr_db"] < -100, d' ||
    { echo "FAIL: alias builtin:diode_clipper:20"; failures=$((failures + 1)); }
expect 2 'diode_clipper' -- "$nofold" alias builtin:diode_clipper:loud

# train: usage and file errors before any training, then a tiny run whose .nam loads and carries its record.
"$nofold" make-di "$tmp/tdi.wav" --seconds 2 >/dev/null
"$nofold" make-target --circuit diode_clipper "$tmp/tdi.wav" "$tmp/tamp.wav" --drive 6 >/dev/null
"$nofold" make-di "$tmp/tdi44.wav" --seconds 2 --rate 44100 >/dev/null
"$nofold" convert "$tmp/tdi.wav" "$tmp/tquiet.wav" --gain -100 --format float >/dev/null
expect 2 'unknown architecture' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --arch huge
expect 2 'unknown activation' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --activation Nope
printf '{"layers": [' >"$tmp/broken.json"
expect 2 'broken.json.*not valid JSON' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --arch "$tmp/broken.json"
expect 2 'cannot hold this model' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --activation Snake:2
expect 2 'no GRU' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --arch gru:8x1
expect 2 'epochs' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --epochs 0
expect 2 'input file' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/tamp.wav"
expect 1 'does not exist' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/nowhere/t.nam"
expect 1 'missing.wav' -- "$nofold" train --input "$tmp/missing.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam"
expect 1 'sample rate' -- "$nofold" train --input "$tmp/tdi44.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam"
expect 1 'same length' -- "$nofold" train --input "$tmp/di.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam"
expect 1 'silent' -- "$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tquiet.wav" -o "$tmp/t.nam"
[[ ! -e $tmp/t.nam ]] || { echo "FAIL: train wrote a file after an error"; failures=$((failures + 1)); }
"$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/t.nam" --arch nano --epochs 2 --batch 2 \
    --frame 2048 --lr 0.02 --threads 2 --json >"$tmp/train.json" &&
"$nofold" info "$tmp/t.nam" --json >"$tmp/tinfo.json" &&
python3 - "$tmp" <<'PY' || { echo "FAIL: train --json / the trained .nam"; failures=$((failures + 1)); }
import json, sys
tmp = sys.argv[1]
j = json.load(open(tmp + "/train.json"))
assert j["architecture"] == "nano" and j["epochs"] == 2 and len(j["history"]) == 2 and j["stop_reason"] == "epochs_done", j
assert j["latency_measured"] and abs(j["latency_samples"]) <= 2, j
assert 0 < j["validation_esr"] < 1 and 0 < j["training_esr"] < 1 and j["asr"] > 0, j
info = json.load(open(tmp + "/tinfo.json"))
assert info["architecture"] == "WaveNet" and info["sample_rate_hz"] == 48000, info
nam = json.load(open(tmp + "/t.nam"))
rec = nam["metadata"]["nofold_training"][-1]
assert rec["method"] == "train" and rec["settings"]["architecture"] == "nano", rec
assert abs(rec["after"]["validation_esr"] - j["validation_esr"]) <= 1e-9 * j["validation_esr"], (rec, j)
PY

# Ctrl-C during train (progress.hpp's InterruptScope): stops between batches, writes the best model, exits 0.
"$nofold" train --input "$tmp/tdi.wav" --target "$tmp/tamp.wav" -o "$tmp/int.nam" --arch nano --epochs 100000 --batch 2 \
    --frame 2048 --threads 1 --json >"$tmp/int.json" 2>/dev/null &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["stop_reason"] == "interrupted"' "$tmp/int.json" &&
    "$nofold" info "$tmp/int.nam" >/dev/null || { echo "FAIL: train after Ctrl-C"; failures=$((failures + 1)); }

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all CLI contract checks passed"
