#!/usr/bin/env bash
# Claims: `nofold process` on a stereo WAV with an LSTM or a WaveNet model (one instance, shared weights,
# state per channel) writes, in each channel, exactly what processing that channel alone as a mono file
# writes.
set -euo pipefail
nofold=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import math, struct, sys, wave
tmp = sys.argv[1]
n = 9000
left = [int(0.4 * 2**31 * math.sin(2 * math.pi * 220 * i / 48000)) for i in range(n)]
right = [int(0.3 * 2**31 * math.sin(2 * math.pi * 331 * i / 48000 + 1.0)) for i in range(n)]
def write(path, chans):
    with wave.open(path, "wb") as w:
        w.setnchannels(len(chans)); w.setsampwidth(4); w.setframerate(48000)
        w.writeframes(b"".join(struct.pack("<" + "i" * len(chans), *f) for f in zip(*chans)))
write(tmp + "/stereo.wav", [left, right])
write(tmp + "/left.wav", [left])
write(tmp + "/right.wav", [right])
PY
for model in lstm_1x8 wavenet_tiny; do
  "$nofold" process "$root/tests/io/fixtures/$model.nam" "$tmp/stereo.wav" "$tmp/out_stereo.wav" --block 37
  "$nofold" process "$root/tests/io/fixtures/$model.nam" "$tmp/left.wav" "$tmp/out_left.wav" --block 37
  "$nofold" process "$root/tests/io/fixtures/$model.nam" "$tmp/right.wav" "$tmp/out_right.wav" --block 37
  python3 - "$tmp" <<'PY'
import sys, wave
tmp = sys.argv[1]
def frames(path):
    with wave.open(path, "rb") as w:
        return w.getnchannels(), w.readframes(w.getnframes())
ch, st = frames(tmp + "/out_stereo.wav")
_, l = frames(tmp + "/out_left.wav")
_, r = frames(tmp + "/out_right.wav")
assert ch == 2
inter = b"".join(l[i:i + 4] + r[i:i + 4] for i in range(0, len(l), 4))
assert st == inter, "stereo output differs from the two mono renders"
print("stereo CLI check passed")
PY
done
