#!/usr/bin/env bash
# The browser side of the demo: builds the WebAssembly package (wasm-release) and the test hub,
# then serves the browser chat (examples/browser-chat) from the hub and prints its URL. Open it
# in two tabs, or chat with the terminal client (examples/chat). Ctrl-C stops the hub.
#
#   bash scripts/browser-demo.sh [PORT]        (default 5000; loopback only)
#
# Environment: SIGNALR_JOBS (default 2) build parallelism.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PRESET=wasm-release
readonly BUILD_DIR="$REPO_ROOT/build/$PRESET"
readonly PORT="${1:-5000}"
readonly JOBS="${SIGNALR_JOBS:-2}"

die() { printf 'browser-demo.sh: error: %s\n' "$*" >&2; exit 1; }
[[ "$PORT" =~ ^[0-9]+$ ]] || die "the port must be a number: $PORT"

cd "$REPO_ROOT"
bash scripts/setup.sh --wasm
cmake --preset "$PRESET" >/dev/null || die "cmake --preset $PRESET failed"
cmake --build --preset "$PRESET" --parallel "$JOBS" --target signalr_js_package signalr_test_hub ||
    die "the $PRESET build failed (see above)"

hub_dll="$BUILD_DIR/hub/TestHub.dll"
[[ -f "$hub_dll" ]] || die "the test hub was not built ($hub_dll)"

printf '\nChat: http://127.0.0.1:%s/chat/?name=alice  (and ?name=bob in another tab)\n' "$PORT"
printf 'Terminal client: build/native-release/examples/chat/signalr-chat http://127.0.0.1:%s/hub carol\n' "$PORT"
printf 'Package sizes:\n%s\n\nCtrl-C stops the hub.\n\n' "$(sed 's/^/  /' "$BUILD_DIR/bindings-js/package-size.txt")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet "$hub_dll" --urls "http://127.0.0.1:$PORT" \
    "--StaticDirs=/chat=$REPO_ROOT/examples/browser-chat;/signalr=$BUILD_DIR/bindings-js/package"
