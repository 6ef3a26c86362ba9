// `adamant rl`: train policy-gradient agents on the classic-control environments, evaluate saved
// policies, and run the Adam / SGD variance study.
//
//   adamant rl train --env CartPole-v1 --algo ppo --seed 0 [--steps N] [-o FILE.h5 | --out DIR]
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
#include <iostream>
#include <string>
#include <vector>

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

int train(Args& args) {
  const std::string env =
      args.str("env", "CartPole-v1", "environment id (" + join(rl::registered_ids()) + ")");
  const std::string algo_name = args.str("algo", "ppo", "reinforce, a2c or ppo");
  const long seed = args.integer("seed", 0, "seed of the run (environments, networks, sampling)");
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
        "the .png beside it ('adamant rl eval --policy FILE.h5' evaluates it again).");
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
