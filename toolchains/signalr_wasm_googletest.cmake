# GoogleTest for the wasm tests: Debian's googletest package ships its sources in
# /usr/src/googletest; compile them with emcc into GTest::gtest, GTest::gmock and
# GTest::gtest_main, the names find_package(GTest) gives natively.
set(SIGNALR_GOOGLETEST_SOURCE_DIR "/usr/src/googletest"
    CACHE PATH "GoogleTest's sources, compiled with emcc for the wasm tests")
if(NOT EXISTS "${SIGNALR_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt")
    message(FATAL_ERROR "GoogleTest sources not found in ${SIGNALR_GOOGLETEST_SOURCE_DIR}: install "
        "googletest (`bash scripts/setup.sh`) or set SIGNALR_GOOGLETEST_SOURCE_DIR")
endif()
# The browser has no threads here (no -pthread build), and nothing installs from this build.
set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
add_subdirectory("${SIGNALR_GOOGLETEST_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
foreach(_signalr_gtest gtest gmock gtest_main gmock_main)
    if(NOT TARGET GTest::${_signalr_gtest})
        add_library(GTest::${_signalr_gtest} ALIAS ${_signalr_gtest})
    endif()
endforeach()
unset(_signalr_gtest)

# signalr_wasm_add_gtest(<target> <source>...)
#
# Registers a wasm gtest binary with ctest: one test per test suite found in the sources, plus
# `<target>.others` for any test the scan missed (so none is lost). gtest_discover_tests would
# start Node once per test case, and each start compiles the whole (debug) module again: about
# a second each, minutes for the core's suite, against seconds per suite.
function(signalr_wasm_add_gtest target)
    set(_suites "")
    foreach(_source IN LISTS ARGN)
        file(STRINGS "${_source}" _lines REGEX "^ *(TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\\(")
        foreach(_line IN LISTS _lines)
            if(_line MATCHES "^ *[A-Z_]+\\(([A-Za-z0-9_]+),")
                list(APPEND _suites "${CMAKE_MATCH_1}")
            endif()
        endforeach()
    endforeach()
    list(REMOVE_DUPLICATES _suites)
    set(_covered "")
    foreach(_suite IN LISTS _suites)
        # Parameterised suites run as <Instantiation>/<Suite>.<case>/<param>.
        set(_filter "${_suite}.*:*/${_suite}.*")
        add_test(NAME ${target}.${_suite} COMMAND ${target} --gtest_filter=${_filter})
        set_tests_properties(${target}.${_suite} PROPERTIES LABELS unit)
        string(APPEND _covered ":${_filter}")
    endforeach()
    string(SUBSTRING "${_covered}" 1 -1 _covered)
    add_test(NAME ${target}.others COMMAND ${target} "--gtest_filter=-${_covered}")
    set_tests_properties(${target}.others PROPERTIES LABELS unit)
endfunction()
