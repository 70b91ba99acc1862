// Throughput of the take codecs, filters and the semantic encoder on the demo take
// (`build/release/bin/semblend_bench`).
#include <benchmark/benchmark.h>

#include "semblend/semblend.h"

namespace {

const semblend::Take& demo() {
  static const semblend::Take take = semblend::make_demo_take(60).take;
  return take;
}

void BM_EncodeLiveLinkCsv(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(semblend::encode_livelink_csv(demo()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(demo().frames.size()));
}
BENCHMARK(BM_EncodeLiveLinkCsv);

void BM_ParseLiveLinkCsv(benchmark::State& state) {
  const std::string text = semblend::encode_livelink_csv(demo());
  for (auto _ : state) benchmark::DoNotOptimize(semblend::parse_livelink_csv(text, "bench.csv"));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(demo().frames.size()));
}
BENCHMARK(BM_ParseLiveLinkCsv);

void BM_EncodeJsonl(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(semblend::encode_jsonl(demo()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(demo().frames.size()));
}
BENCHMARK(BM_EncodeJsonl);

void BM_ParseJsonl(benchmark::State& state) {
  const std::string text = semblend::encode_jsonl(demo());
  for (auto _ : state) benchmark::DoNotOptimize(semblend::parse_jsonl(text, "bench.jsonl"));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(demo().frames.size()));
}
BENCHMARK(BM_ParseJsonl);

void BM_SmoothTake(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(semblend::smooth_take(demo()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(demo().frames.size()));
}
BENCHMARK(BM_SmoothTake);

// The semantic encoder on every frame of the demo take (target: <= 20 us per frame).
void BM_Describe(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& f = demo().frames[i++ % demo().frames.size()];
    benchmark::DoNotOptimize(semblend::describe(f.coefficients, &f.head));
  }
}
BENCHMARK(BM_Describe);

void BM_DescribeAndSentence(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& f = demo().frames[i++ % demo().frames.size()];
    benchmark::DoNotOptimize(semblend::sentence(semblend::describe(f.coefficients)));
  }
}
BENCHMARK(BM_DescribeAndSentence);

}  // namespace

BENCHMARK_MAIN();
