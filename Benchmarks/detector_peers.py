"""The peers of `keypoints-bench detect`: facenet-pytorch's MTCNN and dlib's HOG face detector,
scored and timed as Benchmarks/Bench/DetectionBenchmark.swift scores and times ours.

    python3 Benchmarks/detector_peers.py LABELS_XML [--threads 1,2] [--detectors facenet,dlib]
                                         [--limit N] [--dlib-threads 1]
        -> one JSON line per (detector, threads):
           {"detector": ..., "threads": ..., "images": ..., "faces": ..., "detections": ...,
            "recall50": ..., "recall30": ..., "unmatched50": ..., "median_ms": ..., "total_ms": ...}

LABELS_XML is an imglab file (the photos are relative to its folder); its boxes are the
annotated faces. Scoring (the same in the Swift file): for each photo, pairs (detection,
annotation) with IoU >= T are taken greedily by decreasing IoU, each detection and each
annotation at most once; recall is matched annotations / annotations; "unmatched50" counts
detections that match no annotation at IoU >= 0.5 (not necessarily false: not every face is
annotated). Boxes are continuous [x1, y1, x2, y2]: an imglab box is [left, top, left + width,
top + height]; a dlib rectangle is [left, top, right + 1, bottom + 1] (its right and bottom are
inclusive pixel indices).

Timing: each photo is decoded (PIL, RGB) before its clock starts; each detector call is
timed alone with time.perf_counter; one untimed warm-up call on the first photo precedes each
(detector, threads) pass. median_ms is the median of the per-photo times, total_ms their sum.

facenet-pytorch: MTCNN(keep_all=True, device="cpu") with its defaults (min_face_size=20,
thresholds [0.6, 0.7, 0.7], factor 0.709), `detect(image)`; torch.set_num_threads(n).
dlib: dlib.get_frontal_face_detector(), `detector(rgb_array, 1)` (upsample once). dlib's HOG
detector runs on one thread whatever torch's setting, so it is timed once, as threads=1,
unless --dlib-threads lists more passes.
"""
import argparse
import json
import os
import statistics
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image


def read_labels(path):
    root = os.path.dirname(os.path.abspath(path))
    photos = []
    for image in ET.parse(path).getroot().iter("image"):
        boxes = []
        for box in image.iter("box"):
            if box.get("ignore") == "1":
                continue
            left, top = float(box.get("left")), float(box.get("top"))
            boxes.append((left, top, left + float(box.get("width")), top + float(box.get("height"))))
        photos.append((os.path.join(root, image.get("file")), boxes))
    return photos


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def greedy_matches(detections, annotations, threshold):
    """Matched pairs, greedily by decreasing IoU (ties: detection then annotation order)."""
    pairs = []
    for d, det in enumerate(detections):
        for a, ann in enumerate(annotations):
            value = iou(det, ann)
            if value >= threshold:
                pairs.append((-value, d, a))
    pairs.sort()
    used_d, used_a, matched = set(), set(), []
    for _, d, a in pairs:
        if d in used_d or a in used_a:
            continue
        used_d.add(d)
        used_a.add(a)
        matched.append((d, a))
    return matched


def score(results, photos):
    faces = sum(len(boxes) for _, boxes in photos)
    found50 = found30 = unmatched50 = detections = 0
    for detected, (_, boxes) in zip(results, photos):
        detections += len(detected)
        m50 = greedy_matches(detected, boxes, 0.5)
        found50 += len(m50)
        unmatched50 += len(detected) - len(m50)
        found30 += len(greedy_matches(detected, boxes, 0.3))
    return {"faces": faces, "detections": detections, "recall50": found50 / faces if faces else 0.0,
            "recall30": found30 / faces if faces else 0.0, "unmatched50": unmatched50}


def facenet_detector():
    from facenet_pytorch import MTCNN
    mtcnn = MTCNN(keep_all=True, device="cpu")

    def detect(image, _array):
        boxes, _ = mtcnn.detect(image)
        return [] if boxes is None else [tuple(float(v) for v in box) for box in boxes]
    return detect


def dlib_detector():
    import dlib
    detector = dlib.get_frontal_face_detector()

    def detect(_image, array):
        return [(float(r.left()), float(r.top()), float(r.right() + 1), float(r.bottom() + 1)) for r in detector(array, 1)]
    return detect


def load(path):
    image = Image.open(path).convert("RGB")
    return image, np.asarray(image)


def run_pass(name, detect, photos, threads):
    import torch
    torch.set_num_threads(threads)
    detect(*load(photos[0][0]))  # warm-up, untimed
    results, times = [], []
    for path, _ in photos:
        image, array = load(path)
        start = time.perf_counter()
        found = detect(image, array)
        times.append((time.perf_counter() - start) * 1000)
        results.append(found)
    line = {"detector": name, "threads": threads, "images": len(photos)}
    line.update(score(results, photos))
    line.update({"median_ms": statistics.median(times), "total_ms": sum(times)})
    print(json.dumps(line), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("labels")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--dlib-threads", default="1")
    parser.add_argument("--detectors", default="facenet,dlib")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    photos = read_labels(args.labels)
    if args.limit:
        photos = photos[:args.limit]
    for name in args.detectors.split(","):
        if name == "facenet":
            detect, thread_list = facenet_detector(), args.threads
        elif name == "dlib":
            detect, thread_list = dlib_detector(), args.dlib_threads
        else:
            sys.exit(f"unknown detector {name}")
        for threads in (int(t) for t in thread_list.split(",") if t):
            run_pass(name, detect, photos, threads)


if __name__ == "__main__":
    main()
