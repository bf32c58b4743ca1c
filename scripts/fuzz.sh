#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/ReaderFuzzer.swift) with AddressSanitizer and fuzzes the
# package's file readers. See Docs/Reliability.md.
#
#   scripts/fuzz.sh build                      build .build-fuzz/fuzz-readers only
#   scripts/fuzz.sh run [RUNS] [FORMAT...]      fuzz each format for RUNS inputs (default 100000;
#                                              formats default to all: jpeg png pnm asf pts
#                                              imglab safetensors)
#
# Environment: FACEKEYPOINTS_DATA (default ../shared/data beside the checkout) holds the real
# files the seed corpora are built from; FUZZ_JOBS is passed to libFuzzer as -jobs (default 1);
# extra libFuzzer flags can go in FUZZ_FLAGS.
# Everything it writes stays under .build-fuzz/ (git-ignored): the seed corpora in
# .build-fuzz/corpus/<format>/seeds, the inputs libFuzzer adds in .build-fuzz/corpus/<format>/found,
# crash/timeout/oom reproducers in .build-fuzz/artifacts/<format>/, logs in .build-fuzz/logs/.
# A reproducer replays with: FK_FUZZ_FORMAT=<format> .build-fuzz/fuzz-readers <file>
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRATCH=.build-fuzz
CONFIG=release
OUT=$SCRATCH/$CONFIG
BINARY=$SCRATCH/fuzz-readers
DATA=${FACEKEYPOINTS_DATA:-$ROOT/../shared/data}
# Swift's own crash backtracer fights ASan's; the sanitizer prints the stack.
export SWIFT_BACKTRACE=enable=no
# Known leak in Foundation's XMLParser error path (see the file).
export LSAN_OPTIONS=suppressions=$ROOT/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
ALL_FORMATS="jpeg png pnm asf pts imglab safetensors"
SANITIZE=(-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)

build() {
    # Library targets only (no unsafeFlags in Package.swift): coverage + ASan come from -X flags.
    for target in NN FaceData; do
        swift build -c $CONFIG --scratch-path $SCRATCH "${SANITIZE[@]}" --target $target
    done
    local objects=()
    for module in Tensor TensorIO NN Vision FaceData; do objects+=("$OUT/$module.build"/*.o); done
    objects+=("$OUT/CImageShims.build"/*.o)
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name ReaderFuzzer \
        -I "$OUT/Modules" \
        -Xcc -fmodule-map-file="$OUT/CImageShims.build/module.modulemap" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CBLAS/module.modulemap" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CPNG/module.modulemap" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CJPEG/module.modulemap" \
        Fuzz/ReaderFuzzer.swift "${objects[@]}" \
        -use-ld=lld -lopenblas -lpng16 -ljpeg -o $BINARY
    echo "built $BINARY"
}

run() {
    local runs=${1:-100000}
    shift || true
    local formats=${*:-$ALL_FORMATS}
    mkdir -p $SCRATCH/logs
    for format in $formats; do
        local corpus=$SCRATCH/corpus/$format
        mkdir -p "$corpus/found" "$SCRATCH/artifacts/$format"
        rm -rf "$corpus/seeds"
        FK_FUZZ_FORMAT=$format FK_FUZZ_MAKE_SEEDS="$corpus/seeds" FK_FUZZ_DATA="$DATA" $BINARY
        # The small committed test fixtures join the seeds (they cover PNG colour types, EXIF, CMYK).
        case $format in
            png) cp Tests/Fixtures/vision_png_*.png "$corpus/seeds/" ;;
            jpeg) cp Tests/Fixtures/vision_cmyk.jpg Tests/Fixtures/vision_exif_6.jpg Tests/Fixtures/vision_gray.jpg "$corpus/seeds/" ;;
            safetensors) cp Tests/Fixtures/safetensors_*.safetensors Tests/Fixtures/nn_swift_nosenet_check.safetensors "$corpus/seeds/" ;;
        esac
        local dict=()
        [ -f "Fuzz/dictionaries/$format.dict" ] && dict=(-dict="Fuzz/dictionaries/$format.dict")
        # Foundation's XMLParser leaks on every parse error (Fuzz/lsan.supp), which would make
        # libFuzzer run a leak scan after nearly every imglab input; leak checks stay on elsewhere.
        local leaks=(-detect_leaks=1)
        [ "$format" = imglab ] && leaks=(-detect_leaks=0)
        local log=$SCRATCH/logs/$format.log
        echo "fuzzing $format: $runs inputs (log $log)"
        # -timeout: a hang is any input taking over 10 s; -rss_limit_mb / -malloc_limit_mb: an
        # input that makes the process grow past 2 GB, or asks for one allocation past 1.5 GB,
        # is reported as an out-of-memory finding.
        set +e
        FK_FUZZ_FORMAT=$format $BINARY "$corpus/found" "$corpus/seeds" "${dict[@]}" "${leaks[@]}" \
            -runs="$runs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1536 -max_len=262144 \
            -seed=1 -print_final_stats=1 -artifact_prefix="$SCRATCH/artifacts/$format/" \
            ${FUZZ_FLAGS:-} >"$log" 2>&1
        local status=$?
        set -e
        grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)" "$log" | sed "s/^/  $format /" || true
        if [ $status -ne 0 ]; then
            echo "  $format: FINDING (exit $status); see $log and $SCRATCH/artifacts/$format/"
            grep -E "^(==[0-9]+==ERROR|FINDING|SUMMARY|Fatal error|.*Fatal error)" "$log" | head -5 || true
        fi
    done
}

case "${1:-run}" in
    build) build ;;
    run) shift || true; [ -x $BINARY ] || build; run "$@" ;;
    all) shift || true; build; run "$@" ;;
    *) echo "usage: $0 build | run [RUNS] [FORMAT...] | all [RUNS] [FORMAT...]"; exit 2 ;;
esac
