# The solver (solver.h, synth.h, docs/solver.md): synthetic data, normalisation, the MLP's export
# and its inference on the engine.
# Included from src/CMakeLists.txt (paths relative to src/).

# The landmark noise model measured from the vision front end (`semblend eval noise`), compiled in.
file(READ "${PROJECT_SOURCE_DIR}/data/landmark_noise.csv" SEMBLEND_LANDMARK_NOISE_CSV)
configure_file(solver/landmark_noise_data.cpp.in
               "${CMAKE_CURRENT_BINARY_DIR}/generated/landmark_noise_data.cpp" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/data/landmark_noise.csv"
             "${PROJECT_SOURCE_DIR}/data/solver/solver.sha256")

# The shipped model (a TF.js graph model run by the engine: solver.json + solver.bin) is read at
# run time; the SHA-256 of both files is compiled in from solver.sha256 and checked at load.
# (A new cache name: build trees configured before the engine switch cache SEMBLEND_SOLVER_MODEL
# as the old weights file.)
set(SEMBLEND_SOLVER_MODEL_JSON "${PROJECT_SOURCE_DIR}/data/solver/solver.json" CACHE FILEPATH
    "The solver's model.json (TF.js graph model written by semblend_train)")
set(_semblend_solver_sums "")
if(EXISTS "${PROJECT_SOURCE_DIR}/data/solver/solver.sha256")
  file(STRINGS "${PROJECT_SOURCE_DIR}/data/solver/solver.sha256" _semblend_solver_sums
       REGEX "^[0-9a-f]+  solver\\.(json|bin)$")
endif()
set(SEMBLEND_SOLVER_SUM_ENTRIES "")
foreach(_line IN LISTS _semblend_solver_sums)
  if(_line MATCHES "^([0-9a-f]+)  (.+)$")
    string(APPEND SEMBLEND_SOLVER_SUM_ENTRIES "      {\"${CMAKE_MATCH_2}\", \"${CMAKE_MATCH_1}\"},\n")
  endif()
endforeach()
list(LENGTH _semblend_solver_sums _semblend_solver_sum_count)
if(NOT _semblend_solver_sum_count EQUAL 2)  # Solver::load_default() refuses to run without them
  message(WARNING "data/solver/solver.sha256 does not list solver.json and solver.bin")
endif()
configure_file(solver/solver_checksums.cpp.in
               "${CMAKE_CURRENT_BINARY_DIR}/generated/solver_checksums.cpp" @ONLY)
target_sources(semblend PRIVATE solver/synth.cpp solver/solver.cpp solver/solver_export.cpp
               solver/solver_decode.cpp solver/rubric.cpp solver/calibration.cpp solver/face_pipeline.cpp
               formats/profile_json.cpp "${CMAKE_CURRENT_BINARY_DIR}/generated/landmark_noise_data.cpp"
               "${CMAKE_CURRENT_BINARY_DIR}/generated/solver_checksums.cpp")
set_source_files_properties(solver/solver.cpp PROPERTIES COMPILE_DEFINITIONS
  "SEMBLEND_SOLVER_MODEL=\"${SEMBLEND_SOLVER_MODEL_JSON}\"")

# The training tool: the only code that includes <torch/torch.h>, built only when Debian's
# libtorch-dev is installed (scripts/setup.sh). The library and the CLI never link libtorch.
option(SEMBLEND_BUILD_TRAINER "Build semblend_train when libtorch is installed" ON)
if(SEMBLEND_BUILD_TRAINER)
  find_package(Torch QUIET)
endif()
if(SEMBLEND_BUILD_TRAINER AND Torch_FOUND)
  add_executable(semblend_train solver/train.cpp)
  set_target_properties(semblend_train PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  target_include_directories(semblend_train SYSTEM PRIVATE ${TORCH_INCLUDE_DIRS})
  target_include_directories(semblend_train PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(semblend_train PRIVATE semblend ${TORCH_LIBRARIES} semblend_warnings)
else()
  message(STATUS "libtorch not found or SEMBLEND_BUILD_TRAINER=OFF: semblend_train is not built")
endif()
