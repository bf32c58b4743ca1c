#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/ReaderFuzzer.swift) with AddressSanitizer and fuzzes the
# package's file readers. See Docs/Reliability.md.
#
#   scripts/fuzz.sh build                      build .build-fuzz/fuzz-readers only
#   scripts/fuzz.sh run [RUNS] [FORMAT...]      fuzz each format for RUNS inputs (default 100000;
#                                              formats default to all: jpeg png pnm asf pts
#                                              imglab safetensors model drawing)
#   scripts/fuzz.sh all [RUNS] [FORMAT...]      build, then run
#   scripts/fuzz.sh smoke [SECONDS] [FORMAT...] build, then fuzz each format for SECONDS (default
#                                              10) from its seeds alone: the CI check
#
# `run`, `all` and `smoke` go through every format they were given, then exit with status 1 if
# any of them produced a finding, so a CI step fails on the first bad input it meets.
#
# Environment: FACEKEYPOINTS_DATA (default ../shared/data beside the checkout) holds the real
# files the seed corpora are built from; FUZZ_PARALLEL formats are fuzzed at once (default 1,
# for `smoke` the number of cores); FUZZ_JOBS is passed to libFuzzer as -jobs (default 1);
# extra libFuzzer flags can go in FUZZ_FLAGS.
# Everything it writes stays under .build-fuzz/ (git-ignored): the seed corpora in
# .build-fuzz/corpus/<format>/seeds, the inputs libFuzzer adds in .build-fuzz/corpus/<format>/found
# (for `smoke`, in .build-fuzz/smoke/<format>, emptied first), crash/timeout/oom reproducers in
# .build-fuzz/artifacts/<format>/, logs in .build-fuzz/logs/.
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
ALL_FORMATS="jpeg png pnm asf pts imglab safetensors model drawing"
SANITIZE=(-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
# The harness imports the umbrella module, so it needs FaceKeypoints and everything below it.
TOP=FaceKeypoints

# Prints "name kind path" for TOP and every target it depends on, directly or not, where kind is
# SwiftPM's module type (SwiftTarget, ClangTarget, SystemLibraryTarget). The graph comes from
# `swift package describe` (its text form: awk reads it everywhere, where JSON would need jq or
# Python), so a C target added to Package.swift tomorrow is compiled, linked and its module map
# found without this script changing.
targets_below() {
    swift package describe --scratch-path $SCRATCH | awk -v top="$1" '
        /^Targets:/ { intargets = 1; next }
        !intargets { next }
        /^    Name: / { name = $2; deps = 0; next }
        /^    Module type: / { kind[name] = $3; next }
        /^    Path: / { path[name] = $2; next }
        /^    Target dependencies:/ { deps = 1; next }
        /^    [^ ]/ { deps = 0; next }
        deps && /^        [^ ]+$/ { edges[name] = edges[name] " " $1 }
        END {
            todo[1] = top; n = 1; seen[top] = 1
            for (i = 1; i <= n; i++) {
                t = todo[i]; print t, kind[t], path[t]
                m = split(edges[t], list, " ")
                for (j = 1; j <= m; j++) if (!(list[j] in seen)) { seen[list[j]] = 1; todo[++n] = list[j] }
            }
        }'
}

build() {
    # Library targets only (no unsafeFlags in Package.swift): coverage + ASan come from -X flags,
    # which reach the Swift and the C targets alike. Building TOP builds everything it needs.
    swift build -c $CONFIG --scratch-path $SCRATCH "${SANITIZE[@]}" --target $TOP
    # Then the harness is linked by hand from those targets' object files. Swift and C targets
    # both leave theirs in <target>.build/; a C target also brings the module map SwiftPM wrote
    # for it (or its own, in include/), and a system library target only a module map, in its
    # source folder. The Swift modules' own interfaces are all in $OUT/Modules.
    local objects=() modulemaps=() name kind path map
    while read -r name kind path; do
        case $kind in
            SwiftTarget) objects+=("$OUT/$name.build"/*.o) ;;
            ClangTarget)
                objects+=("$OUT/$name.build"/*.o)
                map="$OUT/$name.build/module.modulemap"
                [ -f "$map" ] || map="$ROOT/$path/include/module.modulemap"
                modulemaps+=(-Xcc -fmodule-map-file="$map") ;;
            SystemLibraryTarget) modulemaps+=(-Xcc -fmodule-map-file="$ROOT/$path/module.modulemap") ;;
            *) echo "fuzz.sh: target $name has a module type this script does not know: '$kind'" >&2; exit 1 ;;
        esac
    done < <(targets_below $TOP)
    # The system libraries: those the system library targets name with `link "..."` (swiftc
    # would mostly find them through the objects' autolink entries; naming them costs nothing)
    # and those C targets ask for with `.linkedLibrary` in Package.swift.
    local libraries=()
    for library in $( (cat Sources/*/module.modulemap 2>/dev/null | sed -n 's/^ *link "\([^"]*\)".*/\1/p'
                       sed -n 's/.*linkedLibrary("\([^"]*\)").*/\1/p' Package.swift) | sort -u); do
        libraries+=(-l"$library")
    done
    # lld ships with the Swift toolchain (usr/bin/ld.lld), as do libFuzzer and the ASan runtime
    # (usr/lib/swift/clang/lib/linux/libclang_rt.{fuzzer,asan}-*.a), so nothing needs installing
    # on a machine that has the swift.org toolchain; a toolchain without them is named here
    # rather than in a linker error.
    local toolchain
    toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
    for file in bin/ld.lld lib/swift/clang/lib/linux/libclang_rt.fuzzer-x86_64.a lib/swift/clang/lib/linux/libclang_rt.asan-x86_64.a; do
        [ "$(uname -m)" = x86_64 ] || [ "$file" = bin/ld.lld ] || continue
        [ -e "$toolchain/$file" ] || { echo "fuzz.sh: the Swift toolchain at $toolchain has no $file" >&2; exit 1; }
    done
    # `Extern` lets the harness declare libFuzzer's C function LLVMFuzzerMutate.
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name ReaderFuzzer \
        -enable-experimental-feature Extern \
        -I "$OUT/Modules" "${modulemaps[@]}" \
        Fuzz/ReaderFuzzer.swift "${objects[@]}" \
        -use-ld=lld "${libraries[@]}" -o $BINARY
    echo "built $BINARY from $(targets_below $TOP | awk '{ print $1 }' | xargs)"
}

# fuzz FORMAT MODE BOUND: one libFuzzer run of FORMAT from its seed corpus. MODE `run` keeps the
# inputs libFuzzer adds in corpus/<format>/found (later runs start from them) and stops after
# BOUND inputs; MODE `smoke` starts from the seeds alone every time (a fresh, emptied folder)
# and stops after BOUND seconds. Returns 1 on a finding.
fuzz() {
    local format=$1 mode=$2 bound=$3
    local corpus=$SCRATCH/corpus/$format found limit log
    if [ "$mode" = smoke ]; then
        found=$SCRATCH/smoke/$format
        rm -rf "$found"
        limit=(-runs=100000000 -max_total_time="$bound")
        log=$SCRATCH/logs/smoke-$format.log
    else
        found=$corpus/found
        limit=(-runs="$bound")
        log=$SCRATCH/logs/$format.log
    fi
    mkdir -p "$found" "$SCRATCH/artifacts/$format" $SCRATCH/logs
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
    # Inputs are at most 256 KB, except model files: the part-1 model as `keypoints nose` saves
    # it is 660 KB, and a longer limit keeps libFuzzer from cutting that seed short.
    local length=262144
    [ "$format" = model ] && length=1048576
    echo "fuzzing $format: $([ "$mode" = smoke ] && echo "$bound s" || echo "$bound inputs") (log $log)"
    # -timeout: a hang is any input taking over 10 s; -rss_limit_mb / -malloc_limit_mb: an
    # input that makes the process grow past 2 GB, or asks for one allocation past 1.5 GB,
    # is reported as an out-of-memory finding.
    set +e
    FK_FUZZ_FORMAT=$format $BINARY "$found" "$corpus/seeds" "${dict[@]}" "${leaks[@]}" "${limit[@]}" \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1536 -max_len=$length \
        -seed=1 -print_final_stats=1 -artifact_prefix="$SCRATCH/artifacts/$format/" \
        ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS} ${FUZZ_FLAGS:-} >"$log" 2>&1
    local status=$?
    set -e
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)" "$log" | sed "s/^/  $format /" || true
    if [ $status -ne 0 ]; then
        echo "  $format: FINDING (exit $status); see $log and $SCRATCH/artifacts/$format/"
        grep -E "^(==[0-9]+==ERROR|FINDING|SUMMARY|.*Fatal error|.*precondition|artifact_prefix)" "$log" | head -6 | sed 's/^/    /' || true
        return 1
    fi
}

# fuzz_all MODE BOUND [FORMAT...]: every format (all by default), FUZZ_PARALLEL of them at a time
# (default 1; `smoke` uses every core: libFuzzer runs on one), each format's report printed in
# order when all are done, then status 1 if any found something.
fuzz_all() {
    local mode=$1 bound=$2 failed=() parallel=${FUZZ_PARALLEL:-1} running=0
    shift 2
    local formats=(${*:-$ALL_FORMATS}) reports=$SCRATCH/logs/reports
    mkdir -p "$reports"
    for format in "${formats[@]}"; do
        (if fuzz "$format" "$mode" "$bound"; then echo 0; else echo 1; fi) >"$reports/$format.out" 2>&1 &
        running=$((running + 1))
        if [ $running -ge "$parallel" ]; then wait; running=0; fi
    done
    wait
    for format in "${formats[@]}"; do
        sed '$d' "$reports/$format.out"
        [ "$(tail -n 1 "$reports/$format.out")" = 0 ] || failed+=("$format")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "findings in: ${failed[*]}"
        return 1
    fi
    echo "no findings"
}

case "${1:-run}" in
    build) build ;;
    run) shift || true; [ -x $BINARY ] || build; fuzz_all run "${1:-100000}" "${@:2}" ;;
    all) shift || true; build; fuzz_all run "${1:-100000}" "${@:2}" ;;
    smoke)
        shift || true
        start=$SECONDS
        build
        FUZZ_PARALLEL=${FUZZ_PARALLEL:-$(nproc)} fuzz_all smoke "${1:-10}" "${@:2}" && status=0 || status=1
        echo "smoke: $((SECONDS - start)) s in all, build included"
        exit $status ;;
    *) echo "usage: $0 build | run [RUNS] [FORMAT...] | all [RUNS] [FORMAT...] | smoke [SECONDS] [FORMAT...]"; exit 2 ;;
esac
