#!/usr/bin/env bash
# The shipped 68-point model (Sources/FaceKeypoints/Resources/landmarks68.safetensors), made by
# the package's own commands: train PIPNet on ResNet18's trunk with part 3's default recipe (or
# resume that run), evaluate the float32 model with the detector's boxes (two passes: the
# detector's box, then the first points' box) and the truth boxes, write it in float16 with its
# provenance, licence and figures in the metadata, and evaluate the float16 file the same way.
#
#   scripts/ship_landmarks.sh [RUN_FOLDER] [DATA]      # defaults: runs/shipped, ../shared/data
#
# The run's model.safetensors carries point offsets measured on its training faces (training
# ends with them; `keypoints calibrate` adds them to a file trained before they existed, as was
# done for the file shipped since commit a1cf1b7's sources, Docs/Detection.md).
# Training takes about an hour on two cores (50 epochs); an interrupted run continues with the
# same command (it passes --resume when the folder holds a checkpoint). Replace the shipped file
# only with a measurably better model (validation NME with detector boxes, one seed noted).
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/shipped}
data=${2:-../shared/data}
swift build -c release --product keypoints
keypoints=.build/release/keypoints
resume=()
[ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
"$keypoints" landmarks --architecture PIPNet-ResNet18 --data "$data" --out "$run" "${resume[@]}"

labels="$data/300w_subset/labels.xml"
evaluate() {   # MODEL BOXES -> "nme failure_rate missed"
    "$keypoints" evaluate --model "$1" --xml "$labels" --val-fraction 0.1 --boxes "$2" 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.4f %.4f %d" % (r["nme"], r["failure_rate"], r.get("missed") or 0))'
}
read -r det32 fail32 missed32 <<<"$(evaluate "$run/model.safetensors" detector)"
read -r truth32 truthfail32 _ <<<"$(evaluate "$run/model.safetensors" truth)"
echo "float32: NME detector boxes $det32 (failure rate@0.08 $fail32, missed $missed32), truth boxes $truth32 ($truthfail32)"

out=Sources/FaceKeypoints/Resources/landmarks68.safetensors
commit=$(git rev-parse --short HEAD)
"$keypoints" export --model "$run/model.safetensors" --out "$out" --precision float16 \
    --note "facekeypoints.provenance=Trained by FaceKeypoints' own recipe: keypoints landmarks --architecture PIPNet-ResNet18 (default recipe: PIPNet's heatmap head on ResNet18's trunk, 224x224 gray, crop 1.2x the annotated landmarks' box, PIPNet's loss, warm-up + cosine, 50 epochs, batch 16, seed 0, no pretrained weights) on the 300-W subset (AFW + HELEN train, 1207 faces; the seeded 10 % split held out); point offsets measured on the same training faces at the end of training (KeypointCalibration); with the detector it runs twice per face (the MTCNN box, then the first points' box); exported in float16 with scripts/ship_landmarks.sh at commit $commit" \
    --note "facekeypoints.licence=Trained on 300-W annotations (C. Sagonas et al., ICCV Workshops 2013), which are for research use only (no commercial use); the photos keep their owners' copyright. Use these weights for research only; retrain on your own data for anything else." \
    --note "facekeypoints.retrain=scripts/ship_landmarks.sh (keypoints landmarks --architecture PIPNet-ResNet18, then keypoints export --precision float16)" \
    --note "facekeypoints.validation=float32 model, 121 held-out faces, inter-ocular NME: detector boxes $det32 (failure rate@0.08 $fail32, $missed32 faces missed by the detector, counted as failures), truth boxes $truth32 ($truthfail32)"
read -r det16 fail16 missed16 <<<"$(evaluate "$out" detector)"
read -r truth16 truthfail16 _ <<<"$(evaluate "$out" truth)"
echo "float16: NME detector boxes $det16 (failure rate@0.08 $fail16, missed $missed16), truth boxes $truth16 ($truthfail16)"
ls -l "$out" Sources/FaceDetection/Resources/mtcnn.safetensors
