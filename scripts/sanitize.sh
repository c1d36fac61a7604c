#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and under ThreadSanitizer, each in a scratch
# path of its own (.build-asan, .build-tsan) so neither invalidates the ordinary debug build.
#
#   scripts/sanitize.sh              both, address first
#   scripts/sanitize.sh address      one of them (address | thread)
#   scripts/sanitize.sh thread --filter Isolation   extra arguments go to `swift test`
#
# Exit status 0 only when every run passed with no sanitizer report. Leak checking is off: the
# Swift runtime keeps allocations alive until exit by design, and LeakSanitizer reports those.
# Tests that need an unsanitized process (a plain C program or python3 loading a sanitized
# libplugin_host.so, a Swift plugin needing runtime symbols the test process does not export)
# skip themselves in these builds and say so.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
kinds=(address thread)
if [[ $# -gt 0 && ( "$1" == address || "$1" == thread ) ]]; then kinds=("$1"); shift; fi

failed=0
for kind in "${kinds[@]}"; do
    scratch="$root/.build-${kind:0:1}san"
    log="$scratch/sanitize.log"
    mkdir -p "$scratch"
    echo "== swift test --sanitize=$kind (scratch $scratch, log $log)"
    start=$(date +%s)
    # halt_on_error=0 keeps ThreadSanitizer going after a report so one run shows them all.
    ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" TSAN_OPTIONS="halt_on_error=0:${TSAN_OPTIONS:-}" \
        SWIFT_BACKTRACE=enable=no swift test --sanitize="$kind" --scratch-path "$scratch" "$@" >"$log" 2>&1
    status=$?
    reports=$(grep -cE '^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: AddressSanitizer|SUMMARY: (Address|Thread|UndefinedBehavior)Sanitizer)' "$log")
    summary=$(grep -E 'Test run with [0-9]+ tests' "$log" | tail -1)
    echo "   ${summary:-no test summary (see the log)}; $reports sanitizer reports; exit $status; $(( $(date +%s) - start )) s"
    if [[ $status -ne 0 || $reports -ne 0 ]]; then
        failed=1
        grep -E '✘|WARNING: ThreadSanitizer|ERROR: AddressSanitizer|SUMMARY:' "$log" | head -20
    fi
done
exit $failed
