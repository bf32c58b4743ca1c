"""The PyTorch side of `keypoints-bench compare`: the same models, batch sizes and thread
counts as Benchmarks/Bench, timed the same way.

Run by the Swift benchmark, one child process per row (so peak memory is per row):

    python3 Benchmarks/pytorch_bench.py --row MODEL BATCH THREADS MODE [--seconds S]
        -> one JSON line: {"images_per_second": ..., "steps": ..., "peak_mb": ...}
    python3 Benchmarks/pytorch_bench.py --verify MODEL BATCH DIRECTORY
        -> writes DIRECTORY/MODEL.safetensors: state dict ("state." keys), input, targets,
           the evaluation-mode output, and the training-mode output and loss gradients, each
           in float32 and, under "exact.", computed in float64 from the same values (the
           reference both sides' float32 results are measured against)
    python3 Benchmarks/pytorch_bench.py --epoch LABELS_XML THREADS
        -> one JSON line: {"seconds": ..., "batches": ..., "peak_mb": ...}: one training epoch
           of ResNet18 on the faces in LABELS_XML, decoding and augmenting with a DataLoader
           (num_workers=1), as FaceData does.

Models come from scripts/fixtures/torch_models.py, which the fixture script uses too (and
which defines them as the Swift models are defined).
"""
import argparse
import copy
import json
import math
import os
import random
import sys
import time
import xml.etree.ElementTree as ET

import torch
import torch.nn as nn
import torch.nn.functional as F


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "fixtures"))
from torch_models import FaceNet, IntegralRegressionNet, NoseNet, PIPResNet18, resnet18_gray  # noqa: E402  (the shared definitions)


INPUT_SHAPES = {"nosenet": (1, 60, 80), "facenet": (1, 180, 240), "resnet18": (1, 224, 224), "pipnet": (1, 224, 224), "pipnet16": (1, 224, 224), "integral": (1, 224, 224)}


class JoinedPIPNet(PIPResNet18):
    """PIPNet's five maps joined along the channels, as the Swift model's forward returns them."""

    def forward(self, x):
        return torch.cat(super().forward(x), dim=1)


def make(model):
    if model == "pipnet":
        return JoinedPIPNet(points=68, neighbours=10)
    if model == "pipnet16":
        return JoinedPIPNet(points=68, neighbours=10, net_stride=16)
    if model == "integral":
        return IntegralRegressionNet(points=68)
    return {"nosenet": NoseNet, "facenet": FaceNet, "resnet18": resnet18_gray}[model]()


def peak_mb():
    """VmHWM (peak resident set) of this process, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(model_name, batch, threads, mode, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = make(model_name)
    x = torch.randn(batch, *INPUT_SHAPES[model_name])
    with torch.no_grad():
        outputs = model.eval()(torch.zeros(2, *INPUT_SHAPES[model_name])).shape[1:]
    targets = torch.randn(batch, *outputs)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    if mode == "train":
        model.train()

        def step():
            optimizer.zero_grad()
            F.mse_loss(model(x), targets).backward()
            optimizer.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
    start = time.perf_counter()
    step()
    if time.perf_counter() - start < 1:
        step()
    steps = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds or steps < 3:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
    return {"images_per_second": steps * batch / elapsed, "steps": steps, "peak_mb": peak_mb(),
            "threads": torch.get_num_threads()}


def verify(model_name, batch, directory):
    """Writes weights, an input and PyTorch's outputs for the Swift side to compare."""
    from safetensors.torch import save_file
    torch.manual_seed(1)
    model = make(model_name)
    # BatchNorm statistics that are not the defaults, so evaluation mode is really tested.
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.1, 0.1)
    state = {"state." + k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(batch, *INPUT_SHAPES[model_name])
    tensors = dict(state)
    tensors["input"] = x
    exact_model = copy.deepcopy(model).double()   # the same values, before any forward pass
    targets = None
    for prefix, network, dtype in [("", model, torch.float32), ("exact.", exact_model, torch.float64)]:
        network.eval()
        with torch.no_grad():
            tensors[prefix + "output.eval"] = network(x.to(dtype))
        if targets is None:
            targets = torch.randn(tensors["output.eval"].shape)
            tensors["targets"] = targets
        network.train()
        training = network(x.to(dtype))
        F.mse_loss(training, targets.to(dtype)).backward()
        tensors[prefix + "output.train"] = training.detach()
        for name, parameter in network.named_parameters():
            tensors[prefix + "grad." + name] = parameter.grad
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(directory, model_name + ".safetensors"))


# MARK: The part-3 data pipeline (300-W subset in dlib imglab XML), as FaceData builds it.

class ImglabFaces(torch.utils.data.Dataset):
    """Grayscale faces cropped to 1.4x the annotated box (square, centred), resized to
    224x224, with random rotation, scale, shift, brightness, contrast and horizontal flip;
    targets are the 68 keypoints normalized to [-0.5, 0.5] of the crop."""

    def __init__(self, labels_xml, size=224, enlargement=1.4):
        root = ET.parse(labels_xml).getroot()
        folder = os.path.dirname(labels_xml)
        self.size, self.enlargement = size, enlargement
        self.items = []
        for image in root.iter("image"):
            for box in image.iter("box"):
                points = sorted(((int(p.get("name")), float(p.get("x")), float(p.get("y"))) for p in box.iter("part")))
                if len(points) != 68:
                    continue
                rect = tuple(float(box.get(k)) for k in ("left", "top", "width", "height"))
                self.items.append((os.path.join(folder, image.get("file")), rect, [(x, y) for _, x, y in points]))
        # 68-point mirror map (iBUG order) for horizontal flips.
        mirror = list(range(16, -1, -1)) + list(range(26, 16, -1)) + list(range(27, 31)) + list(range(35, 30, -1)) \
            + [45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40] \
            + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64, 63, 62, 61, 60, 67, 66, 65]
        self.mirror = mirror

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        from PIL import Image, ImageEnhance
        path, (left, top, width, height), points = self.items[index]
        image = Image.open(path).convert("L")
        side = max(width, height) * self.enlargement
        cx, cy = left + width / 2, top + height / 2
        angle = random.uniform(-10, 10)
        scale = random.uniform(0.9, 1.1)
        shift_x, shift_y = random.uniform(-0.05, 0.05) * side, random.uniform(-0.05, 0.05) * side
        flip = random.random() < 0.5
        # Output pixel (u, v) -> source pixel: centre, rotate, scale, shift.
        s = side / self.size / scale
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        a, b = s * cos, -s * sin
        d, e = s * sin, s * cos
        c0 = cx + shift_x - (a * self.size / 2 + b * self.size / 2)
        f0 = cy + shift_y - (d * self.size / 2 + e * self.size / 2)
        crop = image.transform((self.size, self.size), Image.AFFINE, (a, b, c0, d, e, f0), resample=Image.BILINEAR)
        crop = ImageEnhance.Brightness(crop).enhance(random.uniform(0.7, 1.3))
        crop = ImageEnhance.Contrast(crop).enhance(random.uniform(0.7, 1.3))
        # Keypoints through the inverse map.
        det = a * e - b * d
        keypoints = []
        for x, y in points:
            dx, dy = x - c0, y - f0
            u = (e * dx - b * dy) / det
            v = (-d * dx + a * dy) / det
            keypoints.append((u / self.size - 0.5, v / self.size - 0.5))
        if flip:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
            keypoints = [(-keypoints[j][0], keypoints[j][1]) for j in self.mirror]
        pixels = torch.frombuffer(bytearray(crop.tobytes()), dtype=torch.uint8).float().div_(255).sub_(0.5)
        return pixels.view(1, self.size, self.size), torch.tensor(keypoints, dtype=torch.float32).view(-1)


def epoch(labels_xml, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    random.seed(0)
    setup_start = time.perf_counter()
    dataset = ImglabFaces(labels_xml)
    setup = time.perf_counter() - setup_start
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, shuffle=True, num_workers=1, prefetch_factor=2)
    model = resnet18_gray().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    start = time.perf_counter()
    batches = 0
    for x, y in loader:
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()
        batches += 1
    return {"setup_seconds": setup, "seconds": time.perf_counter() - start, "batches": batches, "samples": len(dataset), "peak_mb": peak_mb()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--row", nargs=4, metavar=("MODEL", "BATCH", "THREADS", "MODE"))
    parser.add_argument("--verify", nargs=3, metavar=("MODEL", "BATCH", "DIRECTORY"))
    parser.add_argument("--epoch", nargs=2, metavar=("LABELS_XML", "THREADS"))
    parser.add_argument("--seconds", type=float, default=4)
    args = parser.parse_args()
    if args.row:
        model, batch, threads, mode = args.row
        print(json.dumps(measure(model, int(batch), int(threads), mode, args.seconds)))
    elif args.verify:
        model, batch, directory = args.verify
        verify(model, int(batch), directory)
    elif args.epoch:
        print(json.dumps(epoch(args.epoch[0], int(args.epoch[1]))))
    else:
        parser.print_help()
        sys.exit(2)


if __name__ == "__main__":
    main()
