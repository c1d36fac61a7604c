#!/usr/bin/env bash
# Runs one libFuzzer target against the host's parsers.
#
#   scripts/fuzz.sh                      lists the targets and their seed counts
#   scripts/fuzz.sh TARGET SECONDS [ARG…] builds TARGET (release, libFuzzer + AddressSanitizer)
#                                         and fuzzes it for SECONDS; ARGs go to libFuzzer
#
# The committed seeds (Tests/Fuzz/corpus/TARGET) are read-only; what the fuzzer discovers goes
# to .build-fuzz/corpus/TARGET and is kept between runs. A crash, a leak-free abort or a timeout
# is written to Tests/Fuzz/crashers/TARGET/, which the test suite replays: commit it with the fix.
# Exit status: 0 when the run finished without a finding, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
targets=(elf metadata json workflow policy schema)

product() {
    case "$1" in
        elf) echo FuzzELF ;; json) echo FuzzJSON ;;
        *) echo "Fuzz$(tr '[:lower:]' '[:upper:]' <<<"${1:0:1}")${1:1}" ;;
    esac
}

if [[ $# -eq 0 ]]; then
    echo "fuzz targets (scripts/fuzz.sh TARGET SECONDS):"
    for t in "${targets[@]}"; do
        printf '  %-9s %3d seeds, %d crashers kept  (%s)\n' "$t" "$(ls Tests/Fuzz/corpus/$t | wc -l)" \
            "$(ls Tests/Fuzz/crashers/$t 2>/dev/null | wc -l)" "Tests/Fuzz/$(product "$t")"
    done
    exit 0
fi
target="$1"; seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer args]}"; shift 2
if [[ ! " ${targets[*]} " =~ " $target " ]]; then
    echo "fuzz.sh: no target '$target'; the targets are: ${targets[*]}" >&2
    exit 2
fi
name="$(product "$target")"
scratch="$root/.build-fuzz"
# SwiftPM hands swiftc one -sanitize= flag per sanitizer and swiftc keeps only the last one, which
# would leave the Swift code without coverage counters: pass the pair as one flag after them.
PLUGIN_HOST_FUZZ=1 swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
    --product "$name" --scratch-path "$scratch" 2>&1 | grep -v '^\[' || true
binary="$scratch/release/$name"
[[ -x "$binary" ]] || { echo "fuzz.sh: $name did not build" >&2; exit 1; }

work="$scratch/corpus/$target"; crashers="Tests/Fuzz/crashers/$target"
mkdir -p "$work" "$crashers"
log="$scratch/$target.log"
set +e
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$binary" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashers/" "$@" "$work" "Tests/Fuzz/corpus/$target" 2>&1 | tee "$log" \
    | grep -E --line-buffered 'INFO: Loaded|inline 8-bit|DONE|ERROR|SUMMARY|stat::number_of_executed_units|Test unit written'
status=${PIPESTATUS[0]}
set -e
# An uninstrumented build runs but explores nothing: insist on the coverage counters.
counters=$(grep -oE '[0-9]+ Inline 8-bit counters|[0-9]+ inline 8-bit counters' "$log" | head -1 | grep -oE '^[0-9]+' || echo 0)
if [[ "$counters" -eq 0 ]]; then
    echo "fuzz.sh: $name has no coverage counters (not built with -sanitize=fuzzer?)" >&2
    exit 1
fi
execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
echo "fuzz.sh: $target: $execs executions in ${seconds}s, $counters coverage counters, exit $status"
exit $(( status == 0 ? 0 : 1 ))
