// bench_rl: environment throughput of adamant::rl and the time PPO takes to solve CartPole-v1.
//
// What it measures:
//
//  (a) Single environment: CartPole-v1 from rl::make, Env::step(action, obs) in a loop with a
//      fixed cheap action pattern (bit i mod 64 of a constant word, so episodes have random-like
//      lengths), resetting (without a seed: the generator continues) when an episode terminates
//      or is truncated. steps/s counts step() calls; the resets are part of the cost.
//  (b) Batched: rl::VecEnv CartPole-v1 at 1, 1024 and 16384 environments (--envs), on 1 thread
//      and on --threads threads. Actions come from a random 0/1 array precomputed before timing
//      (about 2^20 actions, cycled through batch by batch). env-steps/s = num_envs × vector steps
//      per second; the next-step autoreset of finished environments is part of the cost. Each
//      size and thread count runs in both math modes: exact (glibc sincos/pow, the single Env's
//      numbers) and vector (VecMath::kVector: libmvec SIMD sin/cos, x·x squares).
//      Timing for (a) and (b): warm-up (at least 0.1 s), then the median of 9 repetitions of
//      about 50 ms each. Nothing is allocated inside the timed loops.
//  (c) Solving: rl::train with default_config("CartPole-v1", PPO) (its own thread count unless
//      --solve-threads), seeds 0 .. N−1, then rl::evaluate of the final policy greedily on 100
//      episodes seeded seed + kEvalSeedOffset. Solved: mean evaluation return ≥ 475. Reported per
//      seed: training wall-clock and environment steps (the whole default budget), the first
//      point where the mean of the last 20 training episodes (sampled actions) reached 475
//      (steps and seconds; "-" if never), the evaluation mean, and the median over seeds.
//  Background load: the cores other processes (and the hypervisor, as steal time) kept busy
//  during each measurement, from /proc/stat minus this process's own CPU time (bench_util.hpp).
//  Above ~0.1 a row is disturbed.
//
// Usage: bench_rl [--envs 1,1024,16384] [--threads 2] [--solve-seeds 10] [--solve-threads N]
//                 [--skip-solve] [--skip-env] [--json FILE]

#include <adamant/rl/agents.hpp>
#include <adamant/rl/env.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"

namespace rl = adamant::rl;
namespace ab = adamant::bench;

namespace {

constexpr const char* kEnvId = "CartPole-v1";
constexpr double kSolvedReturn = 475.0;
constexpr int kEvalEpisodes = 100;
/// The action pattern of the single-environment loop: action = bit (i mod 64) of this word.
/// compare_gym.py uses the same word for its single-environment loops.
constexpr std::uint64_t kActionPattern = 0x9E3779B97F4A7C15ull;

struct Timing {
  double median_s = 0;  ///< seconds per repetition, median
  double best_s = 0;    ///< seconds per repetition, best
  long iters_per_rep = 0;
  int reps = 0;
  double background = 0;  ///< cores other work used during the timed repetitions
};

/// Times `run(k)` (k iterations of the measured loop): warm-up of at least 0.1 s and 2 calls,
/// which also estimates the cost of one iteration; then `reps` repetitions of ~rep_s seconds.
template <typename F>
Timing time_loop(F&& run, int reps = 9, double rep_s = 0.05) {
  long warm_iters = 1;
  long total = 0;
  int calls = 0;
  const ab::Clock::time_point tw = ab::Clock::now();
  while (calls < 2 || ab::seconds_since(tw) < 0.1) {
    run(warm_iters);
    total += warm_iters;
    ++calls;
    if (ab::seconds_since(tw) < 0.02) warm_iters *= 2;
  }
  const double per_iter = ab::seconds_since(tw) / static_cast<double>(total);
  Timing t;
  t.iters_per_rep = std::max(1L, static_cast<long>(std::lround(rep_s / per_iter)));
  t.reps = reps;
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(reps));
  const ab::CpuSample c0 = ab::sample_cpu();
  for (int r = 0; r < reps; ++r) {
    const ab::Clock::time_point t0 = ab::Clock::now();
    run(t.iters_per_rep);
    times.push_back(ab::seconds_since(t0));
  }
  t.background = ab::background_cores(c0, ab::sample_cpu());
  t.median_s = ab::median(times);
  t.best_s = *std::min_element(times.begin(), times.end());
  return t;
}

// ---- (a) single environment -----------------------------------------------------------------

struct SingleResult {
  Timing timing;
  double steps_per_s = 0;
  double mean_episode_length = 0;
};

SingleResult bench_single() {
  std::unique_ptr<rl::Env> env = rl::make(kEnvId);
  float obs[4];
  env->reset(obs, 0);
  std::uint64_t i = 0;
  long episodes = 0, steps = 0;
  float sink = 0;
  auto run = [&](long n) {
    for (long k = 0; k < n; ++k, ++i) {
      const std::int64_t a = static_cast<std::int64_t>((kActionPattern >> (i & 63)) & 1);
      const rl::StepResult r = env->step(a, obs);
      if (r.terminated || r.truncated) {
        env->reset(obs);
        ++episodes;
      }
    }
    steps += n;
    sink += obs[0];
  };
  SingleResult res;
  res.timing = time_loop(run);
  volatile float keep = sink;
  (void)keep;
  res.steps_per_s = static_cast<double>(res.timing.iters_per_rep) / res.timing.median_s;
  res.mean_episode_length =
      episodes > 0 ? static_cast<double>(steps) / static_cast<double>(episodes) : 0.0;
  return res;
}

// ---- (b) batched environments ---------------------------------------------------------------

struct VecResult {
  int num_envs = 0;
  int threads = 0;
  bool vector_math = false;
  Timing timing;
  double env_steps_per_s = 0;
  double vector_steps_per_s = 0;
};

VecResult bench_vec(int num_envs, int threads, bool vector_math,
                    const std::vector<std::int64_t>& actions, int batches) {
  rl::VecEnv venv(kEnvId, num_envs, threads, rl::AutoresetMode::kNextStep,
                  vector_math ? rl::VecMath::kVector : rl::VecMath::kExact);
  const std::size_t n = static_cast<std::size_t>(num_envs);
  std::vector<float> obs(n * 4);
  std::vector<double> rewards(n);
  std::vector<std::uint8_t> term(n), trunc(n);
  venv.reset(obs.data(), 0);
  int b = 0;
  float sink = 0;
  auto run = [&](long k) {
    for (long s = 0; s < k; ++s) {
      venv.step(actions.data() + static_cast<std::size_t>(b) * n, obs.data(), rewards.data(),
                term.data(), trunc.data());
      if (++b == batches) b = 0;
    }
    sink += obs[0];
  };
  VecResult res;
  res.num_envs = num_envs;
  res.threads = threads;
  res.vector_math = vector_math;
  res.timing = time_loop(run);
  volatile float keep = sink;
  (void)keep;
  res.vector_steps_per_s = static_cast<double>(res.timing.iters_per_rep) / res.timing.median_s;
  res.env_steps_per_s = res.vector_steps_per_s * num_envs;
  return res;
}

// ---- (c) solving CartPole-v1 with PPO -------------------------------------------------------

struct SolveResult {
  std::uint64_t seed = 0;
  double train_s = 0;  ///< wall-clock of rl::train
  std::int64_t env_steps = 0;
  double eval_s = 0;
  double eval_mean = 0, eval_std = 0;
  bool solved = false;
  /// First point where the mean of the last 20 training episodes reached 475 (-1: never).
  std::int64_t first_475_steps = -1;
  double first_475_s = -1;
  double background = 0;
  int num_threads = 0;
};

SolveResult solve_once(std::uint64_t seed, int solve_threads) {
  rl::AgentConfig cfg = rl::default_config(kEnvId, rl::Algo::kPPO);
  cfg.seed = seed;
  if (solve_threads > 0) cfg.num_threads = solve_threads;
  SolveResult s;
  s.seed = seed;
  s.num_threads = cfg.num_threads;
  const ab::CpuSample c0 = ab::sample_cpu();
  const ab::Clock::time_point t0 = ab::Clock::now();
  const rl::TrainResult run = rl::train(cfg);
  s.train_s = ab::seconds_since(t0);
  s.env_steps = run.env_steps;
  const ab::Clock::time_point t1 = ab::Clock::now();
  const rl::EvalResult ev =
      rl::evaluate(run.policy, kEnvId, kEvalEpisodes, seed + rl::kEvalSeedOffset, true, 1);
  s.eval_s = ab::seconds_since(t1);
  s.background = ab::background_cores(c0, ab::sample_cpu());
  s.eval_mean = ev.mean;
  s.eval_std = ev.std;
  s.solved = ev.mean >= kSolvedReturn;
  // Rolling mean of the last 20 training episodes.
  const std::vector<rl::EpisodeRecord>& eps = run.episodes;
  double window = 0;
  for (std::size_t k = 0; k < eps.size(); ++k) {
    window += eps[k].ret;
    if (k >= 20) window -= eps[k - 20].ret;
    if (k + 1 >= 20 && window / 20.0 >= kSolvedReturn) {
      s.first_475_steps = eps[k].env_steps;
      s.first_475_s = eps[k].wall_time;
      break;
    }
  }
  return s;
}

std::string fmt_or_dash(double v, const char* fmt) {
  if (v < 0) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> env_sizes = {1, 1024, 16384};
  int threads = 2;
  int solve_seeds = 10;
  int solve_threads = 0;
  bool skip_solve = false, skip_env = false;
  std::string json_path;
  std::string envs = "1,1024,16384";
  CLI::App app(
      "bench_rl: CartPole-v1 environment throughput of adamant::rl (single Env and batched "
      "VecEnv) and the time the default PPO config takes to solve CartPole-v1.");
  app.add_option("--envs", envs, "comma-separated VecEnv sizes")->capture_default_str();
  app.add_option("--threads", threads, "the 'all threads' count")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--solve-seeds", solve_seeds, "PPO seeds timed to solve CartPole-v1")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--solve-threads", solve_threads, "threads of the solve runs (default: all)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--skip-solve", skip_solve, "skip the PPO solve timing");
  app.add_flag("--skip-env", skip_env, "skip the environment throughput");
  app.add_option("--json", json_path, "also write the numbers as JSON");
  ab::parse_or_exit(app, argc, argv);
  try {
    env_sizes.clear();
    for (const std::string& s : ab::split(envs, ',')) {
      const double v = std::stod(s);
      if (!(v >= 1 && v <= 1e7)) throw std::invalid_argument("bad --envs size '" + s + "'");
      env_sizes.push_back(static_cast<int>(std::lround(v)));
    }
    if (env_sizes.empty()) throw std::invalid_argument("--envs needs at least one size");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_rl: %s (try --help)\n", e.what());
    return 2;
  }

  std::vector<int> thread_counts = {1};
  if (threads > 1) thread_counts.push_back(threads);

  const std::string cpu = ab::cpu_model();
  const std::string date = ab::local_date();
  const unsigned hw = std::thread::hardware_concurrency();
  std::printf("bench_rl  %s  |  %s  |  %u hardware threads\n", date.c_str(), cpu.c_str(), hw);

  SingleResult single;
  std::vector<VecResult> vec;
  if (!skip_env) {
    single = bench_single();
    std::printf(
        "\n(a) single env, %s Env::step, fixed action pattern, auto reset:\n"
        "    %.4g steps/s (%.1f ns/step; mean episode %.1f steps; %dx%ld steps; bg %.2f)\n",
        kEnvId, single.steps_per_s, 1e9 / single.steps_per_s, single.mean_episode_length,
        single.timing.reps, single.timing.iters_per_rep, single.timing.background);
    std::fflush(stdout);

    std::printf("\n(b) VecEnv %s, random actions (precomputed), next-step autoreset:\n", kEnvId);
    std::printf("%10s %4s %7s %14s %14s %10s %10s %5s\n", "num_envs", "thr", "math", "env-steps/s",
                "vec-steps/s", "ns/env-st", "reps", "bg");
    for (int n : env_sizes) {
      // About 2^20 random actions (16 .. 1024 batches), cycled through batch by batch.
      const int batches = std::clamp((1 << 20) / n, 16, 1024);
      std::vector<std::int64_t> actions(static_cast<std::size_t>(batches) *
                                        static_cast<std::size_t>(n));
      std::mt19937_64 rng(12345);
      for (std::int64_t& a : actions) a = static_cast<std::int64_t>(rng() >> 63);
      for (int th : thread_counts) {
        for (bool vm : {false, true}) {
          vec.push_back(bench_vec(n, th, vm, actions, batches));
          const VecResult& v = vec.back();
          std::printf("%10d %4d %7s %14.4g %14.4g %10.2f %4dx%-5ld %5.2f\n", n, th,
                      vm ? "vector" : "exact", v.env_steps_per_s, v.vector_steps_per_s,
                      1e9 / v.env_steps_per_s, v.timing.reps, v.timing.iters_per_rep,
                      v.timing.background);
          std::fflush(stdout);
        }
      }
    }
  }

  std::vector<SolveResult> solves;
  double med_train_s = 0, med_steps = 0, med_first_s = -1, med_first_steps = -1;
  int solved_count = 0;
  if (!skip_solve) {
    const rl::AgentConfig cfg0 = rl::default_config(kEnvId, rl::Algo::kPPO);
    std::printf(
        "\n(c) PPO default_config(\"%s\") (%lld steps, %d envs x %d steps, %d threads), then "
        "greedy evaluation on %d episodes; solved = mean >= %.0f:\n",
        kEnvId, static_cast<long long>(cfg0.total_steps), cfg0.num_envs, cfg0.n_steps,
        solve_threads > 0 ? solve_threads : cfg0.num_threads, kEvalEpisodes, kSolvedReturn);
    std::printf("%5s %9s %10s %8s %9s %7s %12s %10s %5s\n", "seed", "train[s]", "env-steps",
                "eval[s]", "eval mean", "solved", "steps@475tr", "t@475tr[s]", "bg");
    std::vector<double> train_s, steps, first_s, first_steps;
    for (int seed = 0; seed < solve_seeds; ++seed) {
      solves.push_back(solve_once(static_cast<std::uint64_t>(seed), solve_threads));
      const SolveResult& s = solves.back();
      std::printf("%5d %9.2f %10lld %8.2f %9.1f %7s %12s %10s %5.2f\n", seed, s.train_s,
                  static_cast<long long>(s.env_steps), s.eval_s, s.eval_mean,
                  s.solved ? "yes" : "no",
                  fmt_or_dash(static_cast<double>(s.first_475_steps), "%.0f").c_str(),
                  fmt_or_dash(s.first_475_s, "%.2f").c_str(), s.background);
      std::fflush(stdout);
      train_s.push_back(s.train_s);
      steps.push_back(static_cast<double>(s.env_steps));
      if (s.solved) ++solved_count;
      if (s.first_475_steps >= 0) {
        first_s.push_back(s.first_475_s);
        first_steps.push_back(static_cast<double>(s.first_475_steps));
      }
    }
    med_train_s = ab::median(train_s);
    med_steps = ab::median(steps);
    if (!first_s.empty()) {
      med_first_s = ab::median(first_s);
      med_first_steps = ab::median(first_steps);
    }
    std::printf(
        "median  %9.2f %10.0f  solved %d/%d;  median over the runs that reached it: "
        "steps@475tr %s, t@475tr %s s\n",
        med_train_s, med_steps, solved_count, solve_seeds,
        fmt_or_dash(med_first_steps, "%.0f").c_str(), fmt_or_dash(med_first_s, "%.2f").c_str());
    std::printf(
        "train[s] = wall-clock of rl::train over the whole default budget; steps@475tr / t@475tr "
        "= first\npoint where the mean of the last 20 training episodes (sampled actions) reached "
        "475.\n");
  }
  std::printf("bg = cores used by other work meanwhile (> 0.1: disturbed).\n");

  if (!json_path.empty()) {
    std::ofstream f(json_path);
    if (!f) {
      std::fprintf(stderr, "bench_rl: cannot write %s\n", json_path.c_str());
      return 1;
    }
    nlohmann::json j = {{"date", date}, {"cpu", cpu}, {"hardware_threads", hw}, {"env_id", kEnvId}};
    if (!skip_env) {
      j["single"] = {{"steps_per_s", single.steps_per_s},
                     {"step_ns", 1e9 / single.steps_per_s},
                     {"mean_episode_length", single.mean_episode_length},
                     {"reps", single.timing.reps},
                     {"steps_per_rep", single.timing.iters_per_rep},
                     {"background_cores", single.timing.background}};
      j["vec"] = nlohmann::json::array();
      for (const VecResult& v : vec)
        j["vec"].push_back({{"num_envs", v.num_envs},
                            {"threads", v.threads},
                            {"math", v.vector_math ? "vector" : "exact"},
                            {"env_steps_per_s", v.env_steps_per_s},
                            {"vector_steps_per_s", v.vector_steps_per_s},
                            {"reps", v.timing.reps},
                            {"steps_per_rep", v.timing.iters_per_rep},
                            {"background_cores", v.timing.background}});
    }
    if (!skip_solve) {
      nlohmann::json runs = nlohmann::json::array();
      for (const SolveResult& s : solves)
        runs.push_back({{"seed", s.seed},
                        {"train_s", s.train_s},
                        {"env_steps", s.env_steps},
                        {"eval_s", s.eval_s},
                        {"eval_mean", s.eval_mean},
                        {"eval_std", s.eval_std},
                        {"solved", s.solved},
                        {"first_475_steps", s.first_475_steps},
                        {"first_475_s", s.first_475_s},
                        {"num_threads", s.num_threads},
                        {"background_cores", s.background}});
      j["solve"] = {{"runs", runs},
                    {"median_train_s", med_train_s},
                    {"median_env_steps", med_steps},
                    {"solved", solved_count},
                    {"seeds", solve_seeds},
                    {"median_first_475_s", med_first_s},
                    {"median_first_475_steps", med_first_steps}};
    }
    f << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}
