#!/usr/bin/env bash
# Builds signalr-cpp and runs its tests: the command CI runs (.ci/run) and the README's.
#
#   bash scripts/test.sh                      native-debug, native-asan (ASan + UBSan), wasm-debug
#   bash scripts/test.sh --quick              native-debug only
#   bash scripts/test.sh --preset NAME        only that preset (may be given more than once)
#   bash scripts/test.sh [...] -- ARGS        extra ctest arguments, e.g. -- -L unit
#
# For each preset: configure, build and run ctest, using the CMakePresets.json presets of the
# same name. Stops at the first failure with a non-zero exit. Ends with each preset's ctest
# summary line and, last, the total in ctest's format.
#
# Environment: SIGNALR_JOBS (default 2) build and ctest parallelism; SIGNALR_TEST_TIMEOUT
# (default 300) seconds per test, for tests that set no TIMEOUT of their own.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly JOBS="${SIGNALR_JOBS:-2}"
readonly TEST_TIMEOUT="${SIGNALR_TEST_TIMEOUT:-300}"

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 2; }
banner() { printf '\n==== test.sh: %s ====\n' "$*"; }

presets=()
quick=0
ctest_extra=()
while (($#)); do
    case "$1" in
    --quick) quick=1 ;;
    --preset)
        (($# >= 2)) || die "--preset needs a name"
        presets+=("$2")
        shift
        ;;
    --preset=*) presets+=("${1#--preset=}") ;;
    --)
        shift
        ctest_extra=("$@")
        break
        ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if ((${#presets[@]} == 0)); then
    if ((quick)); then presets=(native-debug); else presets=(native-debug native-asan wasm-debug); fi
fi

cd "$REPO_ROOT"
setup_args=(--browser --bench) # --bench: the peers of the `bench` ctest label
for preset in "${presets[@]}"; do
    if [[ "$preset" == wasm-* ]]; then setup_args+=(--wasm); break; fi # Emscripten, simdjson's source
done
bash scripts/setup.sh "${setup_args[@]}"

# The test hub is built and run with the .NET SDK: keep it quiet. dotnet also needs a home
# directory, which a bare CI environment may not set.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ -z "${HOME:-}" ]]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME="${HOME:-/tmp}"
fi

summary=() # one line per preset that ran
total=0
total_failed=0
failed_step=""

print_summary() {
    banner summary
    local line
    for line in "${summary[@]}"; do printf '%s\n' "$line"; done
    [[ -n "$failed_step" ]] && printf 'FAILED: %s\n' "$failed_step"
    if ((total > 0)); then
        # Same wording and rounding as ctest, so the last line reads as one ctest summary.
        local passed=$((total - total_failed)) percent
        percent=$(((passed * 100 + total / 2) / total))
        ((total_failed > 0 && percent == 100)) && percent=99
        printf '%d%% tests passed, %d tests failed out of %d\n' "$percent" "$total_failed" "$total"
    fi
}

# Runs one preset; returns non-zero (after recording which step failed) on the first failure.
run_preset() {
    local preset="$1" start log line status
    start=$SECONDS

    banner "$preset: configure"
    if ! cmake --preset "$preset"; then
        failed_step="$preset: configure"
        summary+=("$preset: configure failed")
        return 1
    fi

    banner "$preset: build"
    if ! cmake --build --preset "$preset" --parallel "$JOBS"; then
        failed_step="$preset: build"
        summary+=("$preset: build failed (configure+build $((SECONDS - start)) s)")
        return 1
    fi
    local built=$SECONDS

    banner "$preset: test"
    log="$(mktemp)"
    status=0
    ctest --preset "$preset" --output-on-failure --timeout "$TEST_TIMEOUT" --parallel "$JOBS" \
        ${ctest_extra[@]+"${ctest_extra[@]}"} 2>&1 | tee "$log" || status=$?
    line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1 || true)"
    local failures
    failures="$(sed -n '/^The following tests FAILED:/,/^[^[:space:]]/s/^[[:space:]]\+[0-9]\+ - /  failed: /p' "$log")"
    rm -f "$log"

    if [[ "$line" =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
        total_failed=$((total_failed + BASH_REMATCH[1]))
        total=$((total + BASH_REMATCH[2]))
    fi
    summary+=("$preset: ${line:-no ctest summary (ctest exit $status)} (configure+build $((built - start)) s, tests $((SECONDS - built)) s)")
    [[ -z "$failures" ]] || summary+=("$failures")
    if ((status != 0)); then
        failed_step="$preset: test"
        return 1
    fi
}

for preset in "${presets[@]}"; do
    if ! run_preset "$preset"; then
        print_summary
        exit 1
    fi
done
print_summary
