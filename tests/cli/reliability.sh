#!/usr/bin/env bash
# Claims about the `nofold` program under hostile input (issue 17), each a former failure:
# - a NaN/inf burst in the input never mutes the rest of the output, whatever the oversampling or
#   rate adaptation (reference: the same file with zeros in place of the burst, to float rounding);
# - outputs are written atomically: OUT = IN works, a write that fails (file-size limit) leaves the
#   old file byte for byte intact and no temporary file behind, two concurrent writers never splice;
# - resource limits and option ranges are checked before anything large is allocated, with exit 1
#   (file) or 2 (option) and a one-line message; out-of-memory names the file and the sizes;
# - silent garbage is reported: a WAV cut short, non-finite output samples, a C++ keyword as name.
set -u
nofold=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/examples/models/nofold_demo_drive.nam
source "$(dirname "$0")/expect.sh"  # tmp, fail, expect

# Mono float WAVs from Python's standard library: 0.25 s of sine, 10 NaN, 10 inf, 1.75 s of sine
# (and the same with zeros), at 48 kHz and 44.1 kHz.
python3 - "$tmp" <<'PY'
import math, struct, sys
tmp = sys.argv[1]
def wav(path, samples, rate, declared=None):
    data = b"".join(struct.pack("<f", x) for x in samples)
    size = len(data) if declared is None else declared
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + size) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data)
for rate in (48000, 44100):
    a, b = int(0.25 * rate), int(1.75 * rate)
    sine = lambda i: 0.5 * math.sin(2 * math.pi * 220 * i / rate)
    head = [sine(i) for i in range(a)]
    tail = [sine(a + 20 + i) for i in range(b)]
    wav(f"{tmp}/burst{rate}.wav", head + [float("nan")] * 10 + [float("inf")] * 10 + tail, rate)
    wav(f"{tmp}/zeros{rate}.wav", head + [0.0] * 20 + tail, rate)
# A file cut short: the data chunk declares 48000 frames, 24000 are there.
wav(f"{tmp}/cut.wav", [0.1] * 24000, 48000, declared=48000 * 4)
PY

compare_tail() {  # compare_tail A.wav B.wav: the second half of A is not muted and equals B's
    python3 - "$1" "$2" <<'PY'
import math, struct, sys
def samples(p):
    raw = open(p, "rb").read()
    pos = 12
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        if cid == b"data": return struct.unpack("<%df" % (size // 4), raw[pos + 8:pos + 8 + size])
        pos += 8 + size + (size & 1)
a, b = samples(sys.argv[1]), samples(sys.argv[2])
half = a[len(a) // 2:]
rms = math.sqrt(sum(x * x for x in half) / len(half))
worst = max(abs(x - y) for x, y in zip(a[len(a) // 2:], b[len(b) // 2:]))
assert all(math.isfinite(x) for x in a), "non-finite output"
assert rms > 0.05, f"the output after the burst is muted (RMS {rms:.4f})"
assert worst < 1e-4, f"the output after the burst differs from the zero-burst reference by {worst}"
PY
}

# 1. NaN bursts: issue 17 measured RMS 0.0000 after the burst for each of these.
for args in "--oversample 2" "--oversample 4 --filter iir_fast" "--oversample 2 --filter fir"; do
    # shellcheck disable=SC2086
    "$nofold" process "$model" "$tmp/burst48000.wav" "$tmp/out_burst.wav" $args 2>/dev/null || fail "process $args"
    # shellcheck disable=SC2086
    "$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/out_zeros.wav" $args 2>/dev/null || fail "process $args (zeros)"
    compare_tail "$tmp/out_burst.wav" "$tmp/out_zeros.wav" || fail "NaN burst with $args"
done
"$nofold" process "$model" "$tmp/burst44100.wav" "$tmp/out_burst.wav" --rate 44100 2>/dev/null || fail "process --rate 44100"
"$nofold" process "$model" "$tmp/zeros44100.wav" "$tmp/out_zeros.wav" --rate 44100 2>/dev/null || fail "process --rate 44100 (zeros)"
compare_tail "$tmp/out_burst.wav" "$tmp/out_zeros.wav" || fail "NaN burst with --rate 44100"

# 3. Atomic output. OUT = IN: the input is replaced by the complete output.
cp "$tmp/zeros48000.wav" "$tmp/same.wav"
expect 0 '' -- "$nofold" process "$model" "$tmp/same.wav" "$tmp/same.wav"
"$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/separate.wav" 2>/dev/null
cmp -s "$tmp/same.wav" "$tmp/separate.wav" || fail "process IN IN differs from process IN OUT"
# A write that fails (file-size limit of 20 KiB; the output is 375 KiB): exit 1, old file intact.
cp "$tmp/zeros48000.wav" "$tmp/victim.wav"
cp "$tmp/zeros48000.wav" "$tmp/victim.orig"
expect 1 'victim.wav.*unchanged' -- bash -c "ulimit -f 20; exec \"$nofold\" process \"$model\" \"$tmp/victim.wav\" \"$tmp/victim.wav\""
cmp -s "$tmp/victim.wav" "$tmp/victim.orig" || fail "a failed write destroyed the old file"
leftovers=$(find "$tmp" -name '.*.nofold-*' | wc -l)
[[ $leftovers -eq 0 ]] || fail "$leftovers temporary file(s) left behind"
# Two writers to one file, 10 times: the result is always one of the two complete outputs.
"$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/ref_a.wav" --gain 0 2>/dev/null
"$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/ref_b.wav" --gain -6 2>/dev/null
for trial in 1 2 3 4 5 6 7 8 9 10; do
    "$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/race.wav" --gain 0 2>/dev/null &
    "$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/race.wav" --gain -6 2>/dev/null &
    wait
    cmp -s "$tmp/race.wav" "$tmp/ref_a.wav" || cmp -s "$tmp/race.wav" "$tmp/ref_b.wav" ||
        { fail "concurrent writers spliced the output (trial $trial)"; break; }
done

# 4. Resource limits, before anything large is allocated.
python3 -c "import sys; sys.stdout.write('[' + '0,' * 40000000 + '0]')" >"$tmp/huge.nam"  # 80 MB
expect 1 'huge.nam: too large for a model file \(76 MB, limit 64 MB\)' -- "$nofold" info "$tmp/huge.nam"
python3 -c "import sys; sys.stdout.write('[' + '0,' * 3000000 + '0]')" >"$tmp/many.nam"  # 6 MB, 3 M values
expect 1 'many.nam.*more than 2097152 values' -- "$nofold" info "$tmp/many.nam"
python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]
fmt = struct.pack("<HHIIHH", 3, 1, 48000, 48000 * 4, 4, 32)
# A sparse 4 GB WAV (1 G frames): only the header is written.
with open(f"{tmp}/sparse.wav", "wb") as f:
    size = 1 << 30
    f.write(b"RIFF" + struct.pack("<I", 0xFFFFFFF0) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt)
    f.write(b"data" + struct.pack("<I", size * 4 - 64))
    f.truncate(size * 4)
fast = struct.pack("<HHIIHH", 3, 1, 2000000000, (2000000000 * 4) & 0xFFFFFFFF, 4, 32)
with open(f"{tmp}/fast.wav", "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 4 + 24 + 8 + 400) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fast)
    f.write(b"data" + struct.pack("<I", 400) + b"\0" * 400)
# 2^28 - 1 frames: within the length limit, but 1 GiB of samples at once.
with open(f"{tmp}/big.wav", "wb") as f:
    size = (1 << 28) - 1
    f.write(b"RIFF" + struct.pack("<I", 36 + size * 4) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt)
    f.write(b"data" + struct.pack("<I", size * 4))
    f.truncate(44 + size * 4)
PY
expect 1 'sparse.wav: too long' -- "$nofold" process "$model" "$tmp/sparse.wav" "$tmp/o.wav"
expect 1 'fast.wav: sample rate 2000000000 Hz is above' -- "$nofold" process "$model" "$tmp/fast.wav" "$tmp/o.wav" --adapt model --rate 2000000000
# Out of memory (an address-space limit of 1 GiB): the file, what was needed and the limit.
expect 1 '^nofold: .*big.wav: too large \(1024 MB needed at once, limit 1024 MB\)$' -- \
    bash -c "ulimit -v 1048576; exec \"$nofold\" process \"$model\" \"$tmp/big.wav\" \"$tmp/o.wav\""

# 5. Option ranges (exit 2) and silent garbage reported.
expect 2 'settle' -- "$nofold" alias "$model" --settle inf
expect 2 'fs' -- "$nofold" alias "$model" --fs 1e9
expect 2 'gain' -- "$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/o.wav" --gain 1e9
expect 2 'slim' -- "$nofold" process "$model" "$tmp/zeros48000.wav" "$tmp/o.wav" --slim nan
expect 2 'slim' -- "$nofold" codegen "$model" -o "$tmp/m.hpp" --slim nan
expect 2 'keyword' -- "$nofold" codegen "$model" -o "$tmp/m.hpp" --name int
expect 0 'cut.wav: the data chunk declares 48000 frames but the file holds 24000' -- \
    "$nofold" process "$model" "$tmp/cut.wav" "$tmp/o.wav"
# A model whose weights are all 3e38 (legal floats): its output overflows, which is now said.
python3 - "$root/tests/fuzz/corpus/nam_wavenet_tiny.json" "$tmp/overflow.nam" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["weights"] = [3e38] * len(m["weights"])
json.dump(m, open(sys.argv[2], "w"))
PY
expect 0 'o.wav: [0-9]+ non-finite output samples' -- "$nofold" process "$tmp/overflow.nam" "$tmp/zeros48000.wav" "$tmp/o.wav"

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all reliability checks passed"
