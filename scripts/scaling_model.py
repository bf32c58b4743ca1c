#!/usr/bin/env python3
"""Docs/Scaling.md's model: the expected speed-up of data-parallel ResNet18 training over N
machines from one machine's measured figures.

    step(N)  = compute + pack + ring(N)        (all-reduce after backward, no overlap)
    ring(N)  = 2 (N-1)/N * gradient bytes / bandwidth + 2 (N-1) * latency
    speed-up = N * compute / step(N)           (against one machine, which communicates nothing)

compute = batch / images per second of one machine (its cores on one process); pack = the
measured cost of packing and unpacking the gradient buckets (GradientAverager's step time minus
its time in MPI_Allreduce). The latency per ring hop is an assumption (--latency-us), not a
measurement.

    python3 scripts/scaling_model.py --images-per-second 13.0 --pack-ms 25
"""
import argparse

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--images-per-second", type=float, required=True, help="one machine, one process, all cores")
parser.add_argument("--batch", type=int, default=16, help="images per machine per step")
parser.add_argument("--gradient-mb", type=float, default=45.0, help="ResNet18 (68 landmarks): 45.0 MB of Float32")
parser.add_argument("--pack-ms", type=float, required=True, help="measured: step minus MPI time in keypoints-bench allreduce")
parser.add_argument("--latency-us", type=float, default=30.0, help="assumed per-hop latency over TCP")
parser.add_argument("--machines", default="2,4,8,16,32,64")
args = parser.parse_args()

compute = args.batch / args.images_per_second
print(f"compute {compute * 1e3:.0f} ms per step of {args.batch} images, pack/unpack {args.pack_ms:.0f} ms, "
      f"{args.gradient_mb:.1f} MB of gradients, latency {args.latency_us:.0f} us per hop (assumed)")
print("machines | global batch | 10 Gbit/s: all-reduce ms, speed-up, efficiency | 25 Gbit/s: all-reduce ms, speed-up, efficiency")
print("---|---|---|---")
for n in (int(x) for x in args.machines.split(",")):
    cells = []
    for gbit in (10, 25):
        ring = 2 * (n - 1) / n * args.gradient_mb * 1e6 * 8 / (gbit * 1e9) + 2 * (n - 1) * args.latency_us * 1e-6
        step = compute + args.pack_ms * 1e-3 + ring
        speedup = n * compute / step
        cells.append(f"{ring * 1e3:.0f} ms, {speedup:.1f}x, {speedup / n:.0%}")
    print(f"{n} | {n * args.batch} | {cells[0]} | {cells[1]}")
