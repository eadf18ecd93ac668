# What signalr-cpp needs under Emscripten, whichever way Emscripten was brought in: the
# wasm-debug/wasm-release presets (toolchains/emscripten.cmake) or a web project's own
# `emcmake cmake`. Included by the top-level CMakeLists.txt when EMSCRIPTEN is set.
#
# Provides simdjson::simdjson unless the project already has it (a target of the parent project,
# or a package installed into Emscripten's sysroot):
#   simdjson  singleheader/simdjson.cpp from Debian's source package, compiled with emcc: Debian
#             ships no wasm build. `bash scripts/setup.sh --wasm` fetches it into a cache folder.
#
# Cache variables to point elsewhere:
#   SIGNALR_SIMDJSON_SOURCE_DIR    folder that holds singleheader/simdjson.cpp (default: setup.sh's)

# Our own tests run under Node: Emscripten 3.1.6 output needs Node's fetch off to load its .wasm
# from a file. emcmake passes a bare `node` as the emulator; this applies to our targets only.
if(SIGNALR_TOP_LEVEL OR SIGNALR_BUILD_TESTS)
    set(CMAKE_CROSSCOMPILING_EMULATOR node --no-experimental-fetch)
endif()

if(NOT TARGET simdjson::simdjson)
    find_package(simdjson QUIET)
endif()
if(NOT TARGET simdjson::simdjson)
    # The same folder scripts/setup.sh --wasm fills.
    if(DEFINED ENV{SIGNALR_WASM_CACHE})
        set(_signalr_cache "$ENV{SIGNALR_WASM_CACHE}")
    elseif(DEFINED ENV{XDG_CACHE_HOME})
        set(_signalr_cache "$ENV{XDG_CACHE_HOME}/signalr-cpp/wasm")
    else()
        set(_signalr_cache "$ENV{HOME}/.cache/signalr-cpp/wasm")
    endif()
    set(SIGNALR_SIMDJSON_SOURCE_DIR "${_signalr_cache}/simdjson"
        CACHE PATH "simdjson's source (from `apt-get source simdjson`), compiled with emcc")
    unset(_signalr_cache)
    set(_signalr_simdjson_cpp "${SIGNALR_SIMDJSON_SOURCE_DIR}/singleheader/simdjson.cpp")
    if(NOT EXISTS "${_signalr_simdjson_cpp}")
        message(FATAL_ERROR "${_signalr_simdjson_cpp} not found: run `bash scripts/setup.sh --wasm` "
            "(it fetches Debian's simdjson source) or set SIGNALR_SIMDJSON_SOURCE_DIR")
    endif()
    add_library(signalr_wasm_simdjson STATIC "${_signalr_simdjson_cpp}")
    target_include_directories(signalr_wasm_simdjson SYSTEM PUBLIC
        "${SIGNALR_SIMDJSON_SOURCE_DIR}/singleheader")
    # Not our code: no warnings, and always optimized (a debug build of the parser is 10x slower
    # and the core's tests parse a lot).
    target_compile_options(signalr_wasm_simdjson PRIVATE -w -O2)
    add_library(simdjson::simdjson ALIAS signalr_wasm_simdjson)
    unset(_signalr_simdjson_cpp)
endif()
