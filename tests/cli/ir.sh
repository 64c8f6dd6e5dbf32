#!/usr/bin/env bash
# Claims: `nofold process MODEL IN OUT --ir CAB.wav --ir-normalize none` equals the dry render convolved
# with the response (checked here in Python on the WAV samples: y[t] = 0.5·dry[t] + 0.25·dry[t−1] for
# the two-tap response written below), in both latency modes' documented alignment; a stereo response
# on mono audio gives two channels; energy normalisation scales the taps to Σh² = 1; a bad response
# file is exit 1 naming it, a bad option exit 2.
set -euo pipefail
nofold=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/examples/models/nofold_demo_drive.nam
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nofold" make-di "$tmp/di_float.wav" --seconds 0.5 --rate 48000 >/dev/null
"$nofold" convert "$tmp/di_float.wav" "$tmp/di.wav" --format pcm32 >/dev/null
python3 - "$tmp" <<'PY'
import struct, sys, wave
tmp = sys.argv[1]
def write(path, channels, frames):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels); w.setsampwidth(2); w.setframerate(48000)
        w.writeframes(b"".join(struct.pack("<" + "h" * channels, *f) for f in frames))
write(tmp + "/cab.wav", 1, [(16384,), (8192,)])                 # h = [0.5, 0.25]
write(tmp + "/cab_stereo.wav", 2, [(16384, 8192), (8192, 0)])   # left [0.5, 0.25], right [0.25, 0]
PY
"$nofold" process "$model" "$tmp/di.wav" "$tmp/dry.wav"
"$nofold" process "$model" "$tmp/di.wav" "$tmp/wet.wav" --ir "$tmp/cab.wav" --ir-normalize none
"$nofold" process "$model" "$tmp/di.wav" "$tmp/wet1.wav" --ir "$tmp/cab.wav" --ir-normalize none --ir-latency one_block
"$nofold" process "$model" "$tmp/di.wav" "$tmp/norm.wav" --ir "$tmp/cab.wav"
"$nofold" process "$model" "$tmp/di.wav" "$tmp/stereo.wav" --ir "$tmp/cab_stereo.wav" --ir-normalize none
python3 - "$tmp" <<'PY'
import math, struct, sys, wave
tmp = sys.argv[1]
def read(path):
    with wave.open(path, "rb") as w:
        ch, n = w.getnchannels(), w.getnframes()
        assert w.getsampwidth() == 4, path
        v = struct.unpack("<%di" % (ch * n), w.readframes(n))
        return [[x / 2**31 for x in v[c::ch]] for c in range(ch)]
dry = read(tmp + "/dry.wav")[0]
def conv(h, x):
    return [sum(h[k] * x[t - k] for k in range(len(h)) if t - k >= 0) for t in range(len(x))]
ref = conv([0.5, 0.25], dry)
wet = read(tmp + "/wet.wav")[0]
assert max(abs(a - b) for a, b in zip(wet, ref)) < 1e-6, "zero-latency IR output differs"
wet1 = read(tmp + "/wet1.wav")[0]
assert max(abs(a) for a in wet1[:64]) < 1e-9 and max(abs(a - b) for a, b in zip(wet1[64:], ref)) < 1e-6, "one-block output"
g = 1 / math.sqrt(0.5**2 + 0.25**2)
norm = read(tmp + "/norm.wav")[0]
assert max(abs(a - g * b) for a, b in zip(norm, ref)) < 1e-5, "energy normalisation"
left, right = read(tmp + "/stereo.wav")
assert max(abs(a - b) for a, b in zip(left, ref)) < 1e-6 and max(abs(a - 0.25 * b) for a, b in zip(right, dry)) < 1e-6, "stereo IR"
print("ir CLI checks passed")
PY
set +e
err=$("$nofold" process "$model" "$tmp/di.wav" "$tmp/x.wav" --ir "$tmp/missing.wav" 2>&1); rc=$?
[[ $rc -eq 1 && $err == *missing.wav* ]] || { echo "FAIL: a missing IR must be exit 1 naming the file ($rc: $err)"; exit 1; }
"$nofold" process "$model" "$tmp/di.wav" "$tmp/x.wav" --ir "$tmp/cab.wav" --ir-latency two 2>/dev/null
[[ $? -eq 2 ]] || { echo "FAIL: --ir-latency two must be a usage error"; exit 1; }
exit 0
