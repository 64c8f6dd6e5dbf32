#!/usr/bin/env bash
# Claims about scripts/check_doc_refs.py, checked on a small tree made here: it passes references to
# existing pages and sections, and fails on a missing page, a missing section and a header that points
# at ../shared.
set -uo pipefail
source "$(dirname "$0")/common.sh"
check=$root/scripts/check_doc_refs.py

make_tree() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t/docs" "$tmp/t/include/nofold" "$tmp/t/tests"
    printf '# Page\n## 1. One\n### 1.2 One two\n## 2. Two\nSee [b.md](b.md) §1.\n' > "$tmp/t/docs/a.md"
    printf '# B\n## 1. Only\n' > "$tmp/t/docs/b.md"
    printf '// Reference: docs/a.md §1.2, docs/b.md.\n' > "$tmp/t/include/nofold/x.hpp"
    printf '// Reads ../shared/models (tests may); docs/a.md §2.\n' > "$tmp/t/tests/x_test.cpp"
    : > "$tmp/t/README.md"
}
check_tree() { expect "$1" "$2" "$3" python3 "$check" "$tmp/t"; }  # description, exit status, text

make_tree; check_tree "resolvable references" 0 ""
make_tree; echo '// docs/c.md' >> "$tmp/t/include/nofold/x.hpp"; check_tree "missing page" 1 "docs/c.md does not exist"
make_tree; echo '// docs/a.md §3' >> "$tmp/t/tests/x_test.cpp"; check_tree "missing section" 1 "docs/a.md has no section 3"
make_tree; echo 'See [b.md](b.md) §2.' >> "$tmp/t/docs/a.md"; check_tree "link between pages" 1 "docs/b.md has no section 2"
make_tree; echo '// ../shared/specs/metrics.md §5' >> "$tmp/t/include/nofold/x.hpp"; check_tree "header citing ../shared" 1 "points at ../shared"

finish doc_refs_test
