#!/usr/bin/env bash
# The figures of "Beyond the study" in Docs/Reproduction.md: part 3's regression ResNet18 and the
# PIPNet heatmap head, both trained by `keypoints landmarks` on the truth boxes (seed 0, default
# recipe), evaluated on the seeded 10 % validation split (121 faces) with truth boxes and with the
# shipped detector's boxes, with and without test-time mirroring; then their cumulative error
# curves in one plot and each point's error drawn on the mean face.
#
#   scripts/heatmap_figures.sh [REGRESSION_RUN] [PIPNET_RUN] [DATA] [OUT]
#   # defaults: runs/landmarks, runs/landmarks-pipnet, ../shared/data, figures
#
# A run folder without a finished run is trained first (about an hour each on two cores;
# an interrupted run continues with the same command, which passes --resume).
set -euo pipefail
cd "$(dirname "$0")/.."
regression=${1:-runs/landmarks}
pipnet=${2:-runs/landmarks-pipnet}
data=${3:-../shared/data}
out=${4:-figures}
swift build -c release --product keypoints
keypoints=.build/release/keypoints
mkdir -p "$out"

train() {   # RUN ARCHITECTURE
    [ -f "$1/predictions.png" ] && return   # a finished run (its pictures come last)
    local resume=()
    [ -f "$1/checkpoint.safetensors" ] && resume=(--resume)
    "$keypoints" landmarks --architecture "$2" --data "$data" --out "$1" "${resume[@]}"
}
train "$regression" ResNet18
train "$pipnet" PIPNet-ResNet18

labels="$data/300w_subset/labels.xml"
for model in regression pipnet; do
    run=${!model}
    name=$([ $model = regression ] && echo "ResNet18 regression" || echo "PIPNet")
    for boxes in truth detector; do
        for mirror in "" "--mirror"; do
            suffix=${mirror:+-mirrored}
            label="$name, $boxes boxes${mirror:+, mirrored}"
            echo "== $label"
            "$keypoints" evaluate --model "$run/model.safetensors" --xml "$labels" --val-fraction 0.1 --boxes "$boxes" $mirror \
                --errors "$out/$model-$boxes$suffix.json" --label "$label" | tr -d '\n ' ; echo
        done
    done
done
"$keypoints" plot "$out/regression-truth.json" "$out/pipnet-truth.json" "$out/pipnet-truth-mirrored.json" \
    "$out/regression-detector.json" "$out/pipnet-detector.json" --curve "$out/ced.png"
"$keypoints" plot "$out/regression-truth.json" "$out/pipnet-truth.json" "$out/regression-detector.json" "$out/pipnet-detector.json" \
    --per-point "$out/per-point.png"
echo "wrote $out/ced.png and $out/per-point.png"
