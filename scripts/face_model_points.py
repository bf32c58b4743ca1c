"""The 3D face model of head pose (Sources/FaceKeypoints/FaceModel3D.swift), from MediaPipe's
canonical face mesh, and a check of it against the mean 300-W face.

MediaPipe's `canonical_face_model.obj` (Apache License 2.0) is not in this repository: download
it from https://github.com/google-ai-edge/mediapipe, path
mediapipe/modules/face_geometry/data/canonical_face_model.obj, and pass its path.

Prints the Swift table of FaceModel3D.points (iBUG point, mesh vertex, position in cm) for iBUG
points 17-67, then how far each point's frontal projection (x, -y) lies from the mean shape of
the 300-W subset's annotations after a least-squares similarity fit, in % of the distance
between the outer eye corners (a check of the correspondence, not an input to it).

Usage: python3 scripts/face_model_points.py canonical_face_model.obj [DATA]   (DATA: ../shared/data)
Needs numpy only.
"""
import glob
import os
import sys

import numpy as np

# The mesh vertex of each iBUG-68 point 17-67 (brows, nose, eyes, mouth), the usual
# MediaPipe-to-dlib correspondence; mirror pairs map to mirrored vertices.
VERTICES = [70, 63, 105, 66, 107, 336, 296, 334, 293, 300,   # brows 17-26
            168, 197, 5, 4, 75, 97, 2, 326, 305,             # nose 27-35
            33, 160, 158, 133, 153, 144,                     # image-left eye 36-41
            362, 385, 387, 263, 373, 380,                    # image-right eye 42-47
            61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181,  # outer lips 48-59
            78, 82, 13, 312, 308, 317, 14, 87]               # inner lips 60-67

obj = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
mesh = np.array([[float(t) for t in line.split()[1:4]] for line in open(obj) if line.startswith("v ")])
assert mesh.shape == (468, 3), mesh.shape
model = mesh[VERTICES]
for k, (vertex, (x, y, z)) in enumerate(zip(VERTICES, model)):
    print("        (%d, %d, SIMD3<Double>(%.6f, %.6f, %.6f))," % (17 + k, vertex, x, y, z))


def similarity(src, dst):
    """Umeyama's least-squares similarity mapping src onto dst, as a function."""
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    u, sv, vt = np.linalg.svd(d.T @ s / len(src))
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rotation = u @ sign @ vt
    scale = np.trace(np.diag(sv) @ sign) / ((s ** 2).sum() / len(src))
    return lambda p: (scale * (rotation @ (p - ms).T)).T + md


def read_pts(path):
    return np.array(open(path).read().split("{")[1].split("}")[0].split(), float).reshape(-1, 2)[17:]


shapes = [read_pts(p) for p in sorted(glob.glob(os.path.join(data, "300w_subset", "*", "*.pts")))]
mean = shapes[0]
for _ in range(5):
    mean = np.mean([similarity(s, mean)(s) for s in shapes], axis=0)
frontal = model[:, :2] * np.array([1, -1])
distance = np.linalg.norm(similarity(frontal, mean)(frontal) - mean, axis=1) / np.linalg.norm(mean[36 - 17] - mean[45 - 17])
print("# against the mean of %d 300-W faces: mean %.1f %%, largest %.1f %% (point %d) of the outer-eye-corner distance"
      % (len(shapes), 100 * distance.mean(), 100 * distance.max(), 17 + distance.argmax()), file=sys.stderr)
