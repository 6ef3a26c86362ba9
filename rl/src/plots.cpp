// PNG figures of training runs, the variance study and episode frames (plots.hpp).

#include "adamant/rl/plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"
#include "adamant/rl/render.hpp"

namespace adamant::rl {

namespace plt = plot;

double reward_threshold(const std::string& env_id) {
  if (env_id == "CartPole-v1") return 475.0;
  if (env_id == "Acrobot-v1") return -100.0;
  if (env_id == "MountainCar-v0") return -110.0;
  if (env_id == "MountainCarContinuous-v0") return 90.0;
  if (env_id == "Pendulum-v1") return std::numeric_limits<double>::quiet_NaN();
  throw std::invalid_argument("reward_threshold: unknown environment '" + env_id + "'");
}

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// A learning curve: x = environment steps at each episode's end, y = the mean return of the
/// last 20 episodes (fewer at the start).
struct Curve {
  std::vector<double> x, mean20;
};
Curve last20_curve(const std::vector<EpisodeRecord>& episodes) {
  Curve c;
  double window_sum = 0;
  for (std::size_t i = 0; i < episodes.size(); ++i) {
    window_sum += episodes[i].ret;
    if (i >= 20) window_sum -= episodes[i - 20].ret;
    c.x.push_back(static_cast<double>(episodes[i].env_steps));
    c.mean20.push_back(window_sum / static_cast<double>(std::min<std::size_t>(i + 1, 20)));
  }
  return c;
}

}  // namespace

void plot_training(const TrainResult& run, const std::string& png_path) {
  const std::string& env = run.config.env_id;
  plt::Figure fig(1200, 480, 1, 2);
  fig.set_title(env + ", " + to_string(run.config.algo) + ", seed " +
                std::to_string(run.config.seed));

  plt::Axes& left = fig.axes(0, 0);
  const Curve curve = last20_curve(run.episodes);
  std::vector<double> ret;
  for (const EpisodeRecord& e : run.episodes) ret.push_back(e.ret);
  plt::ScatterSeries& dots = left.scatter(curve.x, ret, "episode");
  dots.size = 3.5;
  dots.alpha = 0.35;
  left.plot(curve.x, curve.mean20, "mean of the last 20");
  const double solved = reward_threshold(env);
  if (std::isfinite(solved)) left.axhline(solved).label = "solved (" + fixed(solved, 0) + ")";
  left.set_xlabel("environment steps");
  left.set_ylabel("episode return");
  left.set_title("learning curve");
  left.set_legend(plt::Legend::kLowerRight);

  plt::Axes& right = fig.axes(0, 1);
  std::vector<double> ux, entropy, explained;
  for (const UpdateRecord& u : run.updates) {
    ux.push_back(static_cast<double>(u.env_steps));
    entropy.push_back(u.entropy);
    explained.push_back(u.explained_variance);
  }
  right.plot(ux, entropy, "policy entropy");
  right.plot(ux, explained, "explained variance (critic)");
  right.set_xlabel("environment steps");
  right.set_title("per update");
  right.set_legend(plt::Legend::kBest);
  fig.save_png(png_path);
}

void plot_population(const std::vector<TrainResult>& runs, const std::vector<double>& eval_means,
                     const std::string& png_path) {
  if (runs.empty()) throw std::invalid_argument("plot_population: no runs");
  if (eval_means.size() != runs.size())
    throw std::invalid_argument("plot_population: one evaluation mean per run expected");
  const std::string& env = runs.front().config.env_id;
  plt::Figure fig(1200, 480, 1, 2);
  fig.set_title(env + ", " + to_string(runs.front().config.algo) + ": " +
                std::to_string(runs.size()) + " runs trained together");
  plt::Axes& left = fig.axes(0, 0);
  std::vector<double> ticks, bars;
  std::vector<std::string> names;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const Curve curve = last20_curve(runs[r].episodes);
    const std::string name = "seed " + std::to_string(runs[r].config.seed);
    plt::LineSeries& line = left.plot(curve.x, curve.mean20, runs.size() <= 10 ? name : "");
    line.color = plt::tab10(static_cast<int>(r % 10));
    ticks.push_back(static_cast<double>(r));
    bars.push_back(std::isfinite(eval_means[r]) ? eval_means[r] : 0.0);
    names.push_back(std::to_string(runs[r].config.seed));
  }
  const double solved = reward_threshold(env);
  if (std::isfinite(solved)) left.axhline(solved).label = "solved (" + fixed(solved, 0) + ")";
  left.set_xlabel("environment steps");
  left.set_ylabel("return (mean of the last 20 episodes)");
  left.set_title("learning curves");
  left.set_legend(plt::Legend::kLowerRight);
  plt::Axes& right = fig.axes(0, 1);
  right.bar(ticks, bars, "greedy evaluation mean").width = 0.7;
  if (std::isfinite(solved)) right.axhline(solved).label = "solved";
  right.set_xticks(ticks, names);
  right.set_xlabel("seed");
  right.set_ylabel("mean return");
  right.set_title("evaluation");
  right.set_legend(plt::Legend::kBest);
  fig.save_png(png_path);
}

void plot_study(const StudyResult& result, const std::string& png_path) {
  plt::Figure fig(1200, 500, 1, 2);
  fig.set_title("REINFORCE on " + result.config.env_id + ": SGD vs Adam, with and without a " +
                "baseline (" + std::to_string(result.config.seeds) + " seeds)");
  plt::Axes& left = fig.axes(0, 0);
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const StudyRow& r = result.rows[i];
    std::vector<double> lo(r.curve_mean.size()), hi(r.curve_mean.size());
    for (std::size_t k = 0; k < lo.size(); ++k) {
      lo[k] = r.curve_mean[k] - r.curve_std[k];
      hi[k] = r.curve_mean[k] + r.curve_std[k];
    }
    plt::LineSeries& line = left.plot(result.curve_steps, r.curve_mean, r.name);
    line.color = plt::tab10(static_cast<int>(i));
    line.dashed = r.optimizer == "sgd";
    left.fill_between(result.curve_steps, lo, hi, line.color).alpha = 0.15;
  }
  const double solved = reward_threshold(result.config.env_id);
  if (std::isfinite(solved)) left.axhline(solved).label = "solved (" + fixed(solved, 0) + ")";
  left.set_xlabel("environment steps");
  left.set_ylabel("return (last 20 episodes), mean ± std");
  left.set_title("returns");
  left.set_legend(plt::Legend::kUpperLeft);

  plt::Axes& right = fig.axes(0, 1);
  std::vector<double> xg, xu, g, u;
  std::vector<std::string> names;
  std::vector<double> ticks;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    xg.push_back(static_cast<double>(i) - 0.2);
    xu.push_back(static_cast<double>(i) + 0.2);
    g.push_back(result.rows[i].relative_grad_variance);
    u.push_back(result.rows[i].relative_update_variance);
    names.push_back(result.rows[i].name);
    ticks.push_back(static_cast<double>(i));
  }
  right.bar(xg, g, "gradient estimate  tr Cov[g] / |E g|²").width = 0.4;
  right.bar(xu, u, "optimizer step  tr Cov[d] / |E d|²").width = 0.4;
  right.set_xticks(ticks, names);
  right.set_ylabel("noise-to-signal ratio");
  right.set_title("variance at fixed parameters");
  right.set_legend(plt::Legend::kUpperLeft);
  fig.save_png(png_path);
}

int write_episode_frames(const Policy& policy, const std::string& env_id, std::uint64_t seed,
                         const std::string& dir, int every, bool stochastic) {
  if (every < 1) throw std::invalid_argument("write_episode_frames: every must be >= 1");
  auto env = make(env_id);
  PolicyRunner runner(policy, 1);
  Generator rng(seed);
  std::filesystem::create_directories(dir);
  std::vector<float> obs(static_cast<std::size_t>(env->obs_dim()));
  std::vector<float> action(static_cast<std::size_t>(std::max(1, env->action_space().size())));
  const bool discrete = env->action_space().kind == Space::Kind::kDiscrete;
  env->reset(obs.data(), seed);
  int written = 0;
  auto frame = [&](int t, std::optional<double> last_u) {
    char name[32];
    std::snprintf(name, sizeof name, "/frame_%05d.png", t);
    const Image img =
        env_id == "Pendulum-v1" ? render_pendulum(env->state(), last_u) : render(*env);
    datasets::write_png(dir + name, img);
    ++written;
  };
  frame(0, std::nullopt);
  for (int t = 1;; ++t) {
    std::int64_t a = 0;
    runner.act(obs.data(), 1, !stochastic, &rng, &a, action.data());
    const StepResult r = discrete ? env->step(a, obs.data()) : env->step(action.data(), obs.data());
    const bool last = r.terminated || r.truncated;
    if (t % every == 0 || last) {
      frame(t, discrete ? std::nullopt : std::optional<double>(action[0]));
    }
    if (last) break;
  }
  return written;
}

}  // namespace adamant::rl
