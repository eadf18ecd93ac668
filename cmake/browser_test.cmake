# signalr_add_browser_test(): a ctest entry (label `browser`) that opens one test page in Debian's
# headless Chromium, against a fresh test hub, through tests/browser/run.mjs.
#
#   include(${PROJECT_SOURCE_DIR}/cmake/browser_test.cmake)
#   signalr_add_browser_test(NAME browser_selftest PAGE /browser-tests/selftest.html
#       [SERVE /prefix=dir ...] [TIMEOUT seconds] [DEPENDS target ...] [LABELS extra ...])
#
# PAGE is a path on the hub: tests/browser/www is served at /browser-tests, and each SERVE entry
# maps a URL prefix to a directory (e.g. a build output with the .wasm). The test hub
# (signalr_test_hub) must be part of the build. Needs node, /usr/bin/chromium (SIGNALR_CHROMIUM)
# and tests/browser/node_modules: `bash scripts/setup.sh --browser` installs them. Without them
# the tests are left out with one message at configure time (SIGNALR_BROWSER_TESTS=ON makes that
# an error instead).
include_guard(GLOBAL)

set(SIGNALR_BROWSER_TESTS "AUTO" CACHE STRING
    "Browser tests in headless Chromium: AUTO (when their tools are installed), ON, OFF")
find_program(SIGNALR_NODE_EXECUTABLE NAMES node nodejs DOC "Node.js, for the browser test runner")
set(SIGNALR_CHROMIUM "/usr/bin/chromium" CACHE FILEPATH "The Chromium the browser tests drive")
# Cached: with include_guard(GLOBAL), a directory variable would exist only in the first
# directory that includes this file.
set(_signalr_runner "${CMAKE_CURRENT_LIST_DIR}/../tests/browser/run.mjs")
cmake_path(NORMAL_PATH _signalr_runner)
set(SIGNALR_BROWSER_RUNNER "${_signalr_runner}" CACHE INTERNAL "tests/browser/run.mjs")
unset(_signalr_runner)

function(_signalr_browser_tests_enabled out)
    set(missing "")
    if(NOT SIGNALR_NODE_EXECUTABLE)
        list(APPEND missing "node")
    endif()
    if(NOT EXISTS "${SIGNALR_CHROMIUM}")
        list(APPEND missing "${SIGNALR_CHROMIUM}")
    endif()
    cmake_path(GET SIGNALR_BROWSER_RUNNER PARENT_PATH runner_dir)
    foreach(package playwright-core typescript)
        if(NOT EXISTS "${runner_dir}/node_modules/${package}/package.json")
            list(APPEND missing "${package} in ${runner_dir}/node_modules")
        endif()
    endforeach()
    if(NOT TARGET signalr_test_hub)
        list(APPEND missing "the test hub (tests/hub)")
    endif()

    if(SIGNALR_BROWSER_TESTS STREQUAL "OFF")
        set(${out} OFF PARENT_SCOPE)
    elseif(missing STREQUAL "")
        set(${out} ON PARENT_SCOPE)
    elseif(SIGNALR_BROWSER_TESTS STREQUAL "ON")
        message(FATAL_ERROR "browser tests: missing ${missing}; run `bash scripts/setup.sh --browser`")
    else()
        get_property(told GLOBAL PROPERTY _signalr_browser_tests_told)
        if(NOT told)
            message(STATUS "Browser tests left out: missing ${missing} (bash scripts/setup.sh --browser)")
            set_property(GLOBAL PROPERTY _signalr_browser_tests_told ON)
        endif()
        set(${out} OFF PARENT_SCOPE)
    endif()
endfunction()

function(signalr_add_browser_test)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;PAGE;TIMEOUT" "SERVE;DEPENDS;LABELS")
    if(NOT arg_NAME OR NOT arg_PAGE)
        message(FATAL_ERROR "signalr_add_browser_test: NAME and PAGE are required")
    endif()
    _signalr_browser_tests_enabled(enabled)
    if(NOT enabled)
        return()
    endif()
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 180)
    endif()
    set(serve "")
    foreach(entry IN LISTS arg_SERVE)
        list(APPEND serve --serve "${entry}")
    endforeach()
    # The runner's own deadline comes first, so a hung page still prints what it saw.
    math(EXPR page_timeout "${arg_TIMEOUT} - 15")
    add_test(NAME ${arg_NAME}
        COMMAND "${SIGNALR_NODE_EXECUTABLE}" "${SIGNALR_BROWSER_RUNNER}"
            --hub-dll "$<TARGET_PROPERTY:signalr_test_hub,SIGNALR_TEST_HUB_DLL>"
            --page "${arg_PAGE}" --timeout ${page_timeout} ${serve})
    set_tests_properties(${arg_NAME} PROPERTIES
        LABELS "browser;${arg_LABELS}"
        TIMEOUT ${arg_TIMEOUT}
        ENVIRONMENT "SIGNALR_CHROMIUM=${SIGNALR_CHROMIUM};SIGNALR_DOTNET=${SIGNALR_DOTNET_EXECUTABLE}")
endfunction()
