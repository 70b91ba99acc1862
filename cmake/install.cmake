# `cmake --install build [--prefix DIR]` (README "Install"): the `semblend` command, libsemblend.so
# with its public headers, a CMake package (`find_package(semblend)` -> semblend::semblend) and a
# pkg-config file, and the run-time data (share/semblend: the face models, the shipped solver and
# appearance models, found by resources.h relative to the installed files, so the tree can move).
# Included from the top-level CMakeLists.txt after src/ and apps/.
include(CMakePackageConfigHelpers)

install(TARGETS semblend_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `semblend train` runs semblend_train from its own folder; both trainers exist only with libtorch.
foreach(_trainer semblend_train semblend_train_appearance)
  if(TARGET ${_trainer})
    install(TARGETS ${_trainer} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

set(_semblend_datadir "${CMAKE_INSTALL_DATADIR}/semblend")
# Exactly the files whose SHA-256 this build checks at load (the same lists the loaders use).
file(STRINGS "${PROJECT_SOURCE_DIR}/third_party/SHA256SUMS" _semblend_install_models
     REGEX "human-models/models/")
foreach(_line IN LISTS _semblend_install_models)
  if(_line MATCHES "^[0-9a-f]+  human-models/models/(.+)$")
    install(FILES "${SEMBLEND_MODEL_DIR}/${CMAKE_MATCH_1}" DESTINATION ${_semblend_datadir}/models)
  endif()
endforeach()
get_filename_component(_semblend_solver_dir "${SEMBLEND_SOLVER_MODEL_JSON}" DIRECTORY)
install(FILES "${SEMBLEND_SOLVER_MODEL_JSON}" "${_semblend_solver_dir}/solver.bin"
        DESTINATION ${_semblend_datadir}/solver)
file(STRINGS "${PROJECT_SOURCE_DIR}/data/appearance/appearance.sha256" _semblend_install_appearance
     REGEX "^[0-9a-f]+  [a-z_]+\\.(json|bin)$")
foreach(_line IN LISTS _semblend_install_appearance)
  if(_line MATCHES "^[0-9a-f]+  (.+)$")
    install(FILES "${SEMBLEND_APPEARANCE_DIR}/${CMAKE_MATCH_1}"
            DESTINATION ${_semblend_datadir}/appearance)
  endif()
endforeach()
# The third-party weights' licence (MIT), and the face-mesh topology's source package's terms.
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
