#!/usr/bin/env bash
# Claims about scripts/check_doc_refs.py, checked on a small tree made here: it passes references to
# existing pages and sections, and fails on a missing page, a missing section and a header that points
# at ../shared.
set -uo pipefail
check=$(cd "$(dirname "$0")/../.." && pwd)/scripts/check_doc_refs.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

make_tree() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t/docs" "$tmp/t/include/nofold" "$tmp/t/tests"
    printf '# Page\n## 1. One\n### 1.2 One two\n## 2. Two\nSee [b.md](b.md) §1.\n' > "$tmp/t/docs/a.md"
    printf '# B\n## 1. Only\n' > "$tmp/t/docs/b.md"
    printf '// Reference: docs/a.md §1.2, docs/b.md.\n' > "$tmp/t/include/nofold/x.hpp"
    printf '// Reads ../shared/models (tests may); docs/a.md §2.\n' > "$tmp/t/tests/x_test.cpp"
    : > "$tmp/t/README.md"
}
expect() {  # description, expected exit, text the report must contain (or "")
    local out rc
    out=$(python3 "$check" "$tmp/t" 2>&1); rc=$?
    [[ $rc -eq $2 ]] || fail "$1: exit $rc, expected $2: $out"
    [[ -z $3 ]] || grep -qF -- "$3" <<<"$out" || fail "$1: report lacks '$3': $out"
}

make_tree; expect "resolvable references" 0 ""
make_tree; echo '// docs/c.md' >> "$tmp/t/include/nofold/x.hpp"; expect "missing page" 1 "docs/c.md does not exist"
make_tree; echo '// docs/a.md §3' >> "$tmp/t/tests/x_test.cpp"; expect "missing section" 1 "docs/a.md has no section 3"
make_tree; echo 'See [b.md](b.md) §2.' >> "$tmp/t/docs/a.md"; expect "link between pages" 1 "docs/b.md has no section 2"
make_tree; echo '// ../shared/specs/metrics.md §5' >> "$tmp/t/include/nofold/x.hpp"; expect "header citing ../shared" 1 "points at ../shared"

[[ $failures -eq 0 ]] && echo "doc_refs_test: ok"
exit $((failures > 0))
