#!/usr/bin/env bash
# The benchmarks in one command (bench/README.md): installs what is missing, builds our client's
# bench binaries in Release, the browser package and the W1 size app in the wasm-release preset,
# and the bench hub; starts the hub, runs every peer (the browser one in headless Chromium) and
# prints one table; the same table goes to bench/results/<mode>-latest.json.
#
#   bash bench/run.sh                 full mode (about 5-10 minutes on 2 cores)
#   bash bench/run.sh --short         small counts, under 3 minutes: proves the harness
#   bash bench/run.sh [...] -- ARGS   extra driver arguments, e.g. -- --peers ours,floor --reps 7
#
# Environment: SIGNALR_BENCH_BUILD_DIR (default build/bench-release), SIGNALR_BENCH_WASM_PRESET
# (default wasm-release, optimised for size; wasm-release-speed for the -O2 build),
# SIGNALR_BENCH_WASM_BUILD_DIR (default build/bench-<that preset>), SIGNALR_JOBS (default 2).
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BUILD_DIR="${SIGNALR_BENCH_BUILD_DIR:-$REPO_ROOT/build/bench-release}"
readonly WASM_PRESET="${SIGNALR_BENCH_WASM_PRESET:-wasm-release}"
readonly WASM_BUILD_DIR="${SIGNALR_BENCH_WASM_BUILD_DIR:-$REPO_ROOT/build/bench-$WASM_PRESET}"
readonly JOBS="${SIGNALR_JOBS:-2}"

driver_args=()
while (($#)); do
    case "$1" in
    --short) driver_args+=(--short) ;;
    --) shift; driver_args+=("$@"); break ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'run.sh: unknown option: %s\n' "$1" >&2; exit 2 ;;
    esac
    shift
done

cd "$REPO_ROOT"
bash scripts/setup.sh --bench --browser --wasm
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ -z "${HOME:-}" ]]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME="${HOME:-/tmp}"
fi

cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSIGNALR_BUILD_TESTS=OFF -DSIGNALR_BUILD_EXAMPLES=OFF -DSIGNALR_INSTALL=OFF \
    -DSIGNALR_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --parallel "$JOBS" --target signalr_bench bench_lws_echo_floor signalr_bench_hub
# W1 and W2 measure the optimised browser build: the wasm-release preset's flags (or the preset
# SIGNALR_BENCH_WASM_PRESET names), in a tree of our own.
cmake --preset "$WASM_PRESET" -B "$WASM_BUILD_DIR" -DSIGNALR_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$WASM_BUILD_DIR" --parallel "$JOBS" --target signalr_js_package signalr_wasm_size_app

# Thousands of connections (E7) need descriptors in the peers and in the hub.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec python3 "$REPO_ROOT/bench/driver.py" \
    --bench "$BUILD_DIR/bench/native/signalr-bench" \
    --floor "$BUILD_DIR/bench/native/lws-echo-floor" \
    --hub "$BUILD_DIR/bench-hub/BenchHub.dll" \
    --wasm-package "$WASM_BUILD_DIR/bindings-js/package" \
    --wasm-size-app "$WASM_BUILD_DIR/tests/transport-wasm/signalr_wasm_size_app.js" \
    ${driver_args[@]+"${driver_args[@]}"}
