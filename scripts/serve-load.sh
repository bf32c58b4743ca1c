#!/usr/bin/env bash
# The load figures of Docs/Serving.md: starts the release keypoints-server (its defaults: as many
# photos at once as cores, each on cores/concurrency threads), then keypoints-load posts dlib's
# nine PASCAL VOC example photos (about 500x375, 1 to 6 faces) with each client count, REQUESTS
# requests per count, bad inputs mixed in throughout, reads the server's resident memory before
# and after each count, and ends with the library's own rate on the same photos in-process.
# Usage: scripts/serve-load.sh [DATA] [REQUESTS] [CLIENTS]   (defaults: ../shared/data, 2000, 1,2,4,8)
# Needs: swift build -c release --package-path Examples/Server --scratch-path .build
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
requests=${2:-2000}
clients=${3:-1,2,4,8}
bin=$(swift build -c release --package-path Examples/Server --scratch-path .build --show-bin-path)
port=${PORT:-18090}
log=$(mktemp)
"$bin/keypoints-server" --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.2
done
echo "keypoints-server pid $server; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); AVX-512: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
"$bin/keypoints-load" --url "http://127.0.0.1:$port" "$data"/dlib_examples/20*.jpg --clients "$clients" \
    --requests "$requests" --bad-inputs --library-photos 300
