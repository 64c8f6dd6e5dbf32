# Shared by the tests/lint scripts (sourced): a scratch folder removed on exit, failure counting, and
#   expect DESCRIPTION STATUS TEXT COMMAND...
# which runs COMMAND and fails the test unless it exits with STATUS and its output contains TEXT
# (TEXT empty: any output).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {
    local what=$1 status=$2 text=$3 out rc
    shift 3
    out=$("$@" 2>&1); rc=$?
    [[ $rc -eq $status ]] || fail "$what: exit $rc, expected $status: $out"
    [[ -z $text ]] || grep -qF -- "$text" <<<"$out" || fail "$what: output lacks '$text': $out"
}
finish() {  # NAME
    [[ $failures -eq 0 ]] && echo "$1: ok"
    exit $((failures > 0))
}
