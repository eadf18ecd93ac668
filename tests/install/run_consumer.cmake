# Builds and runs a consumer project of signalr-cpp (see CMakeLists.txt here).
#   cmake -DMODE=install|subdirectory -DSOURCE_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=...
#         [-DLIBRARY_BUILD_DIR=...] -DGENERATOR=... -DMAKE_PROGRAM=... -DCXX_COMPILER=...
#         -DBUILD_TYPE=... -DCXX_FLAGS=... -DEXE_LINKER_FLAGS=... -DJOBS=2 -P run_consumer.cmake
cmake_minimum_required(VERSION 3.22)

foreach(var MODE SOURCE_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER JOBS)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
    endif()
endforeach()

function(run)
    execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT COMMAND_ERROR_IS_FATAL ANY)
endfunction()

set(consumer_build "${WORK_DIR}/build")
set(configure_args
    -S "${CONSUMER_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

if(MODE STREQUAL "install")
    set(stage "${WORK_DIR}/stage")
    set(prefix "${WORK_DIR}/prefix")
    # Start clean: files left by an earlier run must not hide one that is no longer installed.
    file(REMOVE_RECURSE "${stage}" "${prefix}" "${consumer_build}")

    set(install_config)
    if(BUILD_TYPE)
        set(install_config --config "${BUILD_TYPE}")
    endif()
    run("${CMAKE_COMMAND}" --install "${LIBRARY_BUILD_DIR}" --prefix "${stage}" ${install_config})

    # The package must not point back into the source or build tree.
    file(GLOB_RECURSE package_files "${stage}/*.cmake")
    if(NOT package_files)
        message(FATAL_ERROR "the install put no CMake package files under ${stage}")
    endif()
    foreach(file IN LISTS package_files)
        file(READ "${file}" text)
        foreach(tree "${SOURCE_DIR}" "${LIBRARY_BUILD_DIR}")
            string(FIND "${text}" "${tree}/" at)
            if(NOT at EQUAL -1)
                message(FATAL_ERROR "${file} names a path in ${tree}: the package is not relocatable")
            endif()
        endforeach()
    endforeach()
    file(GLOB_RECURSE installed_sources "${stage}/*.cpp")
    if(installed_sources)
        message(FATAL_ERROR "installed source files: ${installed_sources}")
    endif()

    # Move the whole prefix: a package that only works where it was installed fails here.
    file(RENAME "${stage}" "${prefix}")
    run("${CMAKE_COMMAND}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}")

    file(STRINGS "${consumer_build}/CMakeCache.txt" found REGEX "^signalr_DIR:")
    string(REGEX REPLACE "^[^=]*=" "" found "${found}")
    string(FIND "${found}" "${prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "the consumer found signalr in '${found}', not under ${prefix}")
    endif()
elseif(MODE STREQUAL "subdirectory")
    # The build folder is kept between runs: a rerun only rebuilds what changed.
    run("${CMAKE_COMMAND}" ${configure_args} "-DSIGNALR_SOURCE_DIR=${SOURCE_DIR}")
else()
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

run("${CMAKE_COMMAND}" --build "${consumer_build}" --parallel "${JOBS}")

execute_process(COMMAND "${consumer_build}/consumer"
    OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE status)
message("${output}")
if(NOT status EQUAL 0 OR NOT output MATCHES "signalr consumer: state Disconnected")
    message(FATAL_ERROR "the consumer failed (exit ${status})")
endif()
message("${MODE} consumer: OK")
