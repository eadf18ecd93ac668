# Install rules and the CMake package, so applications can write
#
#   find_package(signalr 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE signalr::client)
#
# signalr::client is the core plus this platform's transport; signalr::core and
# signalr::transport_native (signalr::transport_wasm under Emscripten) are there for those who
# bring their own transport. Included by the top-level CMakeLists.txt when SIGNALR_INSTALL is ON;
# tests/install checks the result with a consumer project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SIGNALR_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/signalr"
    CACHE STRING "Where signalrConfig.cmake is installed, relative to the prefix")
mark_as_advanced(SIGNALR_INSTALL_CMAKEDIR)

set(_signalr_installed_targets signalr_core ${SIGNALR_TRANSPORT_TARGET} signalr_client)

install(TARGETS ${_signalr_installed_targets}
    EXPORT signalrTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT signalr_development
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT signalr_runtime
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT signalr_runtime
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# Public headers: each installed library's include/ folder (core/src holds internal headers that
# stay private).
foreach(_signalr_target IN LISTS _signalr_installed_targets)
    get_target_property(_signalr_dir ${_signalr_target} SOURCE_DIR)
    if(NOT _signalr_target STREQUAL "signalr_client" AND IS_DIRECTORY "${_signalr_dir}/include")
        install(DIRECTORY "${_signalr_dir}/include/"
            DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
            COMPONENT signalr_development
            FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
    endif()
endforeach()

install(EXPORT signalrTargets
    NAMESPACE signalr::
    FILE signalrTargets.cmake
    DESTINATION "${SIGNALR_INSTALL_CMAKEDIR}"
    COMPONENT signalr_development)

# The config file finds what the exported targets link: simdjson (private to the
# static core, still needed at link time) and, natively, Threads, OpenSSL and libwebsockets (see
# transport-native/CMakeLists.txt; keep the two in step).
if(EMSCRIPTEN)
    set(SIGNALR_CONFIG_NATIVE OFF)
else()
    set(SIGNALR_CONFIG_NATIVE ON)
endif()
configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/signalrConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/signalrConfig.cmake"
    INSTALL_DESTINATION "${SIGNALR_INSTALL_CMAKEDIR}"
    NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/signalrConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMajorVersion)
install(FILES
        "${PROJECT_BINARY_DIR}/signalrConfig.cmake"
        "${PROJECT_BINARY_DIR}/signalrConfigVersion.cmake"
    DESTINATION "${SIGNALR_INSTALL_CMAKEDIR}"
    COMPONENT signalr_development)

unset(_signalr_installed_targets)
unset(_signalr_target)
unset(_signalr_dir)
