#!/usr/bin/env bash
# Shows signalr-cpp at work: builds the release CLI, the chat example and the bundled ASP.NET Core
# test hub, starts the hub on a free loopback port, then runs a few signalr-cli commands and lets
# two signalr-chat instances talk. Stops the hub on exit. Safe to run again.
#
#   bash scripts/demo.sh
#
# Environment: SIGNALR_JOBS (default 2) build parallelism.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PRESET=native-release
readonly BUILD_DIR="$REPO_ROOT/build/$PRESET"
readonly JOBS="${SIGNALR_JOBS:-2}"
readonly HUB_START_SECONDS=60
readonly CHAT_SECONDS=20

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Bold and dim only on a terminal, so a saved log stays plain text.
if [[ -t 1 ]]; then bold=$'\033[1m' dim=$'\033[2m' plain=$'\033[0m'; else bold="" dim="" plain=""; fi

banner() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
die() { printf 'demo.sh: error: %s\n' "$*" >&2; exit 1; }

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/signalr-demo.XXXXXX")"
hub_pid=""
chat_pids=()

# Stops whatever this script started: SIGTERM, then SIGKILL for anything still there after 10 s.
cleanup() {
    local pids=("${chat_pids[@]}" $hub_pid) pid deadline=$((SECONDS + 10))
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work_dir"
}
trap cleanup EXIT
# Turn Ctrl-C and kill into an exit, so the cleanup runs for them too.
trap 'exit 130' INT
trap 'exit 143' TERM

# Succeeds as soon as `$@` does; fails once `seconds` have passed. Every wait in this script goes
# through here, so a broken build or hub ends the demo with a message instead of hanging it.
wait_until() {
    local seconds="$1"
    shift
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

file_has() { grep -qF -- "$2" "$1" 2>/dev/null; }

# ---- build ------------------------------------------------------------------------------------

cd "$REPO_ROOT"
if [[ -f scripts/setup.sh ]]; then
    banner "Installing what the build needs (scripts/setup.sh)"
    bash scripts/setup.sh
fi

banner "Building signalr-cli, signalr-chat and the test hub ($PRESET)"
cmake --preset "$PRESET" >/dev/null || die "cmake --preset $PRESET failed"
cmake --build --preset "$PRESET" --parallel "$JOBS" \
    --target signalr-cli signalr-chat signalr_test_hub || die "the $PRESET build failed (see above)"

cli="$BUILD_DIR/examples/cli/signalr-cli"
chat="$BUILD_DIR/examples/chat/signalr-chat"
hub_dll="$BUILD_DIR/hub/TestHub.dll"
if [[ ! -f "$hub_dll" ]]; then
    hub_dll="$(find "$BUILD_DIR" -name TestHub.dll -path '*bin*' -print -quit 2>/dev/null || true)"
fi
[[ -x "$cli" ]] || die "signalr-cli was not built ($cli)"
[[ -x "$chat" ]] || die "signalr-chat was not built ($chat)"
[[ -n "$hub_dll" && -f "$hub_dll" ]] || die "the test hub was not built (no TestHub.dll under $BUILD_DIR)"

# ---- hub --------------------------------------------------------------------------------------

banner "Starting the test hub"
# Port 0: Kestrel picks a free port and logs it, so two demos never race for one.
dotnet "$hub_dll" --urls "http://127.0.0.1:0" >"$work_dir/hub.log" 2>&1 &
hub_pid=$!

hub_listening() {
    kill -0 "$hub_pid" 2>/dev/null || die "the hub exited: $(cat "$work_dir/hub.log")"
    grep -qE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$work_dir/hub.log"
}
wait_until "$HUB_START_SECONDS" hub_listening ||
    die "the hub did not start within $HUB_START_SECONDS s: $(cat "$work_dir/hub.log")"
port="$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$work_dir/hub.log" | head -n1 |
    grep -oE '[0-9]+$')"

# Listening is logged just before requests are served: wait until a TCP connect succeeds.
hub_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
wait_until 10 hub_answers || die "the hub does not accept connections on port $port"

url="http://127.0.0.1:$port/hub"
printf 'hub: %s (pid %s)\nsignalr-cli: %s\nsignalr-chat: %s\n' "$url" "$hub_pid" "$cli" "$chat"

# ---- signalr-cli ------------------------------------------------------------------------------

# Prints a command as you would type it (program name without its build path), then runs it.
run() {
    local shown arg
    shown="$(basename "$1")"
    for arg in "${@:2}"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./:,=-]+$ ]]; then shown+=" $arg"; else shown+=" '$arg'"; fi
    done
    printf '%s$%s %s\n' "$dim" "$plain" "$shown"
    "$@"
}

banner "signalr-cli: call hub methods, print results as JSON"
run "$cli" invoke "$url" Add 1 2
run "$cli" invoke "$url" Echo '{"greeting":"héllo","numbers":[1,2,9007199254740993]}'
run "$cli" invoke "$url" Void

banner "signalr-cli: a server-to-client stream, one item per line"
run "$cli" stream "$url" Counter 5 100

banner "signalr-cli: listen for calls from the server (and trigger one)"
run "$cli" listen "$url" Broadcast --count 1 --then-invoke BroadcastAll '"hi from the CLI"'

banner "signalr-cli: a hub error (exit status 1, message on stderr)"
status=0
# stderr joins stdout here so the message shows in order even when the demo's output is piped.
run "$cli" invoke "$url" Throw '"something broke"' 2>&1 || status=$?
printf 'exit status: %s\n' "$status"

# ---- signalr-chat -----------------------------------------------------------------------------

banner "signalr-chat: alice and bob talk through the hub"
# Each chat reads a fifo; this script writes their lines, as someone typing would.
for name in alice bob; do
    mkfifo "$work_dir/$name.in"
    "$chat" "$url" "$name" <"$work_dir/$name.in" >"$work_dir/$name.out" 2>"$work_dir/$name.err" &
    chat_pids+=($!)
done
exec 3>"$work_dir/alice.in" 4>"$work_dir/bob.in"

for name in alice bob; do
    wait_until "$CHAT_SECONDS" file_has "$work_dir/$name.err" "connected as $name" ||
        die "$name did not connect: $(cat "$work_dir/$name.err")"
done

echo "hello bob, this is alice" >&3
wait_until "$CHAT_SECONDS" file_has "$work_dir/bob.out" "alice: hello bob" ||
    die "bob did not hear alice"
echo "hi alice! bob here" >&4
wait_until "$CHAT_SECONDS" file_has "$work_dir/alice.out" "bob: hi alice" ||
    die "alice did not hear bob"
echo /quit >&3
echo /quit >&4
exec 3>&- 4>&-

chats_done() { ! kill -0 "${chat_pids[0]}" 2>/dev/null && ! kill -0 "${chat_pids[1]}" 2>/dev/null; }
wait_until "$CHAT_SECONDS" chats_done || die "the chats did not exit after /quit"

print_chat() {
    local name="$1" said="$2"
    printf '%s[%s]%s\n' "$bold" "$name" "$plain"
    printf '  typed: %s\n' "$said"
    sed 's/^/  saw:   /' "$work_dir/$name.out"
}
print_chat alice "hello bob, this is alice"
print_chat bob "hi alice! bob here"

banner "Done; stopping the hub"
