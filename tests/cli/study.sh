#!/usr/bin/env bash
# `nofold study` (issue 19) on a 3-configuration, 2-seed grid of tiny nano WaveNets trained on the
# white-box diode clipper:
# - the table is complete (6 runs, 3 rows of 2) and its mean/std/min equal those Python's statistics
#   module computes from the run files; the SVG is well-formed XML with a point per run and per row;
# - shard 1/2 + shard 2/2 + --merge gives the unsharded table byte for byte; a folder holding shard 1
#   resumes to the full grid training only the missing runs and leaves the finished ones untouched;
# - Ctrl-C exits 130 leaving only complete run files; results of other settings are refused;
# - bad options exit 2 and bad files 1, with a message naming the problem, before any training.
set -u
nofold=$1
source "$(dirname "$0")/expect.sh"  # tmp, fail, expect

"$nofold" make-di "$tmp/di.wav" --seconds 2 >/dev/null
"$nofold" make-target --circuit diode_clipper "$tmp/di.wav" "$tmp/amp.wav" --drive 6 >/dev/null
shape=(--target "$tmp/amp.wav" --arch nano --batch 2 --frame 2048 --lr 0.02 --threads 2)
grid=(--input "$tmp/di.wav" "${shape[@]}" --activations CustomTanh:1 Hardtanh gated:Tanh --seeds 2 --epochs 1)

# Bad options and files: nothing trained, no folder made.
expect 2 'shard must be K/N' -- "$nofold" study "${grid[@]}" --out "$tmp/bad" --shard 3/2
expect 2 'shard must be K/N' -- "$nofold" study "${grid[@]}" --out "$tmp/bad" --shard 0/2
expect 2 'shard must be K/N' -- "$nofold" study "${grid[@]}" --out "$tmp/bad" --shard 1/
expect 2 "unknown activation 'Nope'" -- "$nofold" study --input "$tmp/di.wav" "${shape[@]}" --out "$tmp/bad" --activations Nope
expect 2 'listed twice' -- "$nofold" study --input "$tmp/di.wav" "${shape[@]}" --out "$tmp/bad" --activations Hardtanh Hardtanh
expect 2 'seeds' -- "$nofold" study --input "$tmp/di.wav" "${shape[@]}" --out "$tmp/bad" --seeds 0
expect 2 'unknown architecture' -- "$nofold" study --input "$tmp/di.wav" --target "$tmp/amp.wav" --out "$tmp/bad" --arch huge
expect 2 'input and --target' -- "$nofold" study --out "$tmp/bad"
expect 1 'missing.wav' -- "$nofold" study --input "$tmp/missing.wav" "${shape[@]}" --out "$tmp/bad"
mkdir "$tmp/empty"
expect 1 'no study results' -- "$nofold" study --merge "$tmp/empty" --out "$tmp/bad"
expect 1 'not a folder' -- "$nofold" study --merge "$tmp/nowhere" --out "$tmp/bad"
[[ ! -e $tmp/bad ]] || fail "a refused study created its folder"

# The whole grid.
"$nofold" study "${grid[@]}" --out "$tmp/full" --json >"$tmp/full.json" || fail "study (full grid) failed"
python3 - "$tmp" <<'PY' || fail "the full study's table, files or SVG"
import glob, json, statistics, sys, xml.etree.ElementTree as ET
tmp = sys.argv[1]
j = json.load(open(tmp + "/full.json"))
assert j["runs"] == 6 and j["runs_trained"] == 6 and j["runs_found"] == 0 and j["shard"] == "1/1", j
assert [r["configuration"] for r in j["table"]] == ["CustomTanh:1", "Hardtanh", "gated:Tanh"], j["table"]
assert json.load(open(tmp + "/full/study.json"))["table"] == j["table"]
runs = [json.load(open(f)) for f in sorted(glob.glob(tmp + "/full/run-*.json"))]
assert len(runs) == 6, len(runs)
for row in j["table"]:
    mine = [r for r in runs if r["configuration"] == row["configuration"]]
    assert row["runs"] == 2 and sorted(r["seed"] for r in mine) == [0, 1], row
    for key, field in (("esr", "validation_esr"), ("asr", "asr")):
        v = [r[field] for r in mine]
        assert 0 < min(v) and max(v) < 10, (row, v)  # one tiny epoch: some runs stay near the initial ESR ≈ 1
        for name, ref in (("mean", statistics.mean(v)), ("std", statistics.stdev(v)), ("min", min(v))):
            assert abs(row[key][name] - ref) <= 1e-12 * abs(ref) + 1e-300, (row, key, name, ref)
csv = open(tmp + "/full/study.csv").read().splitlines()
assert len(csv) == 4 and csv[0].startswith("configuration,") and csv[3].startswith("gated:Tanh,"), csv
front = [r for r in j["table"] if r["pareto"]]
assert front and all(not (o["esr"]["mean"] <= f["esr"]["mean"] and o["asr"]["mean"] < f["asr"]["mean"])
                     for f in front for o in j["table"]), j["table"]
svg = ET.parse(tmp + "/full/study.svg").getroot()
assert svg.tag.endswith("svg"), svg.tag
ns = "{http://www.w3.org/2000/svg}"
assert len(svg.findall(ns + "circle")) >= 6 + 3, len(svg.findall(ns + "circle"))
texts = [t.text for t in svg.findall(ns + "text")]
assert all(r["configuration"] in texts for r in j["table"]), texts
PY

# Shards, merged: the same table. A folder holding shard 1 resumes to the whole grid.
"$nofold" study "${grid[@]}" --out "$tmp/s1" --shard 1/2 --json >"$tmp/s1.json" || fail "study --shard 1/2 failed"
"$nofold" study "${grid[@]}" --out "$tmp/s2" --shard 2/2 --json >"$tmp/s2.json" || fail "study --shard 2/2 failed"
"$nofold" study --merge "$tmp/s1" "$tmp/s2" --out "$tmp/merged" >/dev/null || fail "study --merge failed"
cmp -s "$tmp/full/study.csv" "$tmp/merged/study.csv" || fail "shard 1/2 + 2/2 merged differs from the whole grid"
cp -p -r "$tmp/s1" "$tmp/resume"
sleep 1  # a rewritten file would get a later time stamp
"$nofold" study "${grid[@]}" --out "$tmp/resume" --json >"$tmp/resume.json" || fail "resumed study failed"
python3 - "$tmp" <<'PY' || fail "shard sizes or the resumed study"
import json, sys
tmp = sys.argv[1]
s1, s2, r = (json.load(open(f"{tmp}/{n}.json")) for n in ("s1", "s2", "resume"))
assert s1["runs"] == 3 and s2["runs"] == 3 and s1["runs_trained"] == 3, (s1, s2)
assert r["runs"] == 6 and r["runs_found"] == 3 and r["runs_trained"] == 3, r
PY
for f in "$tmp"/s1/run-*.json; do
    [[ $(stat -c %Y "$f") == $(stat -c %Y "$tmp/resume/${f##*/}") ]] && cmp -s "$f" "$tmp/resume/${f##*/}" ||
        fail "resuming rewrote ${f##*/}"
done
cmp -s "$tmp/full/study.csv" "$tmp/resume/study.csv" || fail "the resumed study's table differs from the whole grid's"
expect 2 'other settings.*epochs differs' -- "$nofold" study --input "$tmp/di.wav" "${shape[@]}" --activations CustomTanh:1 --seeds 2 \
    --epochs 2 --out "$tmp/full"
"$nofold" convert "$tmp/di.wav" "$tmp/di2.wav" --gain -1 --format float >/dev/null
expect 2 'data_fnv1a differs' -- "$nofold" study --input "$tmp/di2.wav" "${shape[@]}" --activations CustomTanh:1 --seeds 2 \
    --epochs 1 --out "$tmp/full"

# Ctrl-C after the first run: exit 130, only complete run files, no temporary files.
"$nofold" study "${grid[@]}" --out "$tmp/int" >/dev/null 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1 600); do
    compgen -G "$tmp/int/run-*.json" >/dev/null && break
    sleep 0.02
done
kill -INT $pid
wait $pid
status=$?
n=$(ls "$tmp"/int/run-*.json 2>/dev/null | wc -l)
[[ $status -eq 130 ]] || fail "interrupted study exited $status, expected 130 ($(cat "$tmp/int.err"))"
grep -q 'run the same command again to resume' "$tmp/int.err" || fail "no resume hint after Ctrl-C: $(cat "$tmp/int.err")"
[[ $n -ge 1 && $n -lt 6 ]] || fail "interrupted study left $n run files"
[[ -z $(ls -A "$tmp/int" | grep -v '^run-.*\.json$') ]] || fail "interrupted study left other files: $(ls -A "$tmp/int")"
"$nofold" study --merge "$tmp/int" --out "$tmp/int" --json | python3 -c "import json,sys; assert json.load(sys.stdin)['runs'] == $n" ||
    fail "the interrupted study's run files do not merge"

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all study checks passed"
