#!/usr/bin/env bash
# Style checks that the compiler cannot make (see CONTRIBUTING.md and the README's design section).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
report() { echo "lint: $1"; fail=1; }

# Macros only in config.hpp (and the simd layer's architecture choice reads them, never defines them).
# isa_backend.hpp is the one exception: a backend translation unit's body, it renames the library while it reads
# it (docs/isa-dispatch.md).
defines=$(grep -rn '^\s*#\s*define' include/nofold | grep -v '^include/nofold/config.hpp:' |
          grep -v '^include/nofold/isa_backend.hpp:' || true)
[[ -z $defines ]] || report "#define outside config.hpp:"$'\n'"$defines"

# Compiler-specific pragmas (loop unrolling, ...) only through config.hpp's macros such as NOFOLD_UNROLL, so
# MSVC and Apple Clang builds get their own spelling or nothing, never an unknown-pragma warning.
pragmas=$(grep -rnE '^\s*#\s*pragma\s+(GCC|clang|unroll|loop|warning|omp)|_Pragma\(' include/nofold |
          grep -v '^include/nofold/config.hpp:' || true)
[[ -z $pragmas ]] || report "compiler-specific pragmas outside config.hpp (use NOFOLD_UNROLL):"$'\n'"$pragmas"

# Kernels are written once over V: no preprocessor branches in the algorithm folders.
branches=$(grep -rnE '^\s*#\s*(if|ifdef|ifndef|elif)' include/nofold/{nn,dsp,math,analysis} 2>/dev/null || true)
[[ -z $branches ]] || report "preprocessor branches in algorithm folders:"$'\n'"$branches"

# Every header uses #pragma once.
for h in $(find include/nofold -name '*.hpp'); do
    grep -q '^#pragma once' "$h" || report "$h lacks #pragma once"
done

# No reserved identifiers (leading underscore + capital, or double underscore) declared in the library.
reserved=$(grep -rnE '\b(class|struct|using|typename|int|float|double|auto|bool|const)\s+_[A-Z_]\w*' include/nofold || true)
[[ -z $reserved ]] || report "reserved identifiers:"$'\n'"$reserved"

# Users never need detail::.
leaks=$(grep -rn 'detail::' README.md examples 2>/dev/null || true)
[[ -z $leaks ]] || report "detail:: named outside the library and tests:"$'\n'"$leaks"

# Includes run down the layer order of docs/layering.md (known violations: scripts/layering_allow.txt),
# and the check itself catches each kind of violation on a tree it builds.
python3 scripts/check_layering.py || report "includes against the layer order (docs/layering.md)"
tests/lint/layering_test.sh >/dev/null || { tests/lint/layering_test.sh; report "tests/lint/layering_test.sh failed"; }

# References to docs/ resolve (page and section), and headers never point at ../shared.
python3 scripts/check_doc_refs.py || report "unresolved documentation references"
tests/lint/doc_refs_test.sh >/dev/null || { tests/lint/doc_refs_test.sh; report "tests/lint/doc_refs_test.sh failed"; }

[[ $fail -eq 0 ]] && echo "lint: ok"
exit $fail
