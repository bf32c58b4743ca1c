"""How MTCNN's boxes sit relative to the landmarks' boxes, face by face (Docs/Detection.md,
"Box jitter"): median, 10-90 % range and standard deviation of the center shift and the size,
in units of the landmarks' box's longer side, over the faces the detector found.

    python3 scripts/experiments/detector_box_spread.py runs/landmarks/detector_boxes.xml

The file is the one `keypoints landmarks --boxes detector` writes (or `keypoints detect
--annotations`); fallback boxes (label 'fallback') are left out.
"""
import statistics
import sys
import xml.etree.ElementTree as ET


def spread(values):
    s = sorted(values)
    n = len(s)
    return "median %.3f, 10-90%% %.3f...%.3f, sd %.3f" % (s[n // 2], s[n // 10], s[9 * n // 10], statistics.pstdev(values))


def main(path):
    shifts_x, shifts_y, widths, heights = [], [], [], []
    for image in ET.parse(path).getroot().iter("image"):
        for box in image.iter("box"):
            if box.find("label") is not None and box.find("label").text == "fallback":
                continue
            points = [(int(p.get("x")) + 0.5, int(p.get("y")) + 0.5) for p in box.iter("part")]
            if not points:
                continue
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            side = max(max(xs) - min(xs), max(ys) - min(ys))
            left, top, width, height = (float(box.get(k)) for k in ("left", "top", "width", "height"))
            shifts_x.append((left + width / 2 - (max(xs) + min(xs)) / 2) / side)
            shifts_y.append((top + height / 2 - (max(ys) + min(ys)) / 2) / side)
            widths.append(width / side)
            heights.append(height / side)
    print("%d detected faces" % len(widths))
    for name, values in (("center x", shifts_x), ("center y", shifts_y), ("width", widths), ("height", heights)):
        print("%-8s %s" % (name, spread(values)))


if __name__ == "__main__":
    main(sys.argv[1])
