#!/usr/bin/env bash
# Claims about `nofold activations` as users run it (issue 3 item 7): the CSV header and the --json keys,
# the same rows in both, every tiered policy in each of its tiers, each parameterised family once per
# stretch factor of the study (and tier), lower-case identifier names, and figures known independently of
# the program: exact piecewise-linear functions have error 0, exact tanh is within 4 ULP (tier contract),
# fast tanh within 2e-6 (tier contract), NAM's Fasttanh at least 3e-4 from tanh (docs/activations.md §5), a
# linear function has no aliasing, and stretching tanh (CustomTanh α = 32 vs 1) lowers its ASR (the study).
set -euo pipefail
nofold=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nofold" activations --json --csv "$tmp/table.csv" >"$tmp/table.json"
"$nofold" activations --filter relu6 >"$tmp/filtered.txt"
python3 - "$tmp" <<'PY'
import csv, json, re, sys
tmp = sys.argv[1]
keys = ["name", "param", "tier", "max_abs_err", "max_ulp", "ns_scalar", "ns_simd", "asr_db"]
with open(f"{tmp}/table.csv") as f:
    header = f.readline().strip()
    assert header == ",".join(keys), header
    rows_csv = list(csv.DictReader(f, fieldnames=keys))
rows = json.load(open(f"{tmp}/table.json"))
assert isinstance(rows, list) and len(rows) == len(rows_csv) > 100, (len(rows), len(rows_csv))
for r in rows:
    assert list(r.keys()) == keys, r
    assert re.fullmatch(r"[a-z][a-z0-9_]*", r["name"]), r
    assert r["tier"] in ("exact", "fast", "nam"), r
    assert r["ns_scalar"] > 0 and r["ns_simd"] > 0, r
ident = lambda r: (r["name"], r["param"], r["tier"])
assert [ident(r) for r in rows] == [ident(r) for r in rows_csv]
assert len(set(ident(r) for r in rows)) == len(rows), "duplicate rows"
table = {ident(r): r for r in rows}

stretch = ["0.1", "0.2", "0.5", "1", "2", "4", "8", "16", "32"]
def need(name, params, tiers):
    for p in params:
        for t in tiers:
            assert (name, p, t) in table, (name, p, t)
all3, ef = ("exact", "fast", "nam"), ("exact", "fast")
for name in ("tanh", "sigmoid", "silu", "gelu_tanh", "tanhshrink"):
    need(name, [""], all3)
for name in ("selu", "gelu", "mish", "log_sigmoid", "gaussian"):
    need(name, [""], ef)
need("elu", ["1"], ef); need("celu", ["1"], ef); need("softplus", ["1"], ef)
need("customtanh", stretch + ["1.8"], all3)
need("snake", stretch + ["2.9"], ["exact"])
need("relusquared", stretch, ["exact"])
need("relusquareddip", stretch, ef)
need("smoothhardtanh", ["0.1", "0.2", "0.5", "1"], ["exact"])
need("gated_tanh", [""], all3)
need("fasttanh", [""], ["nam"])
for name in ("relu", "relu6", "leaky_relu", "prelu", "hardtanh", "leaky_hardtanh", "hardsigmoid", "hardswish",
             "softsign", "softshrink", "hardshrink", "threshold", "identity", "rrelu", "snakebeta", "gated_selu",
             "gated_relu", "blended_tanh"):
    assert any(k[0] == name for k in table), name

for name in ("relu", "relu6", "hardtanh", "identity", "threshold", "hardshrink"):
    r = table[(name, "", "exact")] if (name, "", "exact") in table else next(v for k, v in table.items() if k[0] == name)
    assert r["max_abs_err"] == 0, r                         # exact in float: no rounding at all
assert table[("tanh", "", "exact")]["max_ulp"] <= 4          # the Exact tier's contract
assert table[("tanh", "", "fast")]["max_abs_err"] <= 2e-6    # the Fast tier's contract
assert table[("sigmoid", "", "fast")]["max_abs_err"] <= 2e-6
assert table[("fasttanh", "", "nam")]["max_abs_err"] < 1e-5     # vs NAM's formula in long double: rounding only
assert table[("tanh", "", "nam")]["max_abs_err"] > 3e-4          # vs tanh: the approximation (4.4e-4 up to |x| 8.56,
                                                                   # growing beyond: the grid reaches 16)
assert table[("identity", "", "exact")]["asr_db"] < -120     # linear: nothing aliases
assert table[("customtanh", "32", "exact")]["asr_db"] < table[("customtanh", "1", "exact")]["asr_db"] - 10
assert abs(table[("customtanh", "1", "exact")]["asr_db"] - table[("tanh", "", "exact")]["asr_db"]) < 0.01
print("activations CLI checks passed:", len(rows), "rows; tanh exact ASR", table[("tanh", "", "exact")]["asr_db"])
PY
grep -q "^relu6 " "$tmp/filtered.txt"
if grep -q "^tanh " "$tmp/filtered.txt"; then echo "--filter relu6 printed tanh" >&2; exit 1; fi
if "$nofold" activations --filter no_such_activation >/dev/null 2>&1; then echo "unknown filter accepted" >&2; exit 1; fi
