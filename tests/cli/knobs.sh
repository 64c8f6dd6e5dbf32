#!/usr/bin/env bash
# Claims about knobs of conditioned models on the command line: `nofold info` lists a GuitarML model's
# parameter (index, name, default, range; text and --json), `nofold process --param NAME=V` renders what
# a naive PyTorch-convention LSTM (written here) fed [x, V] renders, `--param INDEX=V` is the same, no
# --param means the file's default, and an unknown name or a value out of range is a usage error (exit 2).
set -euo pipefail
nofold=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import json, math, random, struct, sys
tmp = sys.argv[1]
rng = random.Random(11)
H, I = 3, 2
mat = lambda r, c, s=0.5: [[rng.uniform(-s, s) for _ in range(c)] for _ in range(r)]
sd = {"rec.weight_ih_l0": mat(4 * H, I), "rec.weight_hh_l0": mat(4 * H, H), "rec.bias_ih_l0": mat(1, 4 * H, 0.2)[0],
      "rec.bias_hh_l0": mat(1, 4 * H, 0.2)[0], "lin.weight": mat(1, H), "lin.bias": [0.05]}
model = {"model_data": {"model": "SimpleRNN", "input_size": I, "skip": 0, "output_size": 1, "unit_type": "LSTM",
                        "num_layers": 1, "hidden_size": H, "bias_fl": True}, "state_dict": sd}
json.dump(model, open(tmp + "/knob.json", "w"))
n = 3000
x = [0.5 * math.sin(2 * math.pi * 150 * t / 44100) + 0.2 * math.sin(2 * math.pi * 1330 * t / 44100) for t in range(n)]
x = [struct.unpack("<f", struct.pack("<f", v))[0] for v in x]  # the float samples the file holds
data = struct.pack("<%df" % n, *x)
hdr = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 3, 1, 44100, 44100 * 4, 4, 32, b"data", len(data))
open(tmp + "/in.wav", "wb").write(hdr + data)
sig = lambda v: 1 / (1 + math.exp(-v))
def render(knob):
    h, c = [0.0] * H, [0.0] * H
    def step(u):
        nonlocal h, c
        g = [sd["rec.bias_ih_l0"][r] + sd["rec.bias_hh_l0"][r] + sd["rec.weight_ih_l0"][r][0] * u +
             sd["rec.weight_ih_l0"][r][1] * knob + sum(sd["rec.weight_hh_l0"][r][k] * h[k] for k in range(H)) for r in range(4 * H)]
        c = [sig(g[H + j]) * c[j] + sig(g[j]) * math.tanh(g[2 * H + j]) for j in range(H)]
        h = [sig(g[3 * H + j]) * math.tanh(c[j]) for j in range(H)]
        return sd["lin.bias"][0] + sum(sd["lin.weight"][0][j] * h[j] for j in range(H))
    for _ in range(22080):  # NAM Core's prewarm: 0.5 s of zeros at the assumed 44.1 kHz, whole blocks of 64
        step(0.0)
    return [step(u) for u in x]
json.dump(render(0.2), open(tmp + "/ref.json", "w"))
PY
"$nofold" info "$tmp/knob.json" --json >"$tmp/info.json"
"$nofold" info "$tmp/knob.json" >"$tmp/info.txt"
grep -q "parameter 0     param1 (default 0.5, range 0 to 1" "$tmp/info.txt"
"$nofold" process "$tmp/knob.json" "$tmp/in.wav" "$tmp/by_name.wav" --param param1=0.2
"$nofold" process "$tmp/knob.json" "$tmp/in.wav" "$tmp/by_index.wav" --param 0=0.2
"$nofold" process "$tmp/knob.json" "$tmp/in.wav" "$tmp/default.wav"
"$nofold" process "$tmp/knob.json" "$tmp/in.wav" "$tmp/mid.wav" --param param1=0.5
cmp "$tmp/by_name.wav" "$tmp/by_index.wav"
cmp "$tmp/default.wav" "$tmp/mid.wav"
if cmp -s "$tmp/default.wav" "$tmp/by_name.wav"; then echo "--param param1=0.2 changed nothing"; exit 1; fi
for bad in nope=0.1 param1=2 param1=abc 3=0.1 =0.5 param1; do
    status=0
    "$nofold" process "$tmp/knob.json" "$tmp/in.wav" "$tmp/bad.wav" --param "$bad" 2>/dev/null || status=$?
    [[ $status -eq 2 ]] || { echo "--param $bad: exit $status, expected 2"; exit 1; }
done
python3 - "$tmp" <<'PY'
import json, struct, sys
tmp = sys.argv[1]
info = json.load(open(tmp + "/info.json"))
assert info["conditioning"] == [{"index": 0, "name": "param1", "default": 0.5, "min": 0.0, "max": 1.0}], info["conditioning"]
assert info["parameter_count"] == 1, info["parameter_count"]
raw = open(tmp + "/by_name.wav", "rb").read(); pos = 12; data = None
while pos + 8 <= len(raw):
    cid = raw[pos:pos+4]; size = struct.unpack("<I", raw[pos+4:pos+8])[0]
    if cid == b"data": data = raw[pos+8:pos+8+size]
    pos += 8 + size + (size & 1)
y = struct.unpack("<%df" % (len(data) // 4), data)
ref = json.load(open(tmp + "/ref.json"))
err = max(abs(a - b) for a, b in zip(y, ref))
assert len(y) == len(ref) and err <= 1e-4, (len(y), err)
print(f"knobs CLI check passed (max error against the naive LSTM {err:.2e})")
PY
