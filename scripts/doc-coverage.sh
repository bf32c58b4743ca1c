#!/usr/bin/env bash
# Every public symbol of the library targets has a doc comment: prints each module's coverage
# (documented / public symbols declared in Sources/, deprecated aliases left out) and lists the
# symbols without one; fails if there is any.
#
#   scripts/doc-coverage.sh      # after a debug build (swift build)
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(Tensor TensorIO NN Optim Vision FaceData FaceDetection Distributed FaceKeypoints)
swift package dump-symbol-graph --minimum-access-level public > /dev/null
graphs=.build/$(uname -m)-unknown-linux-gnu/symbolgraph
missing=0
for module in "${modules[@]}"; do
    files=("$graphs/$module.symbols.json")
    for extension in "$graphs/$module"@*.symbols.json; do [[ -f $extension ]] && files+=("$extension"); done
    documented=0 total=0
    for file in "${files[@]}"; do
        read -r _ d t < <(jq -r --arg list no -f scripts/doc-coverage.jq "$file")
        documented=$((documented + d)) total=$((total + t))
        jq -r --arg list yes -f scripts/doc-coverage.jq "$file" | sed 's/^/    undocumented: /'
    done
    printf '%-14s %4d of %4d public symbols documented\n' "$module" "$documented" "$total"
    missing=$((missing + total - documented))
done
if (( missing > 0 )); then
    echo "scripts/doc-coverage.sh: $missing public symbols without a doc comment (listed above); add a /// comment to each" >&2
    exit 1
fi
