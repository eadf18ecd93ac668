# Runs `clang-format --dry-run --Werror` over the C++ sources and lists the files it would change.
#   cmake -DROOT=<repository> -DCLANG_FORMAT=<clang-format 14> -P clang_format_check.cmake
# To fix: clang-format-14 -i <the files listed>.
set(wanted_major 14)
if(NOT CLANG_FORMAT OR NOT EXISTS "${CLANG_FORMAT}")
    message("clang_format_check: skipped: clang-format ${wanted_major} not found "
        "(bash scripts/setup.sh installs it)")
    return()
endif()
execute_process(COMMAND "${CLANG_FORMAT}" --version OUTPUT_VARIABLE version)
if(NOT version MATCHES "version ${wanted_major}\\.")
    string(STRIP "${version}" version)
    message("clang_format_check: skipped: ${CLANG_FORMAT} is '${version}', "
        "the style is checked with clang-format ${wanted_major}")
    return()
endif()

set(globs)
foreach(dir core transport-native transport-wasm bindings-js examples tests bench)
    foreach(ext hpp cpp h cc ipp inl)
        list(APPEND globs "${ROOT}/${dir}/*.${ext}")
    endforeach()
endforeach()
file(GLOB_RECURSE sources LIST_DIRECTORIES false RELATIVE "${ROOT}" ${globs})
# tests/hub is the C# test hub; the rest are generated or third-party files.
list(FILTER sources EXCLUDE REGEX "^tests/hub/|(^|/)(build|node_modules|bin|obj)/")
list(SORT sources)
list(LENGTH sources count)
if(count EQUAL 0)
    message(FATAL_ERROR "clang_format_check: no C++ sources found under ${ROOT}")
endif()

execute_process(COMMAND "${CLANG_FORMAT}" --style=file --dry-run --Werror ${sources}
    WORKING_DIRECTORY "${ROOT}"
    RESULT_VARIABLE status
    ERROR_VARIABLE diagnostics)

if(status EQUAL 0)
    message("clang_format_check: ${count} files are formatted")
    return()
endif()
message("${diagnostics}")
string(REGEX MATCHALL "[^\n]+:[0-9]+:[0-9]+: error: code should be clang-formatted" flagged
    "${diagnostics}")
set(files)
foreach(entry IN LISTS flagged)
    string(REGEX REPLACE ":[0-9]+:[0-9]+: error: .*" "" entry "${entry}")
    list(APPEND files "${entry}")
endforeach()
list(REMOVE_DUPLICATES files)
list(LENGTH files bad)
list(JOIN files "\n  " listing)
message(FATAL_ERROR "clang_format_check: ${bad} of ${count} files need clang-format "
    "(clang-format-${wanted_major} -i <file>):\n  ${listing}")
