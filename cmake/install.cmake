# `cmake --install build [--prefix DIR]` (README "Install"): the `semblend` command, libsemblend.so
# with its public headers, a CMake package (`find_package(semblend)` -> semblend::semblend) and a
# pkg-config file, and the run-time data (share/semblend: the face models, the shipped solver and
# appearance models, found by resources.h relative to the installed files, so the tree can move).
# Included from the top-level CMakeLists.txt after src/ and apps/.
include(CMakePackageConfigHelpers)

# Installing never builds (`cmake --install` does not either): cpack's preinstall step would
# otherwise rebuild an out-of-date tree, relinking the binaries other tests are running.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Everything is the component `semblend` except the libtorch trainers (`trainers`), which the
# Debian package leaves out (libtorch is a development tool here, ~1 GB of dependencies).
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME semblend)
install(TARGETS semblend_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `semblend train` runs semblend_train from its own folder; both trainers exist only with libtorch.
foreach(_trainer semblend_train semblend_train_appearance)
  if(TARGET ${_trainer})
    install(TARGETS ${_trainer} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT trainers)
  endif()
endforeach()

set(_semblend_datadir "${CMAKE_INSTALL_DATADIR}/semblend")
# Exactly the files whose SHA-256 this build checks at load (the lists src/CMakeLists.txt read).
foreach(_line IN LISTS SEMBLEND_MODEL_SUM_LINES)
  if(_line MATCHES "^[0-9a-f]+  human-models/models/(.+)$")
    install(FILES "${SEMBLEND_MODEL_DIR}/${CMAKE_MATCH_1}" DESTINATION ${_semblend_datadir}/models)
  endif()
endforeach()
get_filename_component(_semblend_solver_dir "${SEMBLEND_SOLVER_MODEL_JSON}" DIRECTORY)
foreach(_line IN LISTS SEMBLEND_SOLVER_SUM_LINES)
  if(_line MATCHES "^[0-9a-f]+  (.+)$")
    install(FILES "${_semblend_solver_dir}/${CMAKE_MATCH_1}" DESTINATION ${_semblend_datadir}/solver)
  endif()
endforeach()
foreach(_line IN LISTS SEMBLEND_APPEARANCE_SUM_LINES)
  if(_line MATCHES "^[0-9a-f]+  (.+)$")
    install(FILES "${SEMBLEND_APPEARANCE_DIR}/${CMAKE_MATCH_1}"
            DESTINATION ${_semblend_datadir}/appearance)
  endif()
endforeach()
# The third-party weights' licence (MIT).
install(FILES "${PROJECT_SOURCE_DIR}/third_party/npm/human-models/LICENSE"
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME LICENSE.human-models)

if(TARGET semblend_shared)
  install(TARGETS semblend_shared EXPORT semblendTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/semblend"
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
  set(_semblend_cmakedir "${CMAKE_INSTALL_LIBDIR}/cmake/semblend")
  install(EXPORT semblendTargets NAMESPACE semblend:: DESTINATION ${_semblend_cmakedir})
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/semblendConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/cmake/semblendConfig.cmake" INSTALL_DESTINATION ${_semblend_cmakedir})
  # 0.x: a minor version may change the API.
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/cmake/semblendConfigVersion.cmake"
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES "${PROJECT_BINARY_DIR}/cmake/semblendConfig.cmake"
                "${PROJECT_BINARY_DIR}/cmake/semblendConfigVersion.cmake"
          DESTINATION ${_semblend_cmakedir})
  # The .pc file names its prefix relative to itself (pkg-config's pcfiledir): the tree can move.
  file(RELATIVE_PATH SEMBLEND_PC_TO_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig"
       "${CMAKE_INSTALL_PREFIX}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/semblend.pc.in"
                 "${PROJECT_BINARY_DIR}/cmake/semblend.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/cmake/semblend.pc"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# A Debian package of the `semblend` component: `cpack --config build/release/CPackConfig.cmake`
# writes semblend_<version>_<arch>.deb, installing under /usr. Its shared-library dependencies are
# found by dpkg-shlibdeps (Debian's dpkg-dev); the data packages the command needs at run time
# are listed by hand. Tested by tests/install/deb_test.sh.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME semblend)
set(CPACK_PACKAGE_VENDOR "semblend")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "faces and speech to the 52 ARKit blendshape coefficients, explained in words")
set(CPACK_PACKAGE_DESCRIPTION "The semblend command and library: images and video to MediaPipe's \
478 face landmarks (its BlazeFace, FaceMesh and Iris models on XNNPACK) and a solver for all 52 \
ARKit coefficients, head and eye pose with a semantic description; speech to lip sync \
(pocketsphinx, espeak-ng); Live Link Face CSV, JSON, glTF and VMC (OSC) output.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# One package from one component (build dir; project; component; subdirectory).
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};semblend;semblend;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "semblend developers <semblend@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "pocketsphinx-en-us, espeak-ng-data")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ffmpeg")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "festival, festvox-kallpc16k")
include(CPack)
