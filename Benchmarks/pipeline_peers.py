"""The peer of `keypoints-bench pipeline`: dlib's whole-photo pipeline, its HOG face detector
and its 68-point shape predictor, timed on the same photos as
Benchmarks/Bench/PipelineBenchmark.swift times ours (FaceLandmarker: MTCNN + the shipped 68-point model).

    python3 Benchmarks/pipeline_peers.py FOLDER [--limit N] [--predictor PATH]
        -> one JSON line:
           {"pipeline": "dlib", "threads": 1, "photos": ..., "one_face": ..., "faces": ...,
            "median_ms": ..., "mean_ms": ...}

FOLDER holds the photos (the IMM Face Database: 640x480, one face each); the first N .jpg
files sorted by name are used, as the Swift side sorts them. "one_face" counts the photos in
which exactly one face was found, "faces" all the faces found.

dlib, as its face_landmark_detection.py example: `detector = dlib.get_frontal_face_detector()`,
`detector(rgb_array, 1)` (upsample once), then `predictor(rgb_array, rect)` for every face found,
with `predictor = dlib.shape_predictor("shape_predictor_68_face_landmarks.dat")`. The model file
is the one of the PyPI package face_recognition_models, found in its folder without importing
it (its __init__ needs pkg_resources); --predictor names another. dlib runs on one thread, so
there is one pass, reported as threads=1.

Timing: each photo is decoded (PIL, RGB, as a numpy array) before its clock starts; the
detector and the predictor calls on that photo are timed together with time.perf_counter; one
untimed warm-up photo (the first) precedes the pass. median_ms is the median of the per-photo
times, mean_ms their mean.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import numpy as np
from PIL import Image

MODEL_NAME = "shape_predictor_68_face_landmarks.dat"


def shipped_predictor_path():
    """The 68-point model inside the installed face_recognition_models package, or None."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "models", MODEL_NAME)
        if os.path.isfile(path):
            return path
    return None


def load_dlib(predictor_path):
    try:
        import dlib
    except ImportError:
        sys.exit("pipeline_peers.py: dlib is not installed: pip install dlib-bin")
    path = predictor_path or shipped_predictor_path()
    if path is None or not os.path.isfile(path):
        sys.exit(f"pipeline_peers.py: {MODEL_NAME} not found"
                 + (f" at {predictor_path}" if predictor_path else "")
                 + ": pip install face_recognition_models (or pass --predictor PATH)")
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(path)


def photo_paths(folder, limit):
    names = sorted(name for name in os.listdir(folder) if name.lower().endswith(".jpg"))
    if limit:
        names = names[:limit]
    if not names:
        sys.exit(f"pipeline_peers.py: no .jpg photos in {folder}")
    return [os.path.join(folder, name) for name in names]


def decode(path):
    return np.asarray(Image.open(path).convert("RGB"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--predictor", help=f"path of {MODEL_NAME} (default: face_recognition_models')")
    args = parser.parse_args()
    detector, predictor = load_dlib(args.predictor)
    paths = photo_paths(args.folder, args.limit)

    def landmarks(array):
        return [predictor(array, rect) for rect in detector(array, 1)]

    landmarks(decode(paths[0]))  # warm-up, untimed
    times, one_face, faces = [], 0, 0
    for path in paths:
        array = decode(path)
        start = time.perf_counter()
        shapes = landmarks(array)
        times.append((time.perf_counter() - start) * 1000)
        assert all(shape.num_parts == 68 for shape in shapes)
        one_face += len(shapes) == 1
        faces += len(shapes)
    print(json.dumps({"pipeline": "dlib", "threads": 1, "photos": len(paths), "one_face": one_face, "faces": faces,
                      "median_ms": statistics.median(times), "mean_ms": statistics.fmean(times)}), flush=True)


if __name__ == "__main__":
    main()
