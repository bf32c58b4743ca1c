"""Converts the MTCNN weights of facenet-pytorch 2.6.0 (PNet, RNet, ONet state dicts in the
installed package's data/pnet.pt, rnet.pt, onet.pt) into one safetensors file, the resource of
the FaceDetection target: Sources/FaceDetection/Resources/mtcnn.safetensors.

Keys are the networks' own state-dict names prefixed `pnet.`, `rnet.`, `onet.`; values are
stored as float32 exactly as in the .pt files (about 2 MB). The metadata records the source
(package, version, file names and their sha256), the licence and this command.

Run from the repository root: `python3 scripts/convert_mtcnn_weights.py`
(needs `pip install facenet-pytorch==2.6.0 safetensors`).
"""
import hashlib
import os
import sys
from importlib.metadata import version

import facenet_pytorch
import torch
import json
import struct

from safetensors.torch import save

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUTPUT = os.path.join(ROOT, "Sources", "FaceDetection", "Resources", "mtcnn.safetensors")
COMMAND = "python3 scripts/convert_mtcnn_weights.py"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def canonical(data):
    """The same safetensors bytes with the JSON header's keys sorted (the writer's order varies
    from run to run), so that running the script twice gives identical files."""
    length = struct.unpack("<Q", data[:8])[0]
    header = json.dumps(json.loads(data[8:8 + length]), sort_keys=True, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data[8 + length:]


def main():
    package_version = version("facenet-pytorch")
    if package_version != "2.6.0":
        sys.exit(f"expected facenet-pytorch 2.6.0, found {package_version}")
    data = os.path.join(os.path.dirname(facenet_pytorch.__file__), "data")
    tensors, hashes = {}, []
    for network in ("pnet", "rnet", "onet"):
        path = os.path.join(data, f"{network}.pt")
        state = torch.load(path, map_location="cpu", weights_only=True)
        for name, value in state.items():
            assert value.dtype == torch.float32, f"{network}.{name}: {value.dtype}"
            tensors[f"{network}.{name}"] = value.contiguous()
        hashes.append(f"{network}.pt sha256 {sha256(path)}")
    metadata = {
        "format": "pt",
        "source": "facenet-pytorch 2.6.0 from PyPI (https://pypi.org/project/facenet-pytorch/2.6.0/), "
                  "facenet_pytorch/data/pnet.pt, rnet.pt, onet.pt; " + "; ".join(hashes),
        "license": "MIT (facenet-pytorch, Copyright (c) 2019 Timothy Esler). The weights are those of "
                   "Zhang, Zhang, Li and Qiao, 'Joint Face Detection and Alignment using Multi-task Cascaded "
                   "Convolutional Networks', IEEE Signal Processing Letters 2016, converted from the "
                   "authors' release by facenet-pytorch.",
        "command": COMMAND,
        "dtype": "float32, unchanged from the .pt files",
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "wb") as f:
        f.write(canonical(save(tensors, metadata=metadata)))
    print(f"wrote {os.path.relpath(OUTPUT)} ({len(tensors)} tensors, {os.path.getsize(OUTPUT)} bytes)")
    for line in hashes:
        print(" ", line)


if __name__ == "__main__":
    main()
