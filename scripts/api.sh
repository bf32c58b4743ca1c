#!/usr/bin/env bash
# The public API of each library product, one line per declaration, in API/MODULE.txt.
#
#   scripts/api.sh record   # after `swift build -c release`: rewrite API/*.txt (commit them with the change)
#   scripts/api.sh check    # CI: fail when the built API differs from API/*.txt
#
# swift-api-digester (in the toolchain) dumps each module from the release build's
# .swiftmodule files; scripts/api.jq keeps what a user can call and how.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: scripts/api.sh record|check}
build=.build/release
modules=(Tensor TensorIO NN Optim Vision FaceData FaceDetection Distributed FaceKeypoints)
maps=()
for map in "$build"/*.build/module.modulemap Sources/C*/module.modulemap; do
    maps+=(-Xcc "-fmodule-map-file=$PWD/$map")
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
changed=()
for module in "${modules[@]}"; do
    swift-api-digester -dump-sdk -module "$module" -I "$build/Modules" "${maps[@]}" \
        -target "$(uname -m)-unknown-linux-gnu" -o "$scratch/$module.json"
    jq -r -f scripts/api.jq "$scratch/$module.json" | LC_ALL=C sort > "$scratch/$module.txt"
    if [[ ! -s $scratch/$module.txt ]]; then
        echo "scripts/api.sh: no public declarations read for $module; is $build built (swift build -c release)?" >&2
        exit 1
    fi
    case $mode in
        record) cp "$scratch/$module.txt" "API/$module.txt" ;;
        check) diff -u "API/$module.txt" "$scratch/$module.txt" > "$scratch/$module.diff" || changed+=("$module") ;;
        *) echo "usage: scripts/api.sh record|check" >&2; exit 2 ;;
    esac
done
if [[ $mode == check ]]; then
    if (( ${#changed[@]} > 0 )); then
        for module in "${changed[@]}"; do cat "$scratch/$module.diff"; done
        echo "the public API of ${changed[*]} changed without API/ changing with it: if the change is meant," \
             "run scripts/api.sh record and commit API/ in the same commit (a renamed symbol keeps a deprecated alias)" >&2
        exit 1
    fi
    echo "public API of ${#modules[@]} modules matches API/"
fi
