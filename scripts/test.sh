#!/bin/sh
# Installs what is missing, builds everything with AddressSanitizer and UBSan,
# and runs every test (unit, transcripts, fuzz corpora, integration with real
# processes and real clients). Exit status 0 only if all pass.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh --test
BUILD=${POSTERN_BUILD_DIR:-build-test}
JOBS=$(nproc)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOSTERN_SANITIZE=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS"
# pam_wrapper is preloaded by the PAM tests; ASan need not come first for it.
export ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" --timeout 600
