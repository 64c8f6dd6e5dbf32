#!/usr/bin/env bash
# Builds and runs the model-reader fuzzer (clang + libFuzzer + ASan/UBSan), outside CI.
#   tests/fuzz/run.sh [SECONDS]          reader harness (parse + validate), default 300 s
#   tests/fuzz/run.sh build [SECONDS]    also build, prewarm and run every accepted model
# Seeds: tests/fuzz/corpus (committed regression inputs) plus the shared models when ../shared exists
# (copied to a scratch folder, never committed). New crashers land in $WORK/artifacts; minimise them
# and add them to tests/fuzz/corpus, where tests/io/fuzz_corpus_test.cpp replays them in every build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
harness=fuzz_model_reader
if [ "${1:-}" = build ]; then harness=fuzz_model_build; shift; fi
seconds="${1:-300}"
work="${WORK:-$root/build-fuzz}"
mkdir -p "$work/seeds" "$work/found" "$work/artifacts"
cp "$here"/corpus/* "$work/seeds/" 2>/dev/null || true
if [ -d "$root/../shared/models" ]; then cp "$root"/../shared/models/*.nam "$work/seeds/"; fi
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/include" "$here/$harness.cpp" -o "$work/$harness"
"$work/$harness" "$work/found" "$work/seeds" -max_total_time="$seconds" -max_len=262144 \
  -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/artifacts/" -print_final_stats=1
