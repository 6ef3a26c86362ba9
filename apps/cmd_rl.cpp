// `adamant rl`: train policy-gradient agents on the classic-control environments, evaluate saved
// policies, and run the Adam / SGD variance study.
//
//   adamant rl train --env CartPole-v1 --algo ppo --seed 0 [--steps N] [-o FILE.h5 | --out DIR]
//   adamant rl train --seeds 0-15 [--jobs N]   (population training: every seed at once)
//   adamant rl eval --policy FILE.h5 [--episodes 100] [--seed S] [--frames DIR]
//   adamant rl study [--seeds 5] [-o FILE.h5 | --out DIR]
//
// train and study write FILE.h5 and FILE.png (by default in the current directory, named after
// the run; --no-save writes nothing). Files are written atomically (datasets::Writer, write_png);
// progress goes to stderr (one updating line on a terminal, otherwise a line every few seconds),
// results to stdout.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "adamant/core/threads.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/rl/agents.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/plots.hpp"
#include "adamant/rl/study.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

namespace ds = adamant::datasets;

std::string progress_text(const rl::Progress& p) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "steps %lld/%lld  episodes %lld  return(last 20) %6.1f  %6.0f steps/s  %5.1f s",
                static_cast<long long>(p.env_steps), static_cast<long long>(p.total_steps),
                static_cast<long long>(p.episodes), p.mean_return_last20, p.steps_per_second,
                p.elapsed);
  return buf;
}

/// "0-15", "3", "0,2,5-7" -> the seeds, in order, each once; UsageError otherwise.
std::vector<std::uint64_t> parse_seed_list(const std::string& spec) {
  std::vector<std::uint64_t> out;
  std::size_t start = 0;
  auto bad = [&]() {
    return UsageError("--seeds '" + spec + "': expected seeds like 0-15 or 0,3,7");
  };
  while (start <= spec.size()) {
    const std::size_t comma = spec.find(',', start);
    const std::string part =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw bad();
    const std::size_t dash = part.find('-');
    try {
      std::size_t used = 0;
      const unsigned long long a = std::stoull(part.substr(0, dash), &used);
      if (used != (dash == std::string::npos ? part.size() : dash)) throw bad();
      unsigned long long b = a;
      if (dash != std::string::npos) {
        const std::string tail = part.substr(dash + 1);
        b = std::stoull(tail, &used);
        if (used != tail.size() || b < a) throw bad();
      }
      if (b - a > 100000) throw UsageError("--seeds '" + spec + "': too many seeds");
      for (unsigned long long v = a; v <= b; ++v) {
        if (std::find(out.begin(), out.end(), v) != out.end())
          throw UsageError("--seeds '" + spec + "': seed " + std::to_string(v) + " twice");
        out.push_back(v);
      }
    } catch (const std::logic_error&) {  // stoull: invalid_argument, out_of_range
      throw bad();
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// `rl train --seeds`: every seed trained at once on --jobs threads (train_population), each
/// then evaluated greedily; a table per seed, the seeds solved per second of wall-clock time,
/// the per-seed policy files and a summary file + plot.
int train_population(const rl::AgentConfig& base, const std::vector<std::uint64_t>& seeds,
                     long jobs, long episodes, const std::string& file, const std::string& dir,
                     bool no_save, bool quiet) {
  std::vector<rl::AgentConfig> configs;
  for (std::uint64_t s : seeds) {
    rl::AgentConfig c = base;
    c.seed = s;
    configs.push_back(c);
  }
  const std::string stem = base.env_id + "_" + rl::to_string(base.algo) + "_seeds" +
                           std::to_string(seeds.front()) + "-" + std::to_string(seeds.back());
  const Output out = output_paths(file, dir, stem, no_save);
  const int threads = std::max(
      1, std::min(core::resolve_threads(static_cast<int>(jobs)), static_cast<int>(seeds.size())));
  std::cout << "adamant rl train: " << seeds.size() << " seeds (" << seeds.front() << ".."
            << seeds.back() << ") on " << threads << " threads; each: " << base.describe() << "\n"
            << std::flush;
  ProgressLine line(quiet);
  std::vector<std::int64_t> steps(seeds.size(), 0);
  const std::int64_t budget = base.total_steps * static_cast<std::int64_t>(seeds.size());
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&]() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const std::vector<rl::TrainResult> runs =
      rl::train_population(configs, threads, [&](std::size_t i, const rl::Progress& p) {
        steps[i] = p.env_steps;
        std::int64_t total = 0;
        for (std::int64_t v : steps) total += v;
        char buf[160];
        std::snprintf(buf, sizeof buf, "steps %lld/%lld over %zu seeds  %6.0f steps/s  %5.1f s",
                      static_cast<long long>(total), static_cast<long long>(budget), seeds.size(),
                      total / std::max(1e-9, elapsed()), elapsed());
        line.show(buf);
      });
  const double train_wall = elapsed();
  line.done();
  // Greedy evaluation of every seed, also in parallel (each evaluation on one thread).
  std::vector<rl::EvalResult> evals(runs.size());
  if (episodes > 0) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int i = 0; i < static_cast<int>(runs.size()); ++i)
      evals[static_cast<std::size_t>(i)] = rl::evaluate(
          runs[static_cast<std::size_t>(i)].policy, base.env_id, static_cast<int>(episodes),
          seeds[static_cast<std::size_t>(i)] + rl::kEvalSeedOffset, true, 1);
  }
  const double threshold = rl::reward_threshold(base.env_id);
  std::printf("%6s %10s %9s %12s %10s %10s %8s\n", "seed", "env steps", "train s", "return(20)",
              "eval mean", "eval std", "solved");
  int solved = 0;
  double train_sum = 0;
  datasets::Table table;
  Eigen::VectorXd cs(runs.size()), csteps(runs.size()), ctime(runs.size()), cret(runs.size()),
      cmean(runs.size()), cstd(runs.size()), csolved(runs.size());
  std::vector<double> means(runs.size(), std::nan(""));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const rl::TrainResult& r = runs[i];
    const bool ok = episodes > 0 && std::isfinite(threshold) && evals[i].mean >= threshold;
    solved += ok;
    train_sum += r.wall_seconds;
    if (episodes > 0) means[i] = evals[i].mean;
    std::printf(
        "%6llu %10lld %9.2f %12.1f %10.1f %10.1f %8s\n", static_cast<unsigned long long>(seeds[i]),
        static_cast<long long>(r.env_steps), r.wall_seconds, r.mean_last_returns(20),
        episodes > 0 ? evals[i].mean : std::nan(""), episodes > 0 ? evals[i].std : std::nan(""),
        !std::isfinite(threshold) || episodes == 0 ? "-"
        : ok                                       ? "yes"
                                                   : "no");
    cs[i] = static_cast<double>(seeds[i]);
    csteps[i] = static_cast<double>(r.env_steps);
    ctime[i] = r.wall_seconds;
    cret[i] = r.mean_last_returns(20);
    cmean[i] = means[i];
    cstd[i] = episodes > 0 ? evals[i].std : std::nan("");
    csolved[i] = ok ? 1.0 : 0.0;
  }
  std::printf(
      "\n%zu runs in %.2f s of wall-clock on %d threads (%.2f s of training per run on "
      "average)\n",
      runs.size(), train_wall, threads, train_sum / runs.size());
  if (std::isfinite(threshold) && episodes > 0)
    std::printf(
        "solved (greedy mean >= %.0f over %ld episodes): %d of %zu; %.3f seeds solved per "
        "second\n",
        threshold, episodes, solved, runs.size(), solved / train_wall);
  if (!out.h5.empty()) {
    const std::filesystem::path folder = std::filesystem::path(out.h5).parent_path();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const std::string name =
          base.env_id + "_" + rl::to_string(base.algo) + "_seed" + std::to_string(seeds[i]) + ".h5";
      rl::save_policy((folder / name).string(), runs[i].policy, &runs[i]);
    }
    table.add("seed", cs);
    table.add("env_steps", csteps);
    table.add("train_seconds", ctime);
    table.add("return_last20", cret);
    table.add("eval_mean", cmean);
    table.add("eval_std", cstd);
    table.add("solved", csolved);
    table.metadata["env_id"] = datasets::AttrValue::string(base.env_id);
    table.metadata["algo"] = datasets::AttrValue::string(rl::to_string(base.algo));
    table.metadata["wall_seconds"] = datasets::AttrValue::number(train_wall);
    table.metadata["threads"] = datasets::AttrValue::integer(threads);
    table.metadata["eval_episodes"] = datasets::AttrValue::integer(episodes);
    datasets::Writer w(out.h5);
    w.attr("/", "adamant_schema", "table");
    w.attr("/", "adamant_schema_version", static_cast<std::int64_t>(datasets::kSchemaVersion));
    datasets::write_table(w, "table", table);
    w.commit();
    rl::plot_population(runs, means, out.png);
    std::printf("wrote %zu policy files (%s_%s_seed<S>.h5), %s (table: per seed) and %s\n",
                runs.size(), base.env_id.c_str(), rl::to_string(base.algo), out.h5.c_str(),
                out.png.c_str());
  }
  return 0;
}

int train(Args& args) {
  const std::string env =
      args.str("env", "CartPole-v1", "environment id (" + join(rl::registered_ids()) + ")");
  const std::string algo_name = args.str("algo", "ppo", "reinforce, a2c or ppo");
  const long seed = args.integer("seed", 0, "seed of the run (environments, networks, sampling)");
  const std::string seeds_spec = args.str(
      "seeds", "", "train several seeds at once, e.g. 0-15 or 0,3,7 (population training)");
  const long jobs =
      args.integer("jobs", 0, "with --seeds: runs trained at a time (0: all hardware threads)");
  const long steps = args.integer("steps", 0, "environment steps (0: the default for env/algo)");
  const std::string file = args.str(
      "output", "", "write the policy and curves to FILE.h5 and the plot to FILE.png", 'o');
  const std::string dir =
      args.str("out", "", "write DIR/<env>_<algo>_seed<S>.h5 and .png (default DIR: .)");
  const bool no_save = args.flag("no-save", "write no files");
  const long threads = args.integer("threads", 1, "threads (0: all); results do not depend on it");
  // --optimizer (default adam with eps 1e-5, as Stable-Baselines3), --lr (default: the tuned one
  // for env and algo), --beta1, ...: generated from the core's rule table.
  std::vector<std::string> rule_given;
  const core::RuleOptions rule =
      rule_flags(args, rl::AgentConfig::default_rule(), "adam", &rule_given);
  const long envs = args.integer("num-envs", 0, "environments per rollout (0: the default)");
  const std::string precision = args.str("precision", "", "float32 or float64 (default: float32)");
  const long episodes = args.integer("eval-episodes", 100, "greedy evaluation episodes (0: none)");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Trains a policy-gradient agent with the tuned defaults for the environment and\n"
        "algorithm (rl::default_config), showing progress on stderr, then evaluates the greedy\n"
        "policy over --eval-episodes episodes (reset seeds seed + 1000000 + i) and prints the\n"
        "mean +- std return, the wall-clock time and the environment steps. It writes the\n"
        "policy (actor MLP, log-std, observation statistics, critic), the learning curve\n"
        "(table learning_curve: env_steps, return, length, wall_time), the per-update metrics\n"
        "(table updates) and the config to <env>_<algo>_seed<S>.h5, and the learning curve to\n"
        "the .png beside it ('adamant rl eval --policy FILE.h5' evaluates it again).\n\n"
        "With --seeds (e.g. 0-15) it trains every seed at once, --jobs runs at a time, each\n"
        "identical to its single-seed run, evaluates each, prints a table and the seeds solved\n"
        "per second, and writes each seed's policy file plus <env>_<algo>_seeds<A>-<B>.h5\n"
        "(table: seed, env_steps, train_seconds, return_last20, eval_mean, eval_std, solved)\n"
        "and its .png.");
    return 0;
  }
  args.finish();
  rl::Algo algo;
  try {
    algo = rl::parse_algo(algo_name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto ids = rl::registered_ids();
  if (std::find(ids.begin(), ids.end(), env) == ids.end())
    throw UsageError("unknown environment '" + env + "' (known: " + join(ids) + ")");
  if (seed < 0) throw UsageError("--seed must be >= 0");
  if (steps < 0) throw UsageError("--steps must be >= 0");
  if (threads < 0) throw UsageError("--threads must be >= 0");
  if (envs < 0) throw UsageError("--num-envs must be >= 0");
  if (episodes < 0) throw UsageError("--eval-episodes must be >= 0");
  rl::AgentConfig c = rl::default_config(env, algo);
  c.seed = static_cast<std::uint64_t>(seed);
  if (steps > 0) c.total_steps = steps;
  const double tuned_lr = c.lr();
  c.rule = rule;
  if (std::find(rule_given.begin(), rule_given.end(), "lr") == rule_given.end()) c.set_lr(tuned_lr);
  if (envs > 0) c.num_envs = static_cast<int>(envs);
  if (!precision.empty()) c.precision = precision;
  c.num_threads = static_cast<int>(threads);
  if (const std::string why = c.validate(); !why.empty()) throw UsageError(why);
  if (jobs < 0) throw UsageError("--jobs must be >= 0");
  if (!seeds_spec.empty())
    return train_population(c, parse_seed_list(seeds_spec), jobs, episodes, file, dir, no_save,
                            quiet);
  const Output out = output_paths(
      file, dir, env + "_" + rl::to_string(algo) + "_seed" + std::to_string(seed), no_save);

  std::cout << "adamant rl train: " << c.describe() << "\n" << std::flush;
  ProgressLine line(quiet);
  const rl::TrainResult run =
      rl::train(c, [&](const rl::Progress& p) { line.show(progress_text(p)); });
  line.show(progress_text([&] {
              rl::Progress p;
              p.env_steps = run.env_steps;
              p.total_steps = c.total_steps;
              p.episodes = static_cast<std::int64_t>(run.episodes.size());
              p.mean_return_last20 = run.mean_last_returns(20);
              p.elapsed = run.wall_seconds;
              p.steps_per_second = run.wall_seconds > 0 ? run.env_steps / run.wall_seconds : 0;
              return p;
            }()),
            true);
  line.done();
  std::printf("trained: %lld env steps, %zu episodes, %zu updates in %.2f s (%.0f steps/s)\n",
              static_cast<long long>(run.env_steps), run.episodes.size(), run.updates.size(),
              run.wall_seconds, run.wall_seconds > 0 ? run.env_steps / run.wall_seconds : 0.0);
  std::printf("mean return of the last 20 training episodes: %.1f\n", run.mean_last_returns(20));
  if (episodes > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t eval_seed = c.seed + rl::kEvalSeedOffset;
    const rl::EvalResult e =
        rl::evaluate(run.policy, env, static_cast<int>(episodes), eval_seed, true, c.num_threads);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "greedy evaluation, %ld episodes (seeds %llu..%llu): mean return %.1f +- %.1f "
        "(%.2f s)\n",
        episodes, static_cast<unsigned long long>(eval_seed),
        static_cast<unsigned long long>(eval_seed + episodes - 1), e.mean, e.std, dt);
  }
  std::printf("wall-clock: %.2f s training, env steps: %lld\n", run.wall_seconds,
              static_cast<long long>(run.env_steps));
  if (!out.h5.empty()) {
    rl::save_policy(out.h5, run.policy, &run);
    rl::plot_training(run, out.png);
    std::printf("wrote %s (policy, learning_curve, updates, config) and %s\n", out.h5.c_str(),
                out.png.c_str());
  }
  return 0;
}

int eval(Args& args) {
  const std::string policy = args.str("policy", "", "a policy file written by 'adamant rl train'");
  const long episodes = args.integer("episodes", 100, "episodes (reset seeds seed, seed + 1, ...)");
  const long seed = args.integer("seed", 0, "first reset seed");
  const std::string env = args.str("env", "", "environment id (default: the policy's)");
  const bool stochastic = args.flag("stochastic", "sample actions instead of acting greedily");
  const long threads = args.integer("threads", 1, "threads for the environments");
  const std::string frames =
      args.str("frames", "", "also write the frames of episode 0 as DIR/frame_NNNNN.png");
  const long every = args.integer("frame-every", 1, "with --frames: every Nth frame");
  if (args.help()) {
    std::cout << args.usage(
        "Evaluates a saved policy: runs --episodes episodes, episode i reset with seed + i,\n"
        "acting greedily (argmax / mean) unless --stochastic, and prints the mean +- std return.\n"
        "With --frames DIR it also renders the first episode (seed --seed) to PNG frames, to\n"
        "watch the policy (e.g. ffmpeg -i DIR/frame_%05d.png cartpole.mp4).");
    return 0;
  }
  args.finish();
  if (policy.empty()) throw UsageError("missing --policy FILE.h5");
  if (episodes < 1) throw UsageError("--episodes must be >= 1");
  if (seed < 0) throw UsageError("--seed must be >= 0");
  if (threads < 0) throw UsageError("--threads must be >= 0");
  if (every < 1) throw UsageError("--frame-every must be >= 1");
  const rl::Policy p = rl::load_policy(policy);
  const std::string id = env.empty() ? p.env_id : env;
  const auto t0 = std::chrono::steady_clock::now();
  const rl::EvalResult e =
      rl::evaluate(p, id, static_cast<int>(episodes), static_cast<std::uint64_t>(seed), !stochastic,
                   static_cast<int>(threads));
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double lo = e.returns.front(), hi = e.returns.front();
  for (double r : e.returns) lo = std::min(lo, r), hi = std::max(hi, r);
  std::printf(
      "%s (%s, %s): %ld %s episodes (seeds %ld..%ld): mean return %.2f +- %.2f "
      "(min %.1f, max %.1f), %.2f s\n",
      policy.c_str(), rl::to_string(p.algo), id.c_str(), episodes,
      stochastic ? "stochastic" : "greedy", seed, seed + episodes - 1, e.mean, e.std, lo, hi, dt);
  if (!frames.empty()) {
    const int n = rl::write_episode_frames(p, id, static_cast<std::uint64_t>(seed), frames,
                                           static_cast<int>(every), stochastic);
    std::printf("wrote %d frames of episode 0 to %s/\n", n, frames.c_str());
  }
  return 0;
}

int study(Args& args) {
  rl::StudyConfig s;
  s.seeds = static_cast<int>(args.integer("seeds", s.seeds, "seeds per configuration"));
  s.first_seed = static_cast<std::uint64_t>(
      args.integer("first-seed", 0, "seeds first-seed, first-seed+1, ..."));
  s.total_steps = args.integer("steps", s.total_steps, "environment steps per run");
  s.episodes_per_update = static_cast<int>(
      args.integer("episodes", s.episodes_per_update, "episodes per REINFORCE update (B)"));
  s.sgd_lr = args.num("sgd-lr", s.sgd_lr, "SGD's learning rate");
  s.adam_lr = args.num("adam-lr", s.adam_lr, "Adam's learning rate");
  s.probe_every =
      static_cast<int>(args.integer("probe-every", s.probe_every, "updates between probes"));
  s.probe_batches =
      static_cast<int>(args.integer("probe-batches", s.probe_batches, "batches per probe (K)"));
  s.num_threads = static_cast<int>(args.integer("threads", 1, "threads (0: all)"));
  const std::string file =
      args.str("output", "", "write the tables to FILE.h5 and the plot to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/rl_study.h5 and .png (default DIR: .)");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "REINFORCE on CartPole-v1 with SGD and Adam, with and without a learned value\n"
        "baseline, over several seeds. Every --probe-every updates it freezes the parameters\n"
        "and draws K independent batches to measure the policy-gradient estimator's variance\n"
        "tr Cov[g], its noise-to-signal ratio tr Cov[g]/|mean g|^2 and that of the optimizer's\n"
        "step tr Cov[d]/|mean d|^2 (definitions in rl/include/adamant/rl/study.hpp). Prints the\n"
        "table (final return: mean of the last 20 training episodes, mean +- std over seeds)\n"
        "and writes the tables study and curves (return vs env steps) to rl_study.h5 and the\n"
        "return curves and variance ratios to rl_study.png.");
    return 0;
  }
  args.finish();
  if (const std::string why = s.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "rl_study", no_save);
  std::printf(
      "adamant rl study: REINFORCE on %s, %d seeds x 4 configurations, %lld steps per "
      "run, %d episodes per update, probes every %d updates with K = %d batches\n",
      s.env_id.c_str(), s.seeds, static_cast<long long>(s.total_steps), s.episodes_per_update,
      s.probe_every, s.probe_batches);
  std::fflush(stdout);
  ProgressLine line(quiet, 0.0);
  const rl::StudyResult r =
      rl::run_variance_study(s, [&](const std::string& msg) { line.show(msg, true); });
  line.done();
  std::printf("\n%s", r.format().c_str());
  std::printf(
      "\n(%.1f s; final return: last 20 training episodes; variances at fixed parameters, "
      "averaged over probes and seeds)\n",
      r.wall_seconds);
  if (!out.h5.empty()) {
    rl::write_study(out.h5, r);
    rl::plot_study(r, out.png);
    std::printf("wrote %s (tables study, curves) and %s\n", out.h5.c_str(), out.png.c_str());
  }
  return 0;
}

const std::vector<Action>& actions() {
  static const std::vector<Action> all = {
      {"train", "train REINFORCE / A2C / PPO on an environment, evaluate, save", train},
      {"eval", "evaluate a saved policy (mean +- std return)", eval},
      {"study", "SGD vs Adam x baseline on REINFORCE: returns and gradient variance", study},
  };
  return all;
}

}  // namespace

int run_rl(Args& args) { return run_action(args, "rl", actions()); }

}  // namespace adamant::cli
