"""Head pose on the IMM Face Database by view: the figures of Docs/Alignment.md.

Reads the predictions.jsonl that `keypoints predict ../shared/data/imm_face_db --out DIR` writes
and prints, for each IMM view (1 frontal, 2 frontal smiling, 3 turned to the person's right,
4 to their left, 5 frontal with a spot light, 6 free), the mean and standard deviation of the
yaw, pitch and roll the package reported (the largest face of each photo).

With --focal-sensitivity (needs numpy and opencv-python-headless), also the mean yaw of each
view refitted with OpenCV's solvePnP and the same 3D points (read from
Sources/FaceKeypoints/FaceModel3D.swift) for focal lengths of 1, 2 and 5 times the photo's longer
side, to show how much the angles depend on the assumed camera.

Usage: python3 scripts/pose_by_view.py DIR/predictions.jsonl [--focal-sensitivity]
"""
import json
import os
import re
import statistics
import sys

records = [json.loads(line) for line in open(sys.argv[1])]
by_view = {}
for record in records:
    view = int(os.path.basename(record["image"])[3])
    face = max(record["faces"], key=lambda f: f["box"][2])
    by_view.setdefault(view, []).append((record, face))

print("| view | photos | yaw (mean ± sd) | pitch | roll |")
print("|---|---|---|---|---|")
for view in sorted(by_view):
    poses = [face["pose"] for _, face in by_view[view]]
    cells = ["%.1f ± %.1f" % (statistics.mean(p[k] for p in poses), statistics.stdev(p[k] for p in poses))
             for k in ("yaw", "pitch", "roll")]
    print("| %d | %d | %s |" % (view, len(poses), " | ".join(cells)))

if "--focal-sensitivity" in sys.argv:
    import cv2
    import numpy as np
    table = open(os.path.join(os.path.dirname(__file__), "..", "Sources", "FaceKeypoints", "FaceModel3D.swift")).read()
    model = np.array([[float(v) for v in m] for m in re.findall(r"SIMD3<Double>\(([-\d.]+), ([-\d.]+), ([-\d.]+)\)", table)])
    model = model * np.array([1, -1, -1])  # camera-aligned: x right, y down, z away from the camera
    print("\nmean yaw by view, refitted with OpenCV for other focal lengths (x the longer side):")
    for factor in (1, 2, 5):
        means = []
        for view in sorted(by_view):
            yaws = []
            for record, face in by_view[view]:
                w, h = record["width"], record["height"]
                focal = factor * max(w, h)
                camera = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]])
                points = np.array(face["points"])[17:]
                _, rvec, _ = cv2.solvePnP(model, points, camera, None, flags=cv2.SOLVEPNP_ITERATIVE)
                rotation, _ = cv2.Rodrigues(rvec)
                yaws.append(np.degrees(np.arcsin(np.clip(rotation[2, 0], -1, 1))))
            means.append("view %d %.1f" % (view, np.mean(yaws)))
        print("  %dx: %s" % (factor, ", ".join(means)))
