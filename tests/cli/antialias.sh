#!/usr/bin/env bash
# Claims about `nofold antialias` as users run it: bad input is refused with the README's exit codes and
# the teacher file is never changed; a (one-batch) fine-tune writes a student that io::load reads, whose
# `nofold alias --chromatic --reference TEACHER` figures equal the ones the report printed; the record of
# the fine-tune is in the file's metadata.
set -euo pipefail
nofold=$1
corpus=$2
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

cp "$corpus/nam_lstm_tiny.json" "$tmp/teacher.nam"
before=$(sha256sum "$tmp/teacher.nam")

expect() {  # expect STATUS TEXT command...
    local want=$1 text=$2
    shift 2
    set +e
    "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
    local got=$?
    set -e
    if [ "$got" != "$want" ] || ! grep -q -- "$text" "$tmp/err.txt"; then
        echo "expected exit $want and '$text' from: $*" >&2
        cat "$tmp/err.txt" >&2
        exit 1
    fi
}

expect 2 "minutes" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/s.nam" --minutes 0
expect 2 "lambda" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/s.nam" --lambda -1
expect 2 "checkpoint" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/s.nam" --resume
expect 2 "phrase-share" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/s.nam" --phrase-share 1
expect 2 "phrase-limit" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/s.nam" --phrase-limit 3
expect 1 "output folder does not exist" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/missing/s.nam"
expect 1 "architecture ConvNet" "$nofold" antialias "$corpus/nam_convnet.json" -o "$tmp/s.nam"
expect 2 "teacher" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/teacher.nam"
sed 's/"version"/"sample_rate": 96000, "version"/' "$tmp/teacher.nam" >"$tmp/rate96.nam"
expect 1 "96000" "$nofold" antialias "$tmp/rate96.nam" -o "$tmp/s.nam"
if [ "$(id -u)" != 0 ]; then  # root writes into read-only folders
    mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
    expect 1 "not writable" "$nofold" antialias "$tmp/teacher.nam" -o "$tmp/ro/s.nam"
fi
[ ! -e "$tmp/s.nam" ]

"$nofold" antialias "$tmp/teacher.nam" -o "$tmp/student.nam" --epochs 1 --batches-per-epoch 1 --batch 2 \
    --threads 2 --json >"$tmp/report.json"
[ "$before" = "$(sha256sum "$tmp/teacher.nam")" ]
"$nofold" info "$tmp/student.nam" --json >"$tmp/info.json"
"$nofold" alias "$tmp/student.nam" --chromatic --reference "$tmp/teacher.nam" --threads 2 --json >"$tmp/alias.json"
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
report = json.load(open(f"{tmp}/report.json"))
alias = json.load(open(f"{tmp}/alias.json"))
student = json.load(open(f"{tmp}/student.nam"))
for key in ("asr_db", "esr_s_db", "nmr_s_db"):
    assert report["student"][key] == alias[key], (key, report["student"][key], alias[key])
assert report["student_vs_teacher"]["esr_t_db"] == alias["esr_t_db"], (report, alias)
assert report["student_vs_teacher"]["nmr_t_db"] == alias["nmr_t_db"], (report, alias)
assert report["student_vs_teacher"]["hesr_t_db"] == alias["hesr_db"], (report, alias)
for key in ("teacher", "teacher_2x", "di_esr_db", "refused_by_phrase_limit", "harmonics_above_12k_db", "validation_nmr_s_db", "validation_loss_db", "training_seconds"):
    assert key in report, key
assert report["written"] is True, report
record = student["metadata"]["nofold_training"][-1]
assert record["method"] == "antialias" and "teacher_sha256" in record, record
assert record["settings"]["phrase_share"] == 0.25 and record["settings"]["phrase_limit_db"] == -6, record
print("antialias CLI checks passed: student NMR-S", alias["nmr_s_db"], "teacher", report["teacher"]["nmr_s_db"])
PY
