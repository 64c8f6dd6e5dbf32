#!/usr/bin/env bash
# Claims: `nofold info --oversample N` reports the oversampler's fractional latency (which grows with
# N, as the cascade gains stages) and `nofold bench --oversample N` reports the filters' share of
# the cost; bad factors are usage errors. `--final-stage nyquist` lowers the demo amp's 4x ASR at C7 by > 3 dB (its
# harmonics just above the base Nyquist no longer fold), is reported in alias's JSON, and adds latency;
# a bad final stage is a usage error.
set -euo pipefail
nofold=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/examples/models/nofold_demo_drive.nam
"$nofold" info "$model" --oversample 2 --json >/tmp/nofold_info2.$$
"$nofold" info "$model" --oversample 8 --json >/tmp/nofold_info8.$$
"$nofold" bench "$model" --oversample 2 --seconds 0.3 --json >/tmp/nofold_bench2.$$
python3 - /tmp/nofold_info2.$$ /tmp/nofold_info8.$$ /tmp/nofold_bench2.$$ <<'PY'
import json, sys
i2, i8, b2 = (json.load(open(p)) for p in sys.argv[1:])
assert i2["oversample"] == 2 and i2["filter"] == "iir_quality", i2
assert 1.0 < i2["latency_exact_samples"] < 10.0, i2        # a few base-rate samples (spec: 2-4 per filter)
assert i8["latency_exact_samples"] > i2["latency_exact_samples"], (i2, i8)
assert i2["latency_samples"] == round(i2["latency_exact_samples"]), i2
assert b2["oversample"] == 2 and 0.0 < b2["filter_share"] < 0.5, b2
assert b2["ns_per_sample"] > b2["filter_ns_per_sample"] > 0, b2
print("oversample CLI checks passed:", i2["latency_exact_samples"], i8["latency_exact_samples"], b2["filter_share"])
PY
rm -f /tmp/nofold_info2.$$ /tmp/nofold_info8.$$ /tmp/nofold_bench2.$$
"$nofold" alias "$model" --f0 2093 --oversample 4 --json --threads 1 >/tmp/nofold_alias_hb.$$
"$nofold" alias "$model" --f0 2093 --oversample 4 --final-stage nyquist --json --threads 1 >/tmp/nofold_alias_ny.$$
"$nofold" info "$model" --oversample 2 --final-stage nyquist --json >/tmp/nofold_info_ny.$$
python3 - /tmp/nofold_alias_hb.$$ /tmp/nofold_alias_ny.$$ /tmp/nofold_info_ny.$$ <<'PY'
import json, sys
hb, ny, info = (json.load(open(p)) for p in sys.argv[1:])
assert hb["final_stage"] == "halfband" and ny["final_stage"] == "nyquist", (hb, ny)
assert ny["asr_db"] < hb["asr_db"] - 3.0, (hb["asr_db"], ny["asr_db"])
assert 40.0 < info["latency_exact_samples"] < 60.0, info   # the FIR final stage: about 1 ms at 48 kHz
print("final stage checks passed:", hb["asr_db"], ny["asr_db"], info["latency_exact_samples"])
PY
rm -f /tmp/nofold_alias_hb.$$ /tmp/nofold_alias_ny.$$ /tmp/nofold_info_ny.$$
set +e
"$nofold" info "$model" --oversample 3 2>/dev/null; [[ $? -eq 2 ]] || { echo "FAIL: --oversample 3 must be a usage error"; exit 1; }
"$nofold" bench "$model" --filter cubic 2>/dev/null; [[ $? -eq 2 ]] || { echo "FAIL: --filter cubic must be a usage error"; exit 1; }
"$nofold" alias "$model" --oversample 2 --final-stage brick 2>/dev/null; [[ $? -eq 2 ]] || { echo "FAIL: --final-stage brick must be a usage error"; exit 1; }
exit 0
