// bench_optim: step throughput of adamant::core::Optimizer<float> for Adam, AdamW and AMSGrad,
// set against the machine's memory bandwidth measured in the same run.
//
// What it measures, for each buffer size n (float32 parameters):
//
//  * Memory bandwidth, STREAM style: the triad a[i] = b[i] + s·c[i] over three arrays much
//    larger than the last-level cache (default 3 × 512 MiB), best of several repetitions, once
//    on one thread and once on all threads. As in STREAM it counts 3 arrays × 4 bytes = 12 bytes
//    per element; with write-allocate caches the store to a[] also reads a[] first, so the bus
//    moves 16 bytes per element. For reference it also times an in-place axpy a[i] += s·b[i]
//    (12 bytes per element moved, no write-allocate), the access pattern Adam's arrays have.
//  * The step's bandwidth bound: Adam and AdamW read p, g, m, v and write p, m, v (every written
//    array is read first, so no write-allocate traffic): 7 × 4 = 28 bytes per element; AMSGrad
//    adds v_max (read + write): 36 bytes. bound (elements/s) = triad bandwidth / bytes per
//    element, and the table prints the percentage of that bound reached.
//  * Step throughput (elements/s) of Optimizer<float>::step on one thread and on all threads:
//    gradients are fixed random values; warm-up steps first, then the median of several timed
//    repetitions of a few steps each. Nothing is allocated inside the timed loop.
//  * Background load: the CPU time other processes (and the hypervisor, as steal time) took
//    while each measurement ran, in cores, from /proc/stat minus this process's own CPU time.
//    On a small shared machine any value above ~0.1 means the row is disturbed.
//
// Usage: bench_optim [--sizes 1e4,1e5,1e6,1e7,1e8] [--rules adam,adamw,amsgrad] [--threads N]
// (--help)
//                    [--triad-mib 512] [--json FILE]

#include <omp.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <adamant/core/optimizer.hpp>
#include <adamant/core/rules.hpp>
#include <adamant/core/state.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace ac = adamant::core;

namespace {

using adamant::bench::background_cores;
using adamant::bench::Clock;
using adamant::bench::cpu_model;
using adamant::bench::CpuSample;
using adamant::bench::median;
using adamant::bench::sample_cpu;
using adamant::bench::seconds_since;
using adamant::bench::split;

// ---- memory bandwidth ----------------------------------------------------------------------

struct Bandwidth {
  int threads = 1;
  double triad_gbs = 0;   ///< STREAM convention: 12 bytes per element
  double axpy_gbs = 0;    ///< in-place a += s·b: 12 bytes per element, no write-allocate
  double background = 0;  ///< cores other work used meanwhile
};

// Best-of-`reps` triad and axpy bandwidth over arrays of n floats each, on `threads` threads.
// Pages are first touched by the same static schedule that later reads them.
Bandwidth measure_bandwidth(std::size_t n, int threads, int reps) {
  ac::AlignedVector<float> a(n), b(n), c(n);
  float* __restrict pa = a.data();
  float* __restrict pb = b.data();
  float* __restrict pc = c.data();
  const std::ptrdiff_t len = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    pa[i] = 0.0f;
    pb[i] = 1.0f;
    pc[i] = 2.0f;
  }
  const float s = 0.5f;
  const CpuSample c0 = sample_cpu();
  double best_triad = 1e300, best_axpy = 1e300;
  for (int r = 0; r < reps; ++r) {
    Clock::time_point t0 = Clock::now();
#pragma omp parallel for simd num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < len; ++i) pa[i] = pb[i] + s * pc[i];
    best_triad = std::min(best_triad, seconds_since(t0));
    t0 = Clock::now();
#pragma omp parallel for simd num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < len; ++i) pb[i] = pb[i] + s * pc[i];
    best_axpy = std::min(best_axpy, seconds_since(t0));
  }
  // Use the results so that no pass can be dropped.
  volatile float sink = pa[n / 2] + pb[n / 3];
  (void)sink;
  Bandwidth bw;
  bw.background = background_cores(c0, sample_cpu());
  bw.threads = threads;
  bw.triad_gbs = 12.0 * static_cast<double>(n) / best_triad * 1e-9;
  bw.axpy_gbs = 12.0 * static_cast<double>(n) / best_axpy * 1e-9;
  return bw;
}

// ---- optimizer steps -----------------------------------------------------------------------

struct Rule {
  std::string name;
  ac::RuleOptions options;
  int bytes_per_element;
};

// Any rule of the core's table; the bytes each element moves in float: p and every slot read and
// written, g read.
Rule make_rule(const std::string& name) {
  const ac::RuleOptions o = ac::rule_options(name);  // throws for an unknown name, listing them
  const int slots = static_cast<int>(ac::make_rule<float>(o)->slot_names().size());
  return {name, o, 4 * (3 + 2 * slots)};
}

struct StepTiming {
  double median_s = 0;  ///< seconds per step, median over repetitions
  double best_s = 0;    ///< seconds per step, best repetition
  int steps_per_rep = 0;
  int reps = 0;
  double background = 0;  ///< cores other work used during the timed repetitions
};

// Times Optimizer<float>::step over p, g (n elements) on `threads` threads.
StepTiming time_steps(const Rule& rule, float* p, const float* g, std::size_t n, int threads) {
  ac::OptimizerOptions oo;
  oo.num_threads = threads;
  ac::Optimizer<float> opt(rule.options, n, oo);
  // Warm-up: at least two steps and 0.1 s; also estimates the time of one step.
  int warm = 0;
  const Clock::time_point tw = Clock::now();
  while (warm < 2 || seconds_since(tw) < 0.1) {
    opt.step(p, g, n);
    ++warm;
  }
  const double per_step = seconds_since(tw) / warm;
  StepTiming t;
  t.steps_per_rep = std::max(1, static_cast<int>(std::lround(0.05 / per_step)));
  t.reps = per_step * t.steps_per_rep > 0.1 ? 3 : 9;
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(t.reps));
  const CpuSample c0 = sample_cpu();
  for (int r = 0; r < t.reps; ++r) {
    const Clock::time_point t0 = Clock::now();
    for (int s = 0; s < t.steps_per_rep; ++s) opt.step(p, g, n);
    times.push_back(seconds_since(t0) / t.steps_per_rep);
  }
  t.background = background_cores(c0, sample_cpu());
  t.median_s = median(times);
  t.best_s = *std::min_element(times.begin(), times.end());
  volatile float sink = p[n / 2];
  (void)sink;
  return t;
}

struct Result {
  std::size_t n;
  Rule rule;
  int threads;
  StepTiming timing;
  double bound_eps;  ///< elements/s allowed by the triad bandwidth
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {10000, 100000, 1000000, 10000000, 100000000};
  std::vector<std::string> rule_names = {"adam", "adamw", "amsgrad"};
  int all_threads = omp_get_num_procs();
  std::size_t triad_mib = 512;
  std::string json_path, size_list = "1e4,1e5,1e6,1e7,1e8";
  CLI::App app(
      "bench_optim: step throughput of adamant::core::Optimizer<float> for any rule of the core "
      "table, against the memory bandwidth (STREAM triad) measured in the same run.");
  app.add_option("--sizes", size_list, "comma-separated buffer sizes")->capture_default_str();
  app.add_option("--rules", rule_names, "rules of the core table")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--threads", all_threads,
                 "the 'all threads' count (default: all hardware threads)")
      ->check(CLI::Range(1, 1 << 16));
  app.add_option("--triad-mib", triad_mib, "MiB per triad array, three arrays")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--json", json_path, "also write the numbers as JSON to this file");
  adamant::bench::parse_or_exit(app, argc, argv);
  try {
    sizes.clear();
    for (const std::string& s : split(size_list, ',')) {
      const double v = std::stod(s);
      if (!(v >= 1 && v <= 1e10)) throw std::invalid_argument("bad size '" + s + "'");
      sizes.push_back(static_cast<std::size_t>(std::llround(v)));
    }
    for (const std::string& r : rule_names) make_rule(r);  // validates the names
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_optim: %s (try --help)\n", e.what());
    return 2;
  }

  std::vector<int> thread_counts = {1};
  if (all_threads > 1) thread_counts.push_back(all_threads);

  const std::string cpu = cpu_model();
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  std::printf("bench_optim  %s  |  %s  |  %d hardware threads\n", date, cpu.c_str(),
              omp_get_num_procs());

  // Memory bandwidth first, then free the arrays.
  const std::size_t triad_n = triad_mib * 1024 * 1024 / sizeof(float);
  std::vector<Bandwidth> bws;
  std::printf("\nmemory bandwidth, 3 arrays x %zu MiB, best of 5:\n", triad_mib);
  for (int th : thread_counts) {
    bws.push_back(measure_bandwidth(triad_n, th, 5));
    const Bandwidth& b = bws.back();
    std::printf(
        "  %d thread%s: triad %.2f GB/s (STREAM count, 12 B/elem; %.2f GB/s counting the "
        "write-allocate read), in-place axpy %.2f GB/s; background load %.2f cores\n",
        th, th == 1 ? " " : "s", b.triad_gbs, b.triad_gbs * 16.0 / 12.0, b.axpy_gbs, b.background);
  }

  std::printf("\n%12s %-8s %4s %7s %11s %11s %11s %7s %8s %5s\n", "n", "rule", "thr", "B/elem",
              "step [us]", "elem/s", "bound el/s", "% bound", "reps", "bg");
  std::vector<Result> results;
  for (std::size_t n : sizes) {
    ac::AlignedVector<float> p0(n), p(n), g(n);
    std::mt19937_64 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t i = 0; i < n; ++i) {
      p0[i] = normal(rng);
      g[i] = 1e-2f * normal(rng);
    }
    for (const std::string& rn : rule_names) {
      const Rule rule = make_rule(rn);
      for (std::size_t ti = 0; ti < thread_counts.size(); ++ti) {
        std::memcpy(p.data(), p0.data(), n * sizeof(float));
        Result res{n, rule, thread_counts[ti], {}, 0};
        res.timing = time_steps(rule, p.data(), g.data(), n, thread_counts[ti]);
        res.bound_eps = bws[ti].triad_gbs * 1e9 / rule.bytes_per_element;
        const double eps = static_cast<double>(n) / res.timing.median_s;
        std::printf("%12zu %-8s %4d %7d %11.1f %11.4g %11.4g %6.1f%% %3dx%-4d %5.2f\n", n,
                    rn.c_str(), res.threads, rule.bytes_per_element, res.timing.median_s * 1e6, eps,
                    res.bound_eps, 100.0 * eps / res.bound_eps, res.timing.reps,
                    res.timing.steps_per_rep, res.timing.background);
        std::fflush(stdout);
        results.push_back(res);
      }
    }
  }

  std::printf(
      "\nelem/s = n / median step time; bound = 1-thread or all-thread triad bandwidth / B/elem;\n"
      "reps = repetitions x steps; bg = cores used by other work meanwhile (> 0.1: disturbed).\n"
      "Buffers below %zu elements run on one thread whatever num_threads.\n",
      ac::Optimizer<float>::kParallelMin);

  if (!json_path.empty()) {
    std::ofstream f(json_path);
    if (!f) {
      std::fprintf(stderr, "bench_optim: cannot write %s\n", json_path.c_str());
      return 1;
    }
    nlohmann::json j = {{"date", date},
                        {"cpu", cpu},
                        {"hardware_threads", omp_get_num_procs()},
                        {"triad_array_mib", triad_mib},
                        {"bandwidth", nlohmann::json::array()},
                        {"steps", nlohmann::json::array()}};
    for (const Bandwidth& bw : bws)
      j["bandwidth"].push_back({{"threads", bw.threads},
                                {"triad_gbs", bw.triad_gbs},
                                {"triad_write_allocate_gbs", bw.triad_gbs * 16.0 / 12.0},
                                {"axpy_gbs", bw.axpy_gbs},
                                {"background_cores", bw.background}});
    for (const Result& r : results) {
      const double eps = static_cast<double>(r.n) / r.timing.median_s;
      j["steps"].push_back({{"n", r.n},
                            {"rule", r.rule.name},
                            {"threads", r.threads},
                            {"bytes_per_element", r.rule.bytes_per_element},
                            {"step_s_median", r.timing.median_s},
                            {"step_s_best", r.timing.best_s},
                            {"elements_per_s", eps},
                            {"bound_elements_per_s", r.bound_eps},
                            {"percent_of_bound", 100.0 * eps / r.bound_eps},
                            {"reps", r.timing.reps},
                            {"steps_per_rep", r.timing.steps_per_rep},
                            {"background_cores", r.timing.background}});
    }
    f << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}
