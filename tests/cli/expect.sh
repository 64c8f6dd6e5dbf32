# Sourced by the CLI test scripts: a temporary folder removed on exit, a failure counter, and
#   expect STATUS PATTERN -- command...
# which runs the command and fails unless it exits with STATUS and its stderr matches /PATTERN/ (and,
# for a failure, is one line: the program's error contract).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() {
    local want=$1 pattern=$2
    shift 3
    local err status
    err=$("$@" 2>&1 >/dev/null)
    status=$?
    if [[ $status -ne $want ]]; then fail "'$*' exited $status, expected $want ($err)"; return; fi
    if [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$err"; then fail "'$*' message '$err' lacks /$pattern/"; return; fi
    if [[ $want -ne 0 && $(wc -l <<<"$err") -ne 1 ]]; then fail "'$*' error is not one line: $err"; fi
}
