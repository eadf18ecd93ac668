# What signalr-cpp needs under Emscripten, whichever way Emscripten was brought in: the
# wasm-debug/wasm-release presets (toolchains/emscripten.cmake) or a web project's own
# `emcmake cmake`. Included by the top-level CMakeLists.txt when EMSCRIPTEN is set.
#
# Provides fmt::fmt and simdjson::simdjson unless the project already has them (targets of the
# parent project, or packages installed into Emscripten's sysroot):
#   fmt       Debian's headers (libfmt-dev), header-only (FMT_HEADER_ONLY), no wasm library needed.
#   simdjson  singleheader/simdjson.cpp from Debian's source package, compiled with emcc: Debian
#             ships no wasm build. `bash scripts/setup.sh --wasm` fetches it into a cache folder.
#
# Cache variables to point elsewhere:
#   SIGNALR_FMT_INCLUDE_DIR        folder that holds fmt/format.h            (default /usr/include)
#   SIGNALR_SIMDJSON_SOURCE_DIR    folder that holds singleheader/simdjson.cpp (default: setup.sh's)

# Our own tests run under Node: Emscripten 3.1.6 output needs Node's fetch off to load its .wasm
# from a file. emcmake passes a bare `node` as the emulator; this applies to our targets only.
if(SIGNALR_TOP_LEVEL OR SIGNALR_BUILD_TESTS)
    set(CMAKE_CROSSCOMPILING_EMULATOR node --no-experimental-fetch)
endif()

if(NOT TARGET fmt::fmt)
    find_package(fmt QUIET)
endif()
if(NOT TARGET fmt::fmt)
    set(SIGNALR_FMT_INCLUDE_DIR "/usr/include" CACHE PATH "Folder holding fmt/format.h (header-only fmt for wasm)")
    if(NOT EXISTS "${SIGNALR_FMT_INCLUDE_DIR}/fmt/format.h")
        message(FATAL_ERROR "fmt headers not found in ${SIGNALR_FMT_INCLUDE_DIR}: install libfmt-dev "
            "(`bash scripts/setup.sh --wasm`) or set SIGNALR_FMT_INCLUDE_DIR")
    endif()
    # Never put /usr/include itself on emcc's include path: glibc's headers would shadow
    # Emscripten's libc. A folder holding only a link to fmt/ exposes fmt alone.
    set(_signalr_fmt_dir "${CMAKE_BINARY_DIR}/signalr-wasm-deps/fmt-include")
    file(MAKE_DIRECTORY "${_signalr_fmt_dir}")
    if(NOT EXISTS "${_signalr_fmt_dir}/fmt/format.h")
        file(CREATE_LINK "${SIGNALR_FMT_INCLUDE_DIR}/fmt" "${_signalr_fmt_dir}/fmt" SYMBOLIC)
    endif()
    add_library(signalr_wasm_fmt INTERFACE)
    target_include_directories(signalr_wasm_fmt SYSTEM INTERFACE "${_signalr_fmt_dir}")
    target_compile_definitions(signalr_wasm_fmt INTERFACE FMT_HEADER_ONLY=1)
    add_library(fmt::fmt ALIAS signalr_wasm_fmt)
    unset(_signalr_fmt_dir)
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
