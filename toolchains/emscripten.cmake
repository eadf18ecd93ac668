# Toolchain file of the wasm-debug and wasm-release presets: Debian's Emscripten (3.1.6) plus the
# two settings it lacks on this system. Web projects that run their own `emcmake cmake` get the
# same settings from signalr_wasm.cmake instead (see README.md in this folder).
#
#   cmake --preset wasm-debug        (or: cmake -DCMAKE_TOOLCHAIN_FILE=toolchains/emscripten.cmake)

# Where Debian installs Emscripten; the EMSCRIPTEN_ROOT environment variable points elsewhere
# (an emsdk checkout, for instance).
if(DEFINED ENV{EMSCRIPTEN_ROOT})
    set(SIGNALR_EMSCRIPTEN_ROOT "$ENV{EMSCRIPTEN_ROOT}")
else()
    set(SIGNALR_EMSCRIPTEN_ROOT "/usr/share/emscripten")
endif()
if(NOT EXISTS "${SIGNALR_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")
    message(FATAL_ERROR "Emscripten was not found in ${SIGNALR_EMSCRIPTEN_ROOT}: run "
        "`bash scripts/setup.sh --wasm` (or set EMSCRIPTEN_ROOT)")
endif()

# Emscripten 3.1.6 output, run by Node 20, loads its .wasm through fetch(), which Node's fetch
# cannot do for a file path. Set before Emscripten.cmake, which only sets it when undefined.
set(CMAKE_CROSSCOMPILING_EMULATOR "node;--no-experimental-fetch"
    CACHE STRING "Runs the wasm tests under Node")

include("${SIGNALR_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")

# Debian's emcc runs its JavaScript optimizer with Node, which must find the acorn package that
# Debian installs under /usr/share/nodejs. Configure-time checks inherit this environment; build
# steps get it through the link launcher, so a bare `ninja` in the build folder works too.
if(EXISTS "/usr/share/nodejs" AND NOT DEFINED ENV{NODE_PATH})
    set(ENV{NODE_PATH} "/usr/share/nodejs")
endif()
if(DEFINED ENV{NODE_PATH} AND NOT DEFINED CMAKE_CXX_LINKER_LAUNCHER)
    set(CMAKE_CXX_LINKER_LAUNCHER "env;NODE_PATH=$ENV{NODE_PATH}")
    set(CMAKE_C_LINKER_LAUNCHER "env;NODE_PATH=$ENV{NODE_PATH}")
endif()
