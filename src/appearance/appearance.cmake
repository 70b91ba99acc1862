# The appearance branch (appearance.h, docs/appearance.md): aligned crops, two small CNNs run on
# the engine, fusion with the geometry solver; its training renders; its trainer.
# Included from src/CMakeLists.txt (paths relative to src/), after solver/solver.cmake.

# The shipped models (data/appearance/: eye, lower_face, fusion.json) are read at run time; the
# SHA-256 of the five files is compiled in from appearance.sha256 and checked at load.
set(SEMBLEND_APPEARANCE_DIR "${PROJECT_SOURCE_DIR}/data/appearance" CACHE PATH
    "The appearance branch's models (written by semblend_train_appearance)")
set(_semblend_appearance_sums "")
if(EXISTS "${PROJECT_SOURCE_DIR}/data/appearance/appearance.sha256")
  file(STRINGS "${PROJECT_SOURCE_DIR}/data/appearance/appearance.sha256" _semblend_appearance_sums
       REGEX "^[0-9a-f]+  [a-z_]+\\.(json|bin)$")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/data/appearance/appearance.sha256")
set(SEMBLEND_APPEARANCE_SUM_ENTRIES "")
foreach(_line IN LISTS _semblend_appearance_sums)
  if(_line MATCHES "^([0-9a-f]+)  (.+)$")
    string(APPEND SEMBLEND_APPEARANCE_SUM_ENTRIES
           "      {\"${CMAKE_MATCH_2}\", \"${CMAKE_MATCH_1}\"},\n")
  endif()
endforeach()
configure_file(appearance/appearance_checksums.cpp.in
               "${CMAKE_CURRENT_BINARY_DIR}/generated/appearance_checksums.cpp" @ONLY)
target_sources(semblend PRIVATE appearance/appearance.cpp appearance/appearance_data.cpp
               "${CMAKE_CURRENT_BINARY_DIR}/generated/appearance_checksums.cpp")
set_source_files_properties(appearance/appearance.cpp PROPERTIES COMPILE_DEFINITIONS
  "SEMBLEND_APPEARANCE_DIR=\"${SEMBLEND_APPEARANCE_DIR}\"")

if(SEMBLEND_BUILD_TRAINER AND Torch_FOUND)
  add_executable(semblend_train_appearance appearance/train_appearance.cpp)
  set_target_properties(semblend_train_appearance PROPERTIES
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  target_include_directories(semblend_train_appearance SYSTEM PRIVATE ${TORCH_INCLUDE_DIRS})
  target_include_directories(semblend_train_appearance PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(semblend_train_appearance PRIVATE semblend CLI11::CLI11 ${TORCH_LIBRARIES}
                        semblend_warnings)
endif()
