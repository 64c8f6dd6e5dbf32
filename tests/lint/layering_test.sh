#!/usr/bin/env bash
# Claims about scripts/check_layering.py, checked on small trees made here: it passes a tree whose
# includes run down the layer order, fails (naming file, line and rule) on each kind of include that
# runs up it, honours and polices the allow-list, and its table is the one docs/layering.md shows.
set -uo pipefail
source "$(dirname "$0")/common.sh"
check=$root/scripts/check_layering.py

# A tree with one header per area, each including only what the table allows.
make_tree() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t/include/nofold"/{simd,math,nn/detail,runtime,io,dsp,analysis,train} "$tmp/t/scripts"
    local n=$tmp/t/include/nofold
    echo '#pragma once' > "$n/config.hpp"
    printf '#pragma once\n#include "config.hpp"\n' > "$n/model.hpp"
    printf '#pragma once\n#include <cstddef>\n#include "../config.hpp"\n' > "$n/simd/simd.hpp"
    printf '#pragma once\n#include "../simd/simd.hpp"\n' > "$n/math/tanh.hpp"
    printf '#pragma once\n#include "../../math/tanh.hpp"\n' > "$n/nn/detail/kernel.hpp"
    printf '#pragma once\n#include "detail/kernel.hpp"\n#include "../model.hpp"\n' > "$n/nn/dense.hpp"
    printf '#pragma once\n#include <nofold/nn/dense.hpp>\n' > "$n/runtime/wavenet.hpp"
    printf '#pragma once\n#include "../runtime/wavenet.hpp"\n' > "$n/io/load.hpp"
    printf '#pragma once\n#include "../math/tanh.hpp"\n#include "../model.hpp"\n' > "$n/dsp/oversampled.hpp"
    printf '#pragma once\n#include "../dsp/oversampled.hpp"\n' > "$n/analysis/asr.hpp"
    printf '#pragma once\n#include "../io/load.hpp"\n#include "../analysis/asr.hpp"\n' > "$n/train/trainer.hpp"
    printf '#pragma once\n#include "io/load.hpp"\n#include "dsp/oversampled.hpp"\n' > "$n/processor.hpp"
}
expect_clean() { expect "$1" 0 "" python3 "$check" "$tmp/t"; }         # description
expect_violation() { expect "$1" 1 "$2" python3 "$check" "$tmp/t"; }  # description, text of the report

make_tree
expect_clean "every area including what it may"

make_tree
sed -i '1a #include "../runtime/wavenet.hpp"' "$tmp/t/include/nofold/nn/dense.hpp"
expect_violation "nn including runtime (relative path)" \
    "include/nofold/nn/dense.hpp:2: nn may not include runtime (runtime/wavenet.hpp)"

make_tree
echo '#include <nofold/train/trainer.hpp>' >> "$tmp/t/include/nofold/dsp/oversampled.hpp"
expect_violation "dsp including train (<nofold/...> path)" "dsp may not include train (train/trainer.hpp)"

make_tree
echo '#include "../../io/load.hpp"' >> "$tmp/t/include/nofold/nn/detail/kernel.hpp"
expect_violation "a detail header is held to its folder's rule" \
    "include/nofold/nn/detail/kernel.hpp:3: nn may not include io (io/load.hpp)"

make_tree
echo '#include "../processor.hpp"' >> "$tmp/t/include/nofold/train/trainer.hpp"
expect_violation "train and processor stay apart" "train may not include processor.hpp"

make_tree
echo '#include "../nn/dense.hpp"' >> "$tmp/t/include/nofold/math/tanh.hpp"
expect_violation "math including nn" "math may not include nn"

make_tree
echo '#include "../nn/dense.hpp"' >> "$tmp/t/include/nofold/dsp/oversampled.hpp"
expect_violation "dsp beside nn, not above it" "dsp may not include nn"

make_tree
mkdir -p "$tmp/t/include/nofold/engine"
printf '#pragma once\n#include "../math/tanh.hpp"\n' > "$tmp/t/include/nofold/engine/plan.hpp"
expect_violation "a folder missing from the table" "area 'engine' is not in the layer table"

make_tree
echo '#include "../../../outside.hpp"' >> "$tmp/t/include/nofold/nn/dense.hpp"
expect_violation "a path leaving include/nofold" "includes a file outside include/nofold"

# The allow-list silences exactly its entries, and a stale entry is itself an error.
make_tree
sed -i '1a #include "../runtime/wavenet.hpp"' "$tmp/t/include/nofold/nn/dense.hpp"
printf '# comment\nnn/dense.hpp -> runtime/wavenet.hpp\n' > "$tmp/t/scripts/layering_allow.txt"
expect_clean "a listed violation"
echo '#include "../io/load.hpp"' >> "$tmp/t/include/nofold/nn/dense.hpp"
expect_violation "an unlisted violation beside a listed one" "nn may not include io"
make_tree
printf 'nn/dense.hpp -> runtime/wavenet.hpp\n' > "$tmp/t/scripts/layering_allow.txt"
expect_violation "a stale allow-list entry" "'nn/dense.hpp -> runtime/wavenet.hpp' no longer occurs"

# docs/layering.md shows the script's own table.
python3 "$check" --table > "$tmp/table.md"
missing=$(grep -vxF -f "$root/docs/layering.md" "$tmp/table.md" || true)
[[ -z $missing ]] || fail "docs/layering.md differs from check_layering.py --table in: $missing"

finish layering_test
