"""Where a model's points sit relative to the annotations on average, and whether that is the
pipeline's doing (Docs/Heatmaps.md, "Point offsets").

    # 1. mean error (predicted minus annotated) in photo pixels, with its standard error
    keypoints predict --xml FACES.xml --out preds [--mirror] [--model M]
    python3 scripts/experiments/annotation_bias.py bias preds/predictions.jsonl FACES.xml

    # 2. mirror the photos with PIL (lossless PNG) and predict both: a model trained on mirrored
    #    faces agrees with itself unless decoding or cropping shifts the picture, which shows
    #    here as twice the shift
    python3 scripts/experiments/annotation_bias.py mirror-photos FACES.xml OUT_FOLDER 30
    keypoints predict --xml OUT_FOLDER/pairs.xml --out mirrored-preds
    python3 scripts/experiments/annotation_bias.py mirror-check mirrored-preds/predictions.jsonl

FACES.xml is an imglab XML with one annotated 68-point face per box (0-based pixel indices);
`keypoints predict` writes continuous coordinates (pixel centers at +0.5), so 0.5 is taken off.
"""
import json
import math
import os
import sys
import xml.etree.ElementTree as ET

# iBUG 68: each point's mirror partner.
MIRROR = ([16 - i for i in range(17)] + [26 - i for i in range(10)] + [27, 28, 29, 30, 35, 34, 33, 32, 31]
          + [45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40] + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55]
          + [64, 63, 62, 61, 60, 67, 66, 65])


def boxes(xml_path):
    """(image path, (left, top, width, height)) -> 68 annotated points, paths made absolute."""
    folder = os.path.dirname(os.path.abspath(xml_path))
    faces = {}
    for image in ET.parse(xml_path).getroot().iter("image"):
        path = os.path.normpath(os.path.join(folder, image.get("file")))
        for box in image.findall("box"):
            key = (path, tuple(int(box.get(k)) for k in ("left", "top", "width", "height")))
            parts = sorted(box.findall("part"), key=lambda p: int(p.get("name")))
            faces[key] = [(float(p.get("x")), float(p.get("y"))) for p in parts]
    return faces


def mean_and_error(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, sd / math.sqrt(n)


def bias(predictions, xml_path):
    truth = boxes(xml_path)
    dx, dy = [], []
    for line in open(predictions):
        photo = json.loads(line)
        for face in photo["faces"]:
            points = truth.get((os.path.normpath(photo["image"]), tuple(int(v) for v in face["box"])))
            if points is None:
                continue
            pairs = list(zip(face["points"], points))
            dx.append(sum(p[0] - 0.5 - t[0] for p, t in pairs) / len(pairs))
            dy.append(sum(p[1] - 0.5 - t[1] for p, t in pairs) / len(pairs))
    (mx, ex), (my, ey) = mean_and_error(dx), mean_and_error(dy)
    print("%d faces: mean error x %+.3f ± %.3f px, y %+.3f ± %.3f px (predicted minus annotated)" % (len(dx), mx, ex, my, ey))


def mirror_photos(xml_path, out, count):
    from PIL import Image
    os.makedirs(out, exist_ok=True)
    lines = ["<dataset><images>"]
    for (path, (left, top, width, height)), _ in list(boxes(xml_path).items())[:count]:
        name = os.path.splitext(os.path.basename(path))[0]
        photo = Image.open(path)
        photo.save(os.path.join(out, name + ".png"))
        photo.transpose(Image.FLIP_LEFT_RIGHT).save(os.path.join(out, name + "_mirrored.png"))
        for suffix, x in (("", left), ("_mirrored", photo.width - left - width)):
            lines.append('<image file="%s%s.png"><box left="%d" top="%d" width="%d" height="%d"/></image>'
                         % (name, suffix, x, top, width, height))
    lines.append("</images></dataset>")
    with open(os.path.join(out, "pairs.xml"), "w") as f:
        f.write("\n".join(lines))


def mirror_check(predictions):
    found = {}
    for line in open(predictions):
        photo = json.loads(line)
        found[photo["image"]] = (photo["faces"][0]["points"], photo["width"])
    dx, dy = [], []
    for image, (points, width) in found.items():
        if image.endswith("_mirrored.png"):
            continue
        mirrored, _ = found[image[:-4] + "_mirrored.png"]
        back = [(width - mirrored[j][0], mirrored[j][1]) for j in MIRROR]
        dx.append(sum(b[0] - p[0] for b, p in zip(back, points)) / 68)
        dy.append(sum(b[1] - p[1] for b, p in zip(back, points)) / 68)
    (mx, ex), (my, ey) = mean_and_error(dx), mean_and_error(dy)
    print("%d photos: mirrored prediction reflected back minus direct: x %+.3f ± %.3f px, y %+.3f ± %.3f px" % (len(dx), mx, ex, my, ey))


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "bias":
        bias(*arguments)
    elif command == "mirror-photos":
        mirror_photos(arguments[0], arguments[1], int(arguments[2]))
    elif command == "mirror-check":
        mirror_check(*arguments)
    else:
        sys.exit(__doc__)
