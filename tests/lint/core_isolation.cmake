# Fails if a C++ file under core/ includes a platform header: the core is ISO C++20 plus the
# standard library, simdjson and fmt, and is built for the browser too. Threads, locks and OS
# headers belong to transport-native/ and transport-wasm/.
#   cmake -DROOT=<repository> -P core_isolation.cmake
if(NOT IS_DIRECTORY "${ROOT}/core")
    message(FATAL_ERROR "core_isolation: no core/ under ROOT='${ROOT}'")
endif()

set(include_line "^[ \t]*#[ \t]*include[ \t]*[<\"]")
set(banned
    "(libwebsockets|emscripten)(\\.h|/)"
    "(thread|mutex|shared_mutex|condition_variable)[>\"]"
    "sys/"
    "(pthread|unistd)\\.h")
list(JOIN banned "|" banned)

file(GLOB_RECURSE sources LIST_DIRECTORIES false RELATIVE "${ROOT}"
    "${ROOT}/core/*.hpp" "${ROOT}/core/*.cpp" "${ROOT}/core/*.h" "${ROOT}/core/*.cc"
    "${ROOT}/core/*.ipp" "${ROOT}/core/*.inl")
list(SORT sources)

set(offenders 0)
foreach(file IN LISTS sources)
    file(STRINGS "${ROOT}/${file}" lines REGEX "${include_line}(${banned})")
    foreach(line IN LISTS lines)
        string(STRIP "${line}" line)
        message("${file}: ${line}")
        math(EXPR offenders "${offenders} + 1")
    endforeach()
endforeach()

list(LENGTH sources count)
if(offenders GREATER 0)
    message(FATAL_ERROR "core_isolation: ${offenders} platform include(s) in core/ (listed above); "
        "move that code to a transport or behind the Executor/Transport interfaces")
endif()
message("core_isolation: ${count} files under core/ include no platform headers")
