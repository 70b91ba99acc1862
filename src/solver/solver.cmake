# The solver (solver.h, synth.h, docs/solver.md): synthetic data, normalisation, MLP inference.
# Included from src/CMakeLists.txt (paths relative to src/).

# The landmark noise model measured from the vision front end (`semblend eval noise`), compiled in.
file(READ "${PROJECT_SOURCE_DIR}/data/landmark_noise.csv" SEMBLEND_LANDMARK_NOISE_CSV)
configure_file(solver/landmark_noise_data.cpp.in
               "${CMAKE_CURRENT_BINARY_DIR}/generated/landmark_noise_data.cpp" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/data/landmark_noise.csv"
             "${PROJECT_SOURCE_DIR}/data/solver/solver_mlp.sha256")

# The shipped weights are read at run time; their SHA-256 is compiled in and checked at load.
set(SEMBLEND_SOLVER_MODEL "${PROJECT_SOURCE_DIR}/data/solver/solver_mlp.bin" CACHE FILEPATH
    "The solver's weights file (trained by semblend_train)")
set(_semblend_solver_sha "")
if(EXISTS "${PROJECT_SOURCE_DIR}/data/solver/solver_mlp.sha256")
  file(STRINGS "${PROJECT_SOURCE_DIR}/data/solver/solver_mlp.sha256" _semblend_solver_sums
       REGEX "^[0-9a-f]+  solver_mlp.bin$")
  if(_semblend_solver_sums MATCHES "^([0-9a-f]+)  ")
    set(_semblend_solver_sha "${CMAKE_MATCH_1}")
  endif()
endif()
target_sources(semblend PRIVATE solver/synth.cpp solver/solver.cpp
               "${CMAKE_CURRENT_BINARY_DIR}/generated/landmark_noise_data.cpp")
set_source_files_properties(solver/solver.cpp PROPERTIES COMPILE_DEFINITIONS
  "SEMBLEND_SOLVER_MODEL=\"${SEMBLEND_SOLVER_MODEL}\";SEMBLEND_SOLVER_MODEL_SHA256=\"${_semblend_solver_sha}\"")

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
