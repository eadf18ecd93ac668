#!/usr/bin/env bash
# Installs what building and testing signalr-cpp needs on Debian 12. Idempotent: packages that
# are already installed are left alone, and `apt-get update` runs only when something is missing,
# so a second run takes well under a second.
#
#   bash scripts/setup.sh            native build and tests (what scripts/test.sh needs)
#   bash scripts/setup.sh --browser  also Chromium, Node and the browser tests' npm packages
#   bash scripts/setup.sh --wasm     also Emscripten and simdjson's source
#   bash scripts/setup.sh --bench    also the benchmarks' peers: valgrind, @microsoft/signalr
#                                    (npm ci in bench/node), the .NET client (NuGet restore)
#
# Changes nothing in the caller's environment and writes no profile files: scripts/test.sh sets
# the few variables it needs for itself.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages of the native build: toolchain, dependencies, tests and the lint tests.
readonly NATIVE_PACKAGES=(
    cmake ninja-build g++ pkg-config
    libwebsockets-dev libsimdjson-dev libfmt-dev libssl-dev
    googletest libgtest-dev libgmock-dev
    clang-format-14
)

log() { printf 'setup.sh: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# Prints the packages among "$@" that are not installed, one per line.
missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == installed ]] || printf '%s\n' "$pkg"
    done
}

# Installs the packages among "$@" that are missing; does nothing (not even `apt-get update`)
# when all are there.
apt_install() {
    local missing
    mapfile -t missing < <(missing_packages "$@")
    ((${#missing[@]} == 0)) && return 0

    log "installing ${missing[*]}"
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "must run as root (or with sudo available) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The test hub (tests/hub) is an ASP.NET Core app built with the .NET SDK. Debian has no .NET
# package, so the SDK must already be on the machine; check it early with a clear message rather
# than fail later inside the build.
check_dotnet() {
    local wanted
    # The SDK's major version must be at least the one the hub targets (net10.0 -> 10).
    wanted="$(sed -n 's|.*<TargetFramework>net\([0-9]*\)\..*|\1|p' "$REPO_ROOT"/tests/hub/*.csproj 2>/dev/null |
        head -n1 || true)"
    command -v dotnet >/dev/null ||
        die "the .NET SDK${wanted:+ $wanted} is required for the test hub (tests/hub), but 'dotnet' is not on PATH"

    [[ -n "$wanted" ]] || return 0
    local sdks
    sdks="$(DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet --list-sdks 2>/dev/null || true)"
    awk -v want="$wanted" '{ split($1, v, "."); if (v[1] + 0 >= want) found = 1 } END { exit !found }' \
        <<<"$sdks" ||
        die "the test hub targets net$wanted.0 but no .NET SDK >= $wanted is installed (found: ${sdks:-none})"
}

# --- Reserved steps --------------------------------------------------------------------------
# Later builds plug in here; each function is the single place its dependencies get installed.

# Browser tests (tests/browser): Debian's Chromium, driven by playwright-core, which `npm ci`
# installs from the lock file into tests/browser/node_modules (never `playwright install`: the
# browser is Debian's). npm runs again only when the lock file changed since the last install.
setup_browser() {
    apt_install chromium
    # Node may come from elsewhere (with its own npm); Debian's packages only when it is missing.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    local dir="$REPO_ROOT/tests/browser"
    local stamp="$dir/node_modules/.signalr-installed-lock.json"
    if ! cmp -s "$dir/package-lock.json" "$stamp"; then
        log "installing the browser tests' npm packages"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$dir/package-lock.json" "$stamp"
    fi
}

# The wasm build: Debian's emscripten package (3.1.6), the googletest sources (compiled with emcc for the tests) and simdjson's source from
# `apt-get source simdjson`: Debian ships no wasm build of simdjson, so CMake compiles
# singleheader/simdjson.cpp with emcc (toolchains/signalr_wasm.cmake). The source goes into a
# cache folder outside the repository, fetched once:
#   ${SIGNALR_WASM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/signalr-cpp/wasm}/simdjson
readonly WASM_PACKAGES=(emscripten nodejs dpkg-dev googletest)

as_root() {
    if ((EUID == 0)); then "$@"; else sudo "$@"; fi
}

wasm_cache_dir() {
    local home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
    printf '%s\n' "${SIGNALR_WASM_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/signalr-cpp/wasm}"
}

# `apt-get source` needs deb-src entries; Debian images often have none. Adds them for the same
# mirrors and suites as the binary entries, once.
enable_deb_src() {
    apt-cache showsrc simdjson 2>/dev/null | grep -q '^Package: simdjson' && return 0
    local deb822=/etc/apt/sources.list.d/debian.sources
    log "adding deb-src entries (for apt-get source simdjson)"
    if [[ -f "$deb822" ]]; then
        sed 's/^Types: deb$/Types: deb-src/' "$deb822" |
            as_root tee /etc/apt/sources.list.d/signalr-cpp-deb-src.sources >/dev/null
    elif [[ -f /etc/apt/sources.list ]]; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
            as_root tee /etc/apt/sources.list.d/signalr-cpp-deb-src.list >/dev/null
    else
        die "no apt sources found to derive deb-src entries from"
    fi
    # A full update: restricting it to the new file would drop the binary indexes.
    as_root apt-get update -q
}

fetch_simdjson_source() {
    local cache link
    cache="$(wasm_cache_dir)"
    link="$cache/simdjson"
    [[ -f "$link/singleheader/simdjson.cpp" ]] && return 0

    enable_deb_src
    mkdir -p "$cache"
    local tmp dir
    tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
    log "fetching simdjson's source into $cache"
    (cd "$tmp" && apt-get source -q simdjson >/dev/null) || { rm -rf "$tmp"; die "apt-get source simdjson failed"; }
    dir="$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'simdjson-*' | head -n1)"
    [[ -n "$dir" && -f "$dir/singleheader/simdjson.cpp" ]] ||
        { rm -rf "$tmp"; die "simdjson's source package has no singleheader/simdjson.cpp"; }
    rm -rf "${cache:?}/$(basename "$dir")"
    mv "$dir" "$cache/"
    ln -sfn "$(basename "$dir")" "$link"
    rm -rf "$tmp"
}

setup_wasm() {
    apt_install "${WASM_PACKAGES[@]}"
    fetch_simdjson_source
}

# The benchmarks (bench/README.md): callgrind for instruction counts, and the official clients
# they are compared with. npm and NuGet run only when their packages are missing.
setup_bench() {
    apt_install valgrind python3
    command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
    local node_dir="$REPO_ROOT/bench/node"
    local wanted installed=""
    wanted="$(sed -n 's/.*"@microsoft\/signalr": "\([^"]*\)".*/\1/p' "$node_dir/package.json")"
    [[ -f "$node_dir/node_modules/@microsoft/signalr/package.json" ]] &&
        installed="$(sed -n 's/^ *"version": "\([^"]*\)".*/\1/p' \
            "$node_dir/node_modules/@microsoft/signalr/package.json" | head -n1)"
    if [[ "$installed" != "$wanted" ]]; then
        log "--bench: npm ci in bench/node (@microsoft/signalr $wanted)"
        (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    if [[ ! -f "$REPO_ROOT/bench/dotnet/obj/project.assets.json" ]]; then
        log "--bench: restoring the .NET client peer (NuGet)"
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
            dotnet restore "$REPO_ROOT/bench/dotnet/BenchClient.csproj" --verbosity quiet
    fi
}

main() {
    local browser=0 wasm=0 bench=0 arg
    for arg in "$@"; do
        case "$arg" in
        --browser) browser=1 ;;
        --wasm) wasm=1 ;;
        --bench) bench=1 ;;
        -h | --help) usage; return 0 ;;
        *) usage >&2; die "unknown option: $arg" ;;
        esac
    done

    command -v dpkg-query >/dev/null || die "this script supports Debian-based systems (no dpkg-query found)"
    apt_install "${NATIVE_PACKAGES[@]}"
    check_dotnet
    ((browser)) && setup_browser
    ((wasm)) && setup_wasm
    ((bench)) && setup_bench
    log "ready"
}

main "$@"
