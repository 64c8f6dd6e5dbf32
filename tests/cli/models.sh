#!/usr/bin/env bash
# Claims about `nofold info/process/codegen` on real model files (the shared models; skipped, exit 77,
# when ../shared is absent):
#  * `process` reproduces NAM Core's renders (max |err| <= 5e-5 x max(1, peak), error <= -110 dB;
#    the full table with the issue's 1e-5 target is printed by tests/io/parity_test.cpp);
#  * `codegen` headers compile with the project's compiler and flags, and compute exactly (bit for
#    bit) what `nofold process --prewarm steady` computes from the file;
#  * bad files and rate mismatches exit 1 with a one-line message naming the file; bad usage exits 2.
# Usage: models.sh NOFOLD CXX "CXXFLAGS" INCLUDE_DIRS(;-separated) SHARED_DIR
set -u
nofold=$1 cxx=$2 cxxflags=$3 includes=$4 shared=$5
here="$(cd "$(dirname "$0")" && pwd)"
[[ -d $shared/models && -d $shared/reference ]] || { echo "skipped: no shared models at $shared"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Failures are counted in a file: the codegen checks run as background jobs.
fail() { echo "FAIL: $*"; echo x >>"$tmp/failures"; }

compare() {  # compare A.wav B.wav MAXABS_SCALE DB  (A vs reference B)
    python3 - "$@" <<'PY'
import array, math, struct, sys
def rd(p):
    b = open(p, 'rb').read(); o = 12
    while o + 8 <= len(b):
        cid = b[o:o+4]; sz = struct.unpack('<I', b[o+4:o+8])[0]
        if cid == b'data':
            a = array.array('f'); a.frombytes(b[o+8:o+8+sz]); return a
        o += 8 + sz + (sz & 1)
    sys.exit('no data chunk in ' + p)
y, r = rd(sys.argv[1]), rd(sys.argv[2])
if len(y) != len(r): sys.exit('length %d vs %d' % (len(y), len(r)))
peak = max(abs(v) for v in r)
e2 = sum((a - b) ** 2 for a, b in zip(y, r)); s2 = sum(b * b for b in r)
mx = max(abs(a - b) for a, b in zip(y, r))
db = 10 * math.log10(e2 / s2) if e2 > 0 else -400
ok = mx <= float(sys.argv[3]) * max(1.0, peak) and db <= float(sys.argv[4])
print('%-40s max %.3g  %.1f dB %s' % (sys.argv[2].split('/')[-1], mx, db, 'ok' if ok else 'FAIL'))
sys.exit(0 if ok else 1)
PY
}

in48=$shared/reference/input48k.wav
# Parity through the command line (exact and nam math, slimmable sizes).
for spec in wavenet lstm wavenet_a1_standard A2 A2:0:slim0 slimmable_container slimmable_container:0.5:slim0p5 \
            slimmable_wavenet:0:slim0 wavenet_a2_max wavenet_condition_dsp identity_linear_10 identity_wavenet_standard; do
    IFS=: read -r model slim tag <<<"$spec"
    args=(); [[ -n $slim ]] && args=(--slim "$slim")
    suffix=${tag:+.$tag}
    "$nofold" process "$shared/models/$model.nam" "$in48" "$tmp/$model$suffix.wav" "${args[@]}" \
        || { fail "process $model"; continue; }
    compare "$tmp/$model$suffix.wav" "$shared/reference/$model$suffix.exact.wav" 5e-5 -110 || fail "parity $model$suffix exact"
    if [[ $model != lstm && $model != slimmable_container ]]; then  # nam math through an LSTM: see parity_test.cpp
        "$nofold" process "$shared/models/$model.nam" "$in48" "$tmp/$model$suffix.nam.wav" --math nam "${args[@]}" \
            && compare "$tmp/$model$suffix.nam.wav" "$shared/reference/$model$suffix.fast.wav" 5e-5 -110 \
            || fail "parity $model$suffix nam"
    fi
done

# Codegen: compile each generated header into a driver and compare with the loaded model, bit for bit.
incflags=()
IFS=';' read -ra dirs <<<"$includes"
for d in "${dirs[@]}"; do [[ -n $d && $d != /usr/include ]] && incflags+=(-I "$d"); done
codegen_check() {  # MODEL: one generated header, its drivers and their outputs
    local model=$1 heap
    "$nofold" codegen "$shared/models/$model.nam" -o "$tmp/gen_$model.hpp" --name Generated || { fail "codegen $model"; return; }
    cat >"$tmp/drive_$model.cpp" <<CPP
#include <cstdio>
#include <vector>
#include "gen_$model.hpp"
#include "$here/../io/float_wav.hpp"
int main(int, char** argv) {
    nofold::test::FloatWav x;
    if (!nofold::test::read_float_wav(argv[1], x)) return 3;
#ifdef USE_FIXED
    static Generated::Fixed fixed;  // heap-free static type (WaveNet presets)
    if (!Generated::init(fixed)) return 4;
    auto* m = &fixed;
#else
    auto m = Generated::make();
    if (!m) return 4;
#endif
    m->prewarm();
    std::vector<float> y(x.samples.size());
    for (std::size_t i = 0; i < y.size(); i += 64) {
        const int n = static_cast<int>(y.size() - i < 64 ? y.size() - i : 64);
        m->process(x.samples.data() + i, y.data() + i, n);
    }
    std::FILE* f = std::fopen(argv[2], "wb");
    const unsigned char header[44] = {'R','I','F','F',0,0,0,0,'W','A','V','E','f','m','t',' ',16,0,0,0,3,0,1,0,0x80,0xBB,0,0,0,0xEE,2,0,4,0,32,0,'d','a','t','a',0,0,0,0};
    unsigned char h[44];
    for (int k = 0; k < 44; ++k) h[k] = header[k];
    const unsigned bytes = static_cast<unsigned>(y.size() * 4);
    for (int k = 0; k < 4; ++k) h[40 + k] = static_cast<unsigned char>(bytes >> (8 * k));
    std::fwrite(h, 1, 44, f);
    std::fwrite(y.data(), 4, y.size(), f);
    std::fclose(f);
    return 0;
}
CPP
    # shellcheck disable=SC2086
    "$cxx" -std=c++17 $cxxflags -I"$tmp" "${incflags[@]}" "$tmp/drive_$model.cpp" -o "$tmp/drive_$model" 2>"$tmp/cc_$model.log" \
        || { fail "generated header for $model does not compile: $(head -3 "$tmp/cc_$model.log")"; return; }
    "$tmp/drive_$model" "$in48" "$tmp/gen_$model.wav" || { fail "driver $model"; return; }
    # NOFOLD_ISA=baseline: the program's own code, built with the flags the driver was built with (a dispatched
    # AVX-512 backend sums in a different order, which -110 dB parity allows but bit equality does not).
    NOFOLD_ISA=baseline "$nofold" process "$shared/models/$model.nam" "$in48" "$tmp/steady_$model.wav" --prewarm steady || { fail "process $model"; return; }
    compare "$tmp/gen_$model.wav" "$tmp/steady_$model.wav" 0 -400 >/dev/null || fail "codegen $model differs from the loaded model"
    # Preset shapes also get the heap-free `Fixed` type: same output, and a -fno-exceptions -fno-rtti
    # translation unit that uses it references no heap or exception symbols.
    if grep -q 'using Fixed = nofold::nn::wavenet' "$tmp/gen_$model.hpp"; then
        # shellcheck disable=SC2086
        "$cxx" -std=c++17 $cxxflags -DUSE_FIXED -I"$tmp" "${incflags[@]}" "$tmp/drive_$model.cpp" -o "$tmp/fixed_$model" \
            2>"$tmp/ccf_$model.log" || { fail "Fixed for $model does not compile: $(head -3 "$tmp/ccf_$model.log")"; return; }
        "$tmp/fixed_$model" "$in48" "$tmp/fixed_$model.wav" || { fail "fixed driver $model"; return; }
        compare "$tmp/fixed_$model.wav" "$tmp/steady_$model.wav" 0 -400 >/dev/null || fail "Fixed $model differs from the loaded model"
        printf '#include "gen_%s.hpp"\nstatic Generated::Fixed model;\nextern "C" int fw_setup() { return Generated::init(model) ? 0 : 1; }\nextern "C" void fw_process(const float* in, float* out, int n) { model.process(in, out, n); }\n' \
            "$model" >"$tmp/fw_$model.cpp"
        # shellcheck disable=SC2086
        "$cxx" -std=c++17 $cxxflags -fno-exceptions -fno-rtti -I"$tmp" "${incflags[@]}" -c "$tmp/fw_$model.cpp" -o "$tmp/fw_$model.o" \
            2>"$tmp/ccw_$model.log" || { fail "firmware TU for $model does not compile: $(head -3 "$tmp/ccw_$model.log")"; return; }
        heap=$(nm -uC "$tmp/fw_$model.o" | grep -E 'malloc|calloc|realloc|free|operator new|operator delete|__cxa_throw|__cxa_allocate' || true)
        [[ -z $heap ]] || fail "firmware TU for $model references heap/exception symbols: $heap"
    fi
}
# Two at a time: most of this test is compiling generated headers.
codegen_models=(wavenet lstm wavenet_a1_standard A2 wavenet_a2_max wavenet_condition_dsp identity_linear_10 slimmable_wavenet)
for model in "${codegen_models[@]}"; do
    codegen_check "$model" >"$tmp/codegen_$model.log" 2>&1 &
    [[ $(jobs -rp | wc -l) -lt 2 ]] || wait -n
done
wait
for model in "${codegen_models[@]}"; do cat "$tmp/codegen_$model.log"; done

# Errors: one line, file named, right exit status.
expect() {  # expect STATUS PATTERN command...
    local want=$1 pattern=$2; shift 2
    local err status
    err=$("$@" 2>&1 >/dev/null); status=$?
    [[ $status -eq $want ]] || { fail "'$*' exited $status, expected $want ($err)"; return; }
    grep -qE -- "$pattern" <<<"$err" || fail "'$*' message '$err' lacks /$pattern/"
    [[ $(wc -l <<<"$err") -eq 1 ]] || fail "'$*' error is not one line"
}
head -c 2000 "$shared/models/wavenet_a1_standard.nam" >"$tmp/cut.nam"
expect 1 'cut\.nam:[0-9]+:[0-9]+: .*truncated' "$nofold" info "$tmp/cut.nam"
python3 -c "
import json; d = json.load(open('$shared/models/wavenet.nam')); d['weights'] = d['weights'][:-1]
json.dump(d, open('$tmp/short.nam', 'w'))"
expect 1 'short\.nam.*\$\.weights: expected 131 weights, file has 130' "$nofold" info "$tmp/short.nam"
expect 1 'refusing.*--rate 44100' "$nofold" process "$shared/models/wavenet.nam" "$shared/reference/input44k.wav" "$tmp/x.wav"
expect 2 '--rate must equal' "$nofold" process "$shared/models/wavenet.nam" "$in48" "$tmp/x.wav" --rate 96000
expect 2 '--math' "$nofold" process "$shared/models/wavenet.nam" "$in48" "$tmp/x.wav" --math turbo
expect 2 'C\+\+ identifier' "$nofold" codegen "$shared/models/wavenet.nam" -o "$tmp/x.hpp" --name 1bad
"$nofold" info "$shared/models/wavenet_a1_standard.nam" --json | python3 -c "
import json, sys; d = json.load(sys.stdin)
assert d['implementation'] == \"static WaveNet preset 'standard'\", d['implementation']
assert d['weights'] == 13802 and d['sample_rate_hz'] is None and d['nam_prewarm_samples'] == 4093
assert 'every shape field matches' in d['dispatch'][0]['reason']" || fail "info --json for wavenet_a1_standard"

failures=$(cat "$tmp/failures" 2>/dev/null | wc -l)
[[ $failures -eq 0 ]] && echo "models.sh: all passed" || echo "models.sh: $failures failure(s)"
exit $((failures > 0))
