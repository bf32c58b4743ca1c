#!/usr/bin/env bash
# Missing points, measured (Docs/Data.md): five of the 68 300-W points under names of their own,
# all 1207 faces, once with every point and three times with 20 % of the points dropped at random
# (Python's random.Random(11), (12), (13); every box keeps at least one point); NoseNet on 80x80
# crops, 30 epochs; each model evaluated on the same held-out 10 % with every point annotated.
#
#   scripts/experiments/missing_points.sh [DATA] [OUT]     (release build; about 10 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(cd "${1:-../shared/data}" && pwd)
OUT=${2:-/tmp/missing-points}
mkdir -p "$OUT"
swift build -c release --product keypoints >/dev/null
K=$(pwd)/.build/release/keypoints
python3 - "$DATA" "$OUT" <<'PY'
import os, random, sys
import xml.etree.ElementTree as ET
data, out = sys.argv[1], sys.argv[2]
root = ET.parse(os.path.join(data, "300w_subset/labels.xml")).getroot()
names = {36: "e36", 45: "e45", 30: "nose", 48: "m48", 54: "m54"}
def build(drop, seed):
    rng = random.Random(seed)
    dataset = ET.Element("dataset"); images = ET.SubElement(dataset, "images")
    for image in root.find("images").findall("image"):
        element = ET.SubElement(images, "image", file=os.path.join(data, "300w_subset", image.get("file")))
        for box in image.findall("box"):
            b = ET.SubElement(element, "box", {k: box.get(k) for k in ("top", "left", "width", "height")})
            parts = [p for p in box.findall("part") if int(p.get("name")) in names]
            kept = [p for p in parts if not (drop and rng.random() < 0.2)] or parts[:1]
            for p in kept:
                ET.SubElement(b, "part", name=names[int(p.get("name"))], x=p.get("x"), y=p.get("y"))
    ET.ElementTree(dataset).write(os.path.join(out, f"{'missing%d' % seed if drop else 'full'}.xml"))
build(False, 0)
for seed in (11, 12, 13):
    build(True, seed)
PY
printf 'e36 e45\nm48 m54\n' > "$OUT/mirror.txt"
for labels in full missing11 missing12 missing13; do
    "$K" train --xml "$OUT/$labels.xml" --mirror "$OUT/mirror.txt" --normalize-by e36,e45 --architecture NoseNet --input-size 80 \
        --batch-size 8 --loss mse --lr 0.003 --schedule cosine --epochs 30 --val-fraction 0.1 --seed 1 --out "$OUT/$labels" >"$OUT/$labels.log"
    echo "$labels: $("$K" evaluate --model "$OUT/$labels/model.safetensors" --xml "$OUT/full.xml" --val-fraction 0.1 --seed 1 | grep '"nme"')"
done
