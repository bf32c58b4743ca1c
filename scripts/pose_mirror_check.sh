#!/usr/bin/env bash
# Head pose of IMM's turned views (3 and 4) of people 01-10 against their mirror images: a
# mirrored photo must give the opposite yaw and roll and the same pitch (Docs/Alignment.md).
# Usage: scripts/pose_mirror_check.sh [DATA] [OUT]   (defaults: ../shared/data, a temporary folder)
# Needs: ffmpeg, python3, and the release keypoints (swift build -c release).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
out=${2:-$(mktemp -d)}
mkdir -p "$out/photos"
for person in 01 02 03 04 05 06 07 08 09 10; do
    for view in 3 4; do
        for photo in "$data"/imm_face_db/$person-$view?.jpg; do
            cp "$photo" "$out/photos/"
            ffmpeg -loglevel error -y -i "$photo" -vf hflip "$out/photos/mirrored-$(basename "$photo" .jpg).png"
        done
    done
done
.build/release/keypoints predict "$out/photos" --out "$out/predictions" >/dev/null 2>"$out/predict.log"
python3 - "$out/predictions/predictions.jsonl" <<'PYTHON'
import json, sys
poses = {}
for line in open(sys.argv[1]):
    record = json.loads(line)
    name = record["image"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    poses[name] = max(record["faces"], key=lambda f: f["box"][2])["pose"]
pairs = [(p, poses["mirrored-" + n]) for n, p in poses.items() if not n.startswith("mirrored-")]
for label, difference in [("|yaw + mirrored yaw|", lambda p, m: abs(p["yaw"] + m["yaw"])),
                          ("|pitch - mirrored pitch|", lambda p, m: abs(p["pitch"] - m["pitch"])),
                          ("|roll + mirrored roll|", lambda p, m: abs(p["roll"] + m["roll"]))]:
    values = [difference(p, m) for p, m in pairs]
    print("%s over %d pairs: mean %.2f, largest %.2f degrees" % (label, len(values), sum(values) / len(values), max(values)))
PYTHON
