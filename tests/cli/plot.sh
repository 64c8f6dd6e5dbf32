#!/usr/bin/env bash
# Claims: `nofold plot` and `nofold alias --svg` write SVGs that a real renderer (librsvg's
# rsvg-convert) turns into non-trivial PNG images; bad input to plot is refused with exit 1/2.
set -euo pipefail
nofold=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/examples/models/nofold_demo_drive.nam

"$nofold" make-di "$tmp/di.wav" --seconds 2
"$nofold" process "$model" "$tmp/di.wav" "$tmp/amp.wav"
"$nofold" plot "$tmp/di.wav" "$tmp/amp.wav" --svg "$tmp/plot.svg"
"$nofold" alias "$model" --f0 2093 --svg "$tmp/spectrum.svg" >/dev/null
for svg in plot spectrum; do
    rsvg-convert "$tmp/$svg.svg" -o "$tmp/$svg.png"
    size=$(stat -c %s "$tmp/$svg.png")
    [[ $size -gt 10000 ]] || { echo "FAIL: $svg.png is only $size bytes"; exit 1; }
    head -c 8 "$tmp/$svg.png" | od -An -tx1 | grep -q "89 50 4e 47" || { echo "FAIL: $svg.png is not a PNG"; exit 1; }
done
set +e
"$nofold" plot "$tmp/missing.wav" --svg "$tmp/x.svg" 2>/dev/null; [[ $? -eq 1 ]] || { echo "FAIL: missing file"; exit 1; }
"$nofold" plot "$tmp/di.wav" 2>/dev/null; [[ $? -eq 2 ]] || { echo "FAIL: missing --svg"; exit 1; }
echo "plot checks passed"
