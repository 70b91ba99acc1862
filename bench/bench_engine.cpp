// The neural engine: load time and one forward pass per model, single thread
// (`build/release/bin/semblend_bench --benchmark_filter=Engine`).
#include <benchmark/benchmark.h>

#include <string>

#include "semblend/engine.h"

namespace {

std::string model_path(const std::string& name) {
  return std::string(SEMBLEND_MODEL_DIR) + "/" + name + ".json";
}

void BM_EngineRun(benchmark::State& state, const std::string& name) {
  semblend::Model m = semblend::Model::load(model_path(name));
  auto in = m.input();
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i % 255) / 255.0f;
  for (auto _ : state) {
    m.invoke();
    benchmark::DoNotOptimize(m.output(0).data());
  }
}
BENCHMARK_CAPTURE(BM_EngineRun, blazeface_front_128, std::string("blazeface-front"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineRun, blazeface_back_256, std::string("blazeface-back"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineRun, facemesh_192, std::string("facemesh"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineRun, iris_64, std::string("iris"))->Unit(benchmark::kMillisecond);
// The attention mesh runs node by node (engine/host_graph.h): compare with facemesh_192 + 2 × iris.
BENCHMARK_CAPTURE(BM_EngineRun, facemesh_attention_192, std::string("facemesh-attention"))
    ->Unit(benchmark::kMillisecond);

void BM_EngineLoad(benchmark::State& state, const std::string& name) {
  for (auto _ : state) benchmark::DoNotOptimize(semblend::Model::load(model_path(name)));
}
BENCHMARK_CAPTURE(BM_EngineLoad, facemesh, std::string("facemesh"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineLoad, iris, std::string("iris"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineLoad, facemesh_attention, std::string("facemesh-attention"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
