#!/usr/bin/env bash
# Builds and runs nofold's libFuzzer harnesses (clang + libFuzzer + ASan/UBSan).
#   tests/fuzz/run.sh [SECONDS]            reader harness (parse + validate), default 300 s
#   tests/fuzz/run.sh build [SECONDS]      also build, prewarm and run every accepted model
#   tests/fuzz/run.sh realtime [SECONDS]   audio with NaN/inf bursts through loaded models, wrappers, Processor
#   tests/fuzz/run.sh ci [SECONDS]         all three at once (CI: 60 s each, in parallel), fails on any finding
# Seeds: tests/fuzz/corpus (committed regression inputs) plus the shared models when ../shared exists
# (copied to a scratch folder, never committed). New crashers land in $WORK/artifacts; minimise them
# and add them to tests/fuzz/corpus, where tests/io/fuzz_corpus_test.cpp replays them in every build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${WORK:-$root/build-fuzz}"

build_harness() {  # name
    clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/include" "$here/$1.cpp" -o "$work/$1"
}
run_harness() {  # name seconds
    local name=$1 seconds=$2 seeds="$work/seeds-$1"
    mkdir -p "$seeds" "$work/found-$name" "$work/artifacts"
    if [ "$name" = fuzz_realtime ]; then
        # Seeds for audio: a few byte strings choosing each model and wrapper.
        python3 - "$seeds" <<'PY'
import math, struct, sys
for m in range(10):
    for w in range(6):
        audio = b"".join(struct.pack("<f", 0.5 * math.sin(0.05 * i)) for i in range(400))
        open(f"{sys.argv[1]}/seed_{m}_{w}", "wb").write(bytes([m, w, 7]) + audio)
PY
    else
        cp "$here"/corpus/* "$seeds/" 2>/dev/null || true
        if [ -d "$root/../shared/models" ]; then cp "$root"/../shared/models/*.nam "$seeds/"; fi
    fi
    # max_len 8 MiB: large enough for the parse blow-ups a hostile file used to cause (the readers'
    # value cap must hold memory under rss_limit_mb).
    "$work/$name" "$work/found-$name" "$seeds" -max_total_time="$seconds" -max_len=8388608 -len_control=100 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/artifacts/$name-" -print_final_stats=1
}

mkdir -p "$work"
mode=reader
case "${1:-}" in build|realtime|ci) mode=$1; shift ;; esac
seconds="${1:-300}"
case $mode in
    reader) build_harness fuzz_model_reader; run_harness fuzz_model_reader "$seconds" ;;
    build) build_harness fuzz_model_build; run_harness fuzz_model_build "$seconds" ;;
    realtime) build_harness fuzz_realtime; run_harness fuzz_realtime "$seconds" ;;
    ci)
        seconds="${1:-60}"
        pids=()
        for h in fuzz_model_reader fuzz_model_build fuzz_realtime; do build_harness "$h" & pids+=($!); done
        for p in "${pids[@]}"; do wait "$p"; done
        pids=()
        for h in fuzz_model_reader fuzz_model_build fuzz_realtime; do
            run_harness "$h" "$seconds" >"$work/$h.log" 2>&1 & pids+=($!)
        done
        status=0
        for p in "${pids[@]}"; do wait "$p" || status=1; done
        for h in fuzz_model_reader fuzz_model_build fuzz_realtime; do
            echo "--- $h: $(grep -E '^stat::number_of_executed_units' "$work/$h.log" || echo 'no stats')"
        done
        if [ $status -ne 0 ]; then tail -n 40 "$work"/*.log; fi
        exit $status ;;
esac
