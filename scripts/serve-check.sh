#!/usr/bin/env bash
# The landmark service end to end, as CI runs it: starts the release keypoints-server on a free
# port, checks the page in headless Chromium (a real photo through the page's own file input;
# screenshots in OUT), sends a short load with every kind of bad input mixed in (no error
# allowed), then sends SIGTERM during a request: the request must still succeed and the server
# exit 0.
# Usage: scripts/serve-check.sh [DATA] [OUT]   (defaults: ../shared/data, a temporary folder)
# Needs: swift build -c release --package-path Examples/Server --scratch-path .build; chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
bin=$(swift build -c release --package-path Examples/Server --scratch-path .build --show-bin-path)
port=${PORT:-18080}
log=$out/server.log
photo=$data/dlib_examples/2008_002470.jpg

"$bin/keypoints-server" --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    kill -0 $server 2>/dev/null || { cat "$log"; echo "serve-check: the server exited" >&2; exit 1; }
    sleep 0.2
done

echo "-- the page in headless Chromium"
"$bin/browser-check" --url "http://127.0.0.1:$port" --photo "$photo" --screenshots "$out/page"

echo "-- a short load with bad inputs mixed in"
"$bin/keypoints-load" --url "http://127.0.0.1:$port" "$data"/dlib_examples/20*.jpg --clients 1,4 --requests 36 \
    --warm-up 1 --library-photos 0 --bad-inputs

echo "-- SIGTERM during a request"
body=$out/sigterm.json
curl -s -o "$body" -w '%{http_code}' -H 'Content-Type: image/jpeg' --data-binary "@$data/dlib_examples/bald_guys.jpg" \
    "http://127.0.0.1:$port/v1/landmarks" >"$out/sigterm.status" &
request=$!
sleep 0.3
kill -TERM $server
wait $request
status=0
wait $server || status=$?
trap - EXIT
if [[ $(cat "$out/sigterm.status") != 200 ]] || ! grep -q '"faces"' "$body"; then
    echo "serve-check: the request in flight at SIGTERM got $(cat "$out/sigterm.status")" >&2
    exit 1
fi
if [[ $status != 0 ]]; then
    tail -5 "$log"
    echo "serve-check: the server exited $status after SIGTERM" >&2
    exit 1
fi
echo "the request in flight at SIGTERM finished (200), then the server exited 0"
grep -c 'request' "$log" >/dev/null || true
echo "serve-check: passed (screenshots and the server's log in $out)"
