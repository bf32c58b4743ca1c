#!/usr/bin/env bash
# Docs/Scaling.md's throughput figures: ResNet18 landmarks training, 1 process x 2 threads at
# batch 16 against mpirun -np 2 ranks x 1 thread at batch 8 (the same global batch), alternating
# ROUNDS times; prints the images/s of each run's second epoch (metrics.json), then the
# all-reduce timing (keypoints-bench allreduce). Run from the repository root after
# `swift build -c release`.
set -euo pipefail
DATA=${DATA:-../shared/data}
ROUNDS=${ROUNDS:-2}
LIMIT=${LIMIT:-160}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
K=.build/release/keypoints
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores, AVX-512: $(grep -o avx512f /proc/cpuinfo | head -1 || echo no); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
second_epoch() { python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['images_per_second'][1])" "$1/metrics.json"; }
for round in $(seq "$ROUNDS"); do
    "$K" landmarks --data "$DATA" --limit "$LIMIT" --epochs 2 --batch-size 16 --threads 2 --out "$OUT/one-$round" >/dev/null
    echo "round $round: 1 process x 2 threads, batch 16:       $(second_epoch "$OUT/one-$round") images/s"
    "${MPIRUN[@]}" -np 2 "$K" landmarks --data "$DATA" --limit "$LIMIT" --epochs 2 --batch-size 8 --threads 1 --distributed \
        --out "$OUT/two-$round" >/dev/null
    echo "round $round: 2 ranks x 1 thread, batch 8 per rank: $(second_epoch "$OUT/two-$round") images/s"
done
"${MPIRUN[@]}" -np 2 .build/release/keypoints-bench allreduce --steps 20 --buckets 1,4,25,64
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
