// Throughput of the take codecs and filters on the demo take (`build/release/bin/semblend_bench`).
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

}  // namespace

BENCHMARK_MAIN();
