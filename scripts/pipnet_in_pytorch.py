"""A PIPNet model trained by FaceKeypoints, run by PyTorch on the same inputs: the round trip
from Swift to PyTorch.

Step 1 writes the model's input for the first LIMIT faces of LABELS as 224x224 (the model's
size) gray PNGs: a square of the spec's enlargement times the annotated box's longer side,
cropped with Pillow. Step 2 is FaceKeypoints predicting on those PNGs with the box whose crop is
the whole PNG, so it sees exactly these pixels. Step 3 loads MODEL (float32 or float16) into the
reference's Pip_resnet18 layout (scripts/fixtures/torch_models.py, PIPResNet18) with
strict=True, takes the neighbour lists and point offsets from the file's metadata, decodes each
PNG with the reference's forward_pip and neighbour merging, adds the offsets (input pixels, here
the PNG's), and compares points and confidences with FaceKeypoints'.

    python3 scripts/pipnet_in_pytorch.py crops MODEL LABELS DIR [--limit 40]     # prints the --box for step 2
    keypoints predict DIR --model MODEL --box B --out DIR/predictions
    python3 scripts/pipnet_in_pytorch.py compare MODEL DIR

Needs torch, torchvision, safetensors and Pillow.
"""
import argparse
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np
import torch
from PIL import Image
from safetensors import safe_open

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
from pipnet_reference import forward_pip, merge  # noqa: E402
from torch_models import PIPResNet18  # noqa: E402


def load(model_path):
    with safe_open(model_path, "pt") as f:
        spec = json.loads(f.metadata()["facekeypoints.spec"])
        state = {k: f.get_tensor(k) for k in f.keys()}
    assert spec["architecture"] == "PIPNet-ResNet18", f"{model_path}: not a PIPNet model ({spec['architecture']})"
    return spec, state


def crops(model_path, labels, folder, limit):
    spec, _ = load(model_path)
    size, enlargement = spec["inputWidth"], spec["crop"]["faceBox"]["enlargement"]
    os.makedirs(folder, exist_ok=True)
    root, base = ET.parse(labels).getroot(), os.path.dirname(os.path.abspath(labels))
    written = 0
    for image in root.iter("image"):
        photo = Image.open(os.path.join(base, image.get("file"))).convert("L")
        for box in image.iter("box"):
            if written == limit:
                break
            left, top, width, height = (float(box.get(n)) for n in ("left", "top", "width", "height"))
            side = max(width, height) * enlargement
            x0, y0, s = left + width / 2 - side / 2, top + height / 2 - side / 2, side / size
            crop = photo.transform((size, size), Image.AFFINE, (s, 0, x0, 0, s, y0), resample=Image.BILINEAR)
            crop.save(os.path.join(folder, f"face{written:03d}.png"))
            written += 1
    # The box whose crop (enlargement x its side, about its center) is the whole PNG.
    side = size / enlargement
    print(f"wrote {written} crops to {folder}; predict with --box {(size - side) / 2:g},{(size - side) / 2:g},{side:g},{side:g}")


def compare(model_path, folder):
    spec, state = load(model_path)
    neighbours = spec["neighbours"]
    points, k = len(neighbours), len(neighbours[0])
    offsets = np.array(spec.get("pointOffsets") or [[0.0, 0.0]] * points)   # KeypointModelSpec.pointOffsets
    model = PIPResNet18(points, k, input_channels=spec["inputChannels"])
    model.load_state_dict({n: t.float() if t.is_floating_point() else t for n, t in state.items()}, strict=True)
    model.eval()
    # get_meanface's padded reverse indices for these lists.
    reverse = [([], []) for _ in range(points)]
    for i, row in enumerate(neighbours):
        for j, n in enumerate(row):
            reverse[n][0].append(i)
            reverse[n][1].append(j)
    max_len = max(len(r[0]) for r in reverse)
    r1 = sum(((first + first * 10)[:max_len] for first, _ in reverse), [])
    r2 = sum(((second + second * 10)[:max_len] for _, second in reverse), [])

    ours = {}
    with open(os.path.join(folder, "predictions", "predictions.jsonl")) as f:
        for line in f:
            photo = json.loads(line)
            ours[os.path.basename(photo["image"])] = photo["faces"][0]
    point_differences, confidence_differences = [], []
    for path in sorted(glob.glob(os.path.join(folder, "face*.png"))):
        crop = Image.open(path)
        size = crop.size[0]
        pixels = torch.frombuffer(bytearray(crop.tobytes()), dtype=torch.uint8).float().div_(255).sub_(0.5)
        with torch.no_grad():
            maps = [m[0].double() for m in model(pixels.view(1, 1, size, size))]
        grid = maps[0].shape[2]
        x, y, nbx, nby, peaks, _ = forward_pip(maps, k, grid, size / grid)
        predicted = merge(x, y, nbx, nby, r1, r2, max_len).numpy() + offsets
        face = ours[os.path.basename(path)]
        point_differences.append(np.abs(predicted - np.array(face["points"])).max())
        confidence_differences.append(np.abs(peaks.numpy() - np.array(face["confidence"])).max())
    point_differences, confidence_differences = np.array(point_differences), np.array(confidence_differences)
    print(f"{len(point_differences)} faces, the same input pixels: largest point difference per face "
          f"median {np.median(point_differences):.2e} px, max {point_differences.max():.2e} px; "
          f"largest confidence difference max {confidence_differences.max():.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["crops", "compare"])
    parser.add_argument("model")
    parser.add_argument("paths", nargs="+", help="crops: LABELS DIR; compare: DIR")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    if args.step == "crops":
        crops(args.model, args.paths[0], args.paths[1], args.limit)
    else:
        compare(args.model, args.paths[0])


if __name__ == "__main__":
    main()
