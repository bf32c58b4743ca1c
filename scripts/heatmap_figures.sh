#!/usr/bin/env bash
# The figures of "Beyond the study" in Docs/Reproduction.md: the PIPNet heatmap model and the
# ResNet18 regression model the package shipped before it, evaluated on the seeded 10 %
# validation split of the 300-W subset (121 faces) with truth boxes and with the shipped
# detector's boxes, with and without test-time mirroring; then their cumulative error curves
# in one plot and each point's error drawn on the mean face (one colour scale).
#
#   scripts/heatmap_figures.sh [PIPNET_RUN] [REGRESSION_MODEL] [DATA] [OUT] [INTEGRAL_MODEL]
#   # defaults: runs/landmarks-pipnet; the regression file shipped until commit f0dbab3
#   #           (taken from git: ddaadd2:Sources/FaceKeypoints/Resources/landmarks68.safetensors);
#   #           ../shared/data; figures; none (with a model trained by `keypoints landmarks
#   #           --architecture Integral-ResNet18 ...`, its truth-box curve joins the plot)
#
# A PIPNet run folder without a finished run is trained first (keypoints landmarks
# --architecture PIPNet-ResNet18: about an hour on two cores; an interrupted run continues with
# the same command, which passes --resume).
set -euo pipefail
cd "$(dirname "$0")/.."
pipnet=${1:-runs/landmarks-pipnet}
regression=${2:-}
data=${3:-../shared/data}
out=${4:-figures}
integral=${5:-}
swift build -c release --product keypoints
keypoints=.build/release/keypoints
mkdir -p "$out"
if [ -z "$regression" ]; then
    regression="$out/regression-shipped-until-f0dbab3.safetensors"
    git show ddaadd2:Sources/FaceKeypoints/Resources/landmarks68.safetensors > "$regression"
fi

if [ ! -f "$pipnet/predictions.png" ]; then   # a finished run writes its pictures last
    resume=()
    [ -f "$pipnet/checkpoint.safetensors" ] && resume=(--resume)
    "$keypoints" landmarks --architecture PIPNet-ResNet18 --data "$data" --out "$pipnet" "${resume[@]}"
fi

labels="$data/300w_subset/labels.xml"
evaluate() {   # MODEL NAME FILE OPTIONS...
    local model=$1 label=$2 file=$3
    shift 3
    echo "== $label: $(
        "$keypoints" evaluate --model "$model" --xml "$labels" --val-fraction 0.1 "$@" --errors "$out/$file.json" --label "$label" |
        tr -d '\n ')"
}
evaluate "$pipnet/model.safetensors" "PIPNet, truth boxes" pipnet-truth
evaluate "$pipnet/model.safetensors" "PIPNet, truth boxes, mirrored" pipnet-truth-mirrored --mirror
evaluate "$pipnet/model.safetensors" "PIPNet, detector boxes" pipnet-detector --boxes detector
evaluate "$pipnet/model.safetensors" "PIPNet, detector boxes, mirrored" pipnet-detector-mirrored --boxes detector --mirror
evaluate "$regression" "ResNet18 regression (shipped), truth boxes" regression-truth --boxes truth
evaluate "$regression" "ResNet18 regression (shipped), detector boxes" regression-detector --boxes detector
curves=(pipnet-truth pipnet-truth-mirrored pipnet-detector regression-truth regression-detector)
if [ -n "$integral" ]; then
    evaluate "$integral" "Integral regression, truth boxes" integral-truth
    curves+=(integral-truth)
fi
panels=(pipnet-truth pipnet-detector regression-truth regression-detector)
"$keypoints" plot $(printf "$out/%s.json " "${curves[@]}") --curve "$out/ced.png"
"$keypoints" plot $(printf "$out/%s.json " "${panels[@]}") --per-point "$out/per-point.png"
echo "wrote $out/ced.png and $out/per-point.png"
