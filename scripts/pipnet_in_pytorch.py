"""A PIPNet model trained by FaceKeypoints, run by PyTorch: the round trip from Swift to PyTorch.

Loads MODEL (a `keypoints landmarks --architecture PIPNet-ResNet18` model.safetensors, float32
or float16) into the reference's Pip_resnet18 layout (scripts/fixtures/torch_models.py,
PIPResNet18) with strict=True, takes its input size, crop and neighbour lists from the file's
metadata, crops the first LIMIT faces of LABELS (the annotated boxes: a square of the spec's
enlargement times the box's longer side, gray, bilinear, pixels scaled to -0.5...0.5), decodes
with the reference's forward_pip and neighbour merging, maps the points back to the photo, and
compares them with what `keypoints predict` wrote for the same boxes (PREDICTIONS/predictions.jsonl),
and both with the annotation (inter-ocular NME).

    keypoints predict --model MODEL --xml SUBSET.xml --out PREDICTIONS   # SUBSET: the first LIMIT images
    python3 scripts/pipnet_in_pytorch.py MODEL LABELS PREDICTIONS --limit LIMIT [--subset SUBSET.xml]

With --subset, it only writes the first LIMIT images of LABELS to SUBSET.xml (absolute photo
paths) and exits, for the predict command. Needs torch, torchvision, safetensors and Pillow.
"""
import argparse
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


def images(labels, limit):
    root = ET.parse(labels).getroot()
    return list(root.iter("image"))[:limit], os.path.dirname(os.path.abspath(labels))


def write_subset(labels, limit, subset):
    chosen, folder = images(labels, limit)
    root = ET.Element("dataset")
    holder = ET.SubElement(root, "images")
    for image in chosen:
        image.set("file", os.path.join(folder, image.get("file")))
        holder.append(image)
    ET.ElementTree(root).write(subset)
    print(f"wrote {len(chosen)} images to {subset}")


def padded_reverse(neighbours):
    """get_meanface's reverse_index1/2 and max_len for given neighbour lists."""
    points = len(neighbours)
    reverse = {i: ([], []) for i in range(points)}
    for i, row in enumerate(neighbours):
        for j, n in enumerate(row):
            reverse[n][0].append(i)
            reverse[n][1].append(j)
    max_len = max(len(reverse[i][0]) for i in range(points))
    r1, r2 = [], []
    for i in range(points):
        first, second = reverse[i]
        r1 += (first * (max_len // max(len(first), 1) + 1))[:max_len]
        r2 += (second * (max_len // max(len(second), 1) + 1))[:max_len]
    return r1, r2, max_len


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("labels")
    parser.add_argument("predictions", nargs="?")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--subset")
    args = parser.parse_args()
    if args.subset:
        return write_subset(args.labels, args.limit, args.subset)

    with safe_open(args.model, "pt") as f:
        spec = json.loads(f.metadata()["facekeypoints.spec"])
        state = {k: f.get_tensor(k) for k in f.keys()}
    assert spec["architecture"] == "PIPNet-ResNet18", f"{args.model}: not a PIPNet model ({spec['architecture']})"
    neighbours = spec["neighbours"]
    points, k, size = len(neighbours), len(neighbours[0]), spec["inputWidth"]
    enlargement = spec["crop"]["faceBox"]["enlargement"]
    model = PIPResNet18(points, k, input_channels=spec["inputChannels"])
    model.load_state_dict({n: t.float() if t.is_floating_point() else t for n, t in state.items()}, strict=True)
    model.eval()
    r1, r2, max_len = padded_reverse(neighbours)

    ours = {}
    with open(os.path.join(args.predictions, "predictions.jsonl")) as f:
        for line in f:
            photo = json.loads(line)
            ours[os.path.abspath(photo["image"])] = [np.array(face["points"]) for face in photo["faces"]]

    chosen, folder = images(args.labels, args.limit)
    differences, nme_torch, nme_ours = [], [], []
    for image in chosen:
        path = os.path.abspath(os.path.join(folder, image.get("file")))
        photo = Image.open(path).convert("L")
        boxes = [b for b in image.iter("box") if b.get("ignore") != "1"]
        for index, box in enumerate(boxes):
            left, top, width, height = (float(box.get(n)) for n in ("left", "top", "width", "height"))
            side = max(width, height) * enlargement
            x0, y0 = left + width / 2 - side / 2, top + height / 2 - side / 2
            s = side / size
            crop = photo.transform((size, size), Image.AFFINE, (s, 0, x0, 0, s, y0), resample=Image.BILINEAR)
            pixels = torch.frombuffer(bytearray(crop.tobytes()), dtype=torch.uint8).float().div_(255).sub_(0.5)
            with torch.no_grad():
                maps = [m[0].double() for m in model(pixels.view(1, 1, size, size))]
            grid = maps[0].shape[2]
            x, y, nbx, nby, _, _ = forward_pip(maps, k, grid, size / grid)
            predicted = merge(x, y, nbx, nby, r1, r2, max_len).numpy() * s + np.array([x0, y0])
            swift = ours[path][index]
            differences.append(np.abs(predicted - swift).max())
            truth = np.array(sorted((int(p.get("name")), float(p.get("x")), float(p.get("y"))) for p in box.iter("part")))[:, 1:]
            if len(truth) == points:
                inter_ocular = np.linalg.norm(truth[36] - truth[45])
                nme_torch.append(np.linalg.norm(predicted - truth, axis=1).mean() / inter_ocular)
                nme_ours.append(np.linalg.norm(swift - truth, axis=1).mean() / inter_ocular)
    differences = np.array(differences)
    print(f"{len(differences)} faces: PyTorch vs FaceKeypoints, largest coordinate difference per face: "
          f"median {np.median(differences):.3f} px, max {differences.max():.3f} px")
    if nme_torch:
        print(f"inter-ocular NME: PyTorch {100 * np.mean(nme_torch):.3f} %, FaceKeypoints {100 * np.mean(nme_ours):.3f} %")


if __name__ == "__main__":
    main()
