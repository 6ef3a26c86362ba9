// bench_optim_gbench: Google Benchmark version of bench_optim's step timings, for profiling and
// regression tracking. It measures Optimizer<float>::step for Adam, AdamW and AMSGrad on one
// thread and on all threads, over n = 1e4 ... 1e7 float32 parameters with fixed random
// gradients, and reports items_per_second (elements/s) and bytes_per_second counted as the
// step's memory traffic (28 bytes per element for Adam and AdamW: read p, g, m, v, write p, m, v;
// 36 for AMSGrad, which also reads and writes v_max). It does not measure the memory bandwidth
// or PyTorch; bench_optim and compare_torch.py do (see bench/README.md).

#include <benchmark/benchmark.h>

#include <adamant/core/optimizer.hpp>
#include <adamant/core/rules.hpp>
#include <adamant/core/state.hpp>
#include <adamant/core/threads.hpp>
#include <cstdint>
#include <random>
#include <string>

namespace ac = adamant::core;

namespace {

enum RuleId : std::int64_t { kAdam = 0, kAdamW = 1, kAmsgrad = 2 };

void BM_Step(benchmark::State& st) {
  const auto n = static_cast<std::size_t>(st.range(0));
  const auto rule = static_cast<RuleId>(st.range(1));
  const int threads = ac::resolve_threads(static_cast<int>(st.range(2)));
  ac::AdamOptions o = rule == kAdamW ? ac::AdamOptions::adamw() : ac::AdamOptions{};
  o.amsgrad = rule == kAmsgrad;
  ac::OptimizerOptions oo;
  oo.num_threads = threads;
  ac::Optimizer<float> opt(o, n, oo);
  ac::AlignedVector<float> p(n), g(n);
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = normal(rng);
    g[i] = 1e-2f * normal(rng);
  }
  for (int i = 0; i < 2; ++i) opt.step(p.data(), g.data(), n);  // warm-up
  for (auto _ : st) {
    opt.step(p.data(), g.data(), n);
    benchmark::ClobberMemory();
  }
  const std::int64_t bytes = rule == kAmsgrad ? 36 : 28;
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(n));
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(n) * bytes);
  st.SetLabel(std::string(rule == kAdam    ? "adam"
                          : rule == kAdamW ? "adamw"
                                           : "amsgrad") +
              " " + std::to_string(threads) + "t");
}

// Arguments: n, rule, threads (0: all hardware threads).
BENCHMARK(BM_Step)
    ->ArgNames({"n", "rule", "threads"})
    ->ArgsProduct({{10000, 100000, 1000000, 10000000}, {kAdam, kAdamW, kAmsgrad}, {1, 0}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
