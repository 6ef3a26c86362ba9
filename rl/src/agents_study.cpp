// The Adam / SGD × baseline variance study on REINFORCE (definitions in adamant/rl/study.hpp).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "adamant/core/threads.hpp"
#include "adamant/rl/study.hpp"
#include "agents_internal.hpp"

namespace adamant::rl {

std::string StudyConfig::validate() const {
  std::vector<std::string> e;
  const auto known = registered_ids();
  if (std::find(known.begin(), known.end(), env_id) == known.end())
    e.push_back("env_id '" + env_id + "' is not a registered environment");
  if (seeds < 1) e.push_back("seeds must be >= 1, got " + std::to_string(seeds));
  if (total_steps < 1) e.push_back("total_steps must be >= 1, got " + std::to_string(total_steps));
  if (episodes_per_update < 1)
    e.push_back("episodes_per_update must be >= 1, got " + std::to_string(episodes_per_update));
  if (!(gamma >= 0 && gamma <= 1)) e.push_back("gamma must be in [0, 1]");
  if (!(sgd_lr > 0)) e.push_back("sgd_lr must be > 0");
  if (!(adam_lr > 0)) e.push_back("adam_lr must be > 0");
  if (!(vf_coef >= 0)) e.push_back("vf_coef must be >= 0");
  if (probe_every < 1) e.push_back("probe_every must be >= 1, got " + std::to_string(probe_every));
  if (probe_batches < 2)
    e.push_back("probe_batches must be >= 2, got " + std::to_string(probe_batches));
  if (curve_points < 2) e.push_back("curve_points must be >= 2");
  if (num_threads < 0) e.push_back("num_threads must be >= 0");
  for (int h : hidden)
    if (h < 1) e.push_back("hidden widths must be >= 1");
  std::string s;
  for (std::size_t i = 0; i < e.size(); ++i) s += (i ? "; " : "") + e[i];
  return s;
}

namespace {

struct RunStats {
  double final_return = 0;
  double grad_var = 0, rel_grad_var = 0, rel_update_var = 0;
  std::vector<double> curve;
};

/// Variance of K vectors (columns): 1/(K−1) Σ‖x_k − x̄‖², and ‖x̄‖².
void spread(const Eigen::MatrixXd& x, double* var, double* mean_sq) {
  const Eigen::VectorXd m = x.rowwise().mean();
  double v = 0;
  for (Eigen::Index k = 0; k < x.cols(); ++k) v += (x.col(k) - m).squaredNorm();
  *var = v / static_cast<double>(x.cols() - 1);
  *mean_sq = m.squaredNorm();
}

RunStats run_one(const StudyConfig& s, const std::string& optimizer, bool baseline,
                 std::uint64_t seed, const std::vector<double>& marks) {
  AgentConfig c = default_config(s.env_id, Algo::kReinforce);
  c.seed = seed;
  c.total_steps = s.total_steps;
  c.num_envs = s.episodes_per_update;
  c.num_threads = s.num_threads;
  c.precision = "float64";
  c.actor_hidden = s.hidden;
  c.critic_hidden = s.hidden;
  c.activation = core::Activation::kTanh;
  c.actor_output_scale = 1.0;
  c.normalize_obs = false;
  // Plain SGD (no momentum), or Adam with PyTorch's β and ε = 1e-8.
  c.rule = core::rule_options(optimizer);
  c.set_lr(optimizer == "adam" ? s.adam_lr : s.sgd_lr);
  c.max_grad_norm = 0;
  c.anneal_lr = false;
  c.gamma = s.gamma;
  c.normalize_advantage = false;
  c.baseline = baseline;
  c.vf_coef = s.vf_coef;
  c.ent_coef = 0;
  agent_detail::Trainer<double> trainer(c);
  auto& net = trainer.net();
  const Eigen::Index na = net.num_actor_parameters();
  const Eigen::Index P = net.num_parameters();

  // The probes' own environments and generator.
  const std::vector<std::uint64_t> seeds = agent_detail::derived_seeds(seed);
  VecEnv probe_env(s.env_id, s.episodes_per_update, core::resolve_threads(s.num_threads));
  Generator probe_rng(seeds[2]);
  agent_detail::EpisodeBatch<double> batch;
  const int cap = make(s.env_id)->max_episode_steps() + 1;
  const int D = probe_env.single_action_space().kind == Space::Kind::kDiscrete
                    ? 0
                    : probe_env.single_action_space().size();
  batch.init(s.episodes_per_update, probe_env.obs_dim(), D, cap);
  bool probe_seeded = false;
  const int K = s.probe_batches;
  Eigen::MatrixXd G(na, K), Dm(na, K);
  Eigen::VectorXd grad(P);
  LossOptions policy_only;
  policy_only.objective = Objective::kVanilla;
  policy_only.vf_coef = 0;
  policy_only.ent_coef = 0;
  LossOptions full = policy_only;
  full.vf_coef = baseline ? s.vf_coef : 0.0;

  RunStats st;
  int probes = 0;
  while (trainer.update()) {
    if (trainer.num_updates() % s.probe_every != 0) continue;
    const Eigen::VectorXd theta = trainer.params();
    for (int k = 0; k < K; ++k) {
      std::optional<std::uint64_t> ps;
      if (!probe_seeded) ps = seeds[2] & 0x7fffffffu;
      probe_seeded = true;
      agent_detail::collect_episodes(probe_env, net, theta, probe_rng, ps, trainer.normalizer(),
                                     false, s.gamma, baseline, false, batch);
      const SampleBatch<double> sb = agent_detail::sample_batch(batch);
      net.loss(theta, sb, policy_only, &grad);
      G.col(k) = grad.head(na);
      if (baseline) net.loss(theta, sb, full, &grad);  // the gradient training would use
      core::Optimizer<double> opt = trainer.optimizer();
      Eigen::VectorXd p = theta;
      opt.step(p, grad);
      Dm.col(k) = (p - theta).head(na);
    }
    double vg = 0, g2 = 0, vd = 0, d2 = 0;
    spread(G, &vg, &g2);
    spread(Dm, &vd, &d2);
    st.grad_var += vg;
    st.rel_grad_var += g2 > 0 ? vg / g2 : std::numeric_limits<double>::infinity();
    st.rel_update_var += d2 > 0 ? vd / d2 : std::numeric_limits<double>::infinity();
    ++probes;
  }
  if (probes > 0) {
    st.grad_var /= probes;
    st.rel_grad_var /= probes;
    st.rel_update_var /= probes;
  } else {
    st.grad_var = st.rel_grad_var = st.rel_update_var = std::numeric_limits<double>::quiet_NaN();
  }
  const TrainResult r = trainer.result();
  st.final_return = r.mean_last_returns(20);
  // Return curve: mean of the last 20 episodes finished by each mark.
  std::size_t next = 0;
  std::vector<double> window;
  for (double mark : marks) {
    while (next < r.episodes.size() && static_cast<double>(r.episodes[next].env_steps) <= mark)
      window.push_back(r.episodes[next++].ret);
    if (window.empty()) {
      st.curve.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    const std::size_t n = std::min<std::size_t>(20, window.size());
    double sum = 0;
    for (std::size_t i = window.size() - n; i < window.size(); ++i) sum += window[i];
    st.curve.push_back(sum / static_cast<double>(n));
  }
  return st;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? std::numeric_limits<double>::quiet_NaN() : s / static_cast<double>(v.size());
}

double std_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

}  // namespace

StudyResult run_variance_study(const StudyConfig& config,
                               const std::function<void(const std::string&)>& progress) {
  if (const std::string why = config.validate(); !why.empty())
    throw std::invalid_argument("StudyConfig: " + why);
  const auto start = std::chrono::steady_clock::now();
  StudyResult res;
  res.config = config;
  for (int i = 0; i < config.curve_points; ++i)
    res.curve_steps.push_back(static_cast<double>(config.total_steps) * (i + 1) /
                              config.curve_points);
  struct Setting {
    const char* name;
    const char* opt;
    bool baseline;
  };
  const Setting settings[4] = {{"sgd", "sgd", false},
                               {"sgd+baseline", "sgd", true},
                               {"adam", "adam", false},
                               {"adam+baseline", "adam", true}};
  for (const Setting& set : settings) {
    StudyRow row;
    row.name = set.name;
    row.optimizer = set.opt;
    row.baseline = set.baseline;
    row.lr = row.optimizer == "adam" ? config.adam_lr : config.sgd_lr;
    std::vector<double> gv, rg, ru;
    std::vector<std::vector<double>> curves;
    for (int k = 0; k < config.seeds; ++k) {
      const std::uint64_t seed = config.first_seed + static_cast<std::uint64_t>(k);
      const RunStats st = run_one(config, row.optimizer, row.baseline, seed, res.curve_steps);
      row.final_returns.push_back(st.final_return);
      gv.push_back(st.grad_var);
      rg.push_back(st.rel_grad_var);
      ru.push_back(st.rel_update_var);
      curves.push_back(st.curve);
      if (progress) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "%-14s seed %llu: final return %.1f, tr Cov[g] %.3g, rel. var g %.3g, "
                      "rel. var step %.3g",
                      row.name.c_str(), static_cast<unsigned long long>(seed), st.final_return,
                      st.grad_var, st.rel_grad_var, st.rel_update_var);
        progress(buf);
      }
    }
    row.final_mean = mean_of(row.final_returns);
    row.final_std = std_of(row.final_returns);
    row.grad_variance = mean_of(gv);
    row.relative_grad_variance = mean_of(rg);
    row.relative_update_variance = mean_of(ru);
    for (std::size_t j = 0; j < res.curve_steps.size(); ++j) {
      std::vector<double> at;
      for (const auto& c : curves)
        if (std::isfinite(c[j])) at.push_back(c[j]);
      row.curve_mean.push_back(mean_of(at));
      row.curve_std.push_back(std_of(at));
    }
    res.rows.push_back(std::move(row));
  }
  res.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

datasets::Table StudyResult::table() const {
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  auto col = [&](auto f) {
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = f(rows[static_cast<std::size_t>(i)]);
    return v;
  };
  datasets::Table t;
  t.add("optimizer_adam", col([](const StudyRow& r) { return r.optimizer == "adam" ? 1.0 : 0.0; }));
  t.add("baseline", col([](const StudyRow& r) { return r.baseline ? 1.0 : 0.0; }));
  t.add("lr", col([](const StudyRow& r) { return r.lr; }));
  t.add("final_return_mean", col([](const StudyRow& r) { return r.final_mean; }));
  t.add("final_return_std", col([](const StudyRow& r) { return r.final_std; }));
  t.add("grad_variance", col([](const StudyRow& r) { return r.grad_variance; }));
  t.add("relative_grad_variance", col([](const StudyRow& r) { return r.relative_grad_variance; }));
  t.add("relative_update_variance",
        col([](const StudyRow& r) { return r.relative_update_variance; }));
  const std::size_t seeds = rows.empty() ? 0 : rows.front().final_returns.size();
  for (std::size_t k = 0; k < seeds; ++k)
    t.add("final_return_seed_" + std::to_string(config.first_seed + k),
          col([k](const StudyRow& r) { return r.final_returns[k]; }));
  std::string names;
  for (const StudyRow& r : rows) names += (names.empty() ? "" : ",") + r.name;
  datasets::AttrValue v;
  v.s = names;
  t.metadata["configurations"] = v;
  return t;
}

datasets::Table StudyResult::curves() const {
  datasets::Table t;
  t.add("env_steps", Eigen::Map<const Eigen::VectorXd>(
                         curve_steps.data(), static_cast<Eigen::Index>(curve_steps.size())));
  for (const StudyRow& r : rows) {
    t.add(r.name + "_mean",
          Eigen::Map<const Eigen::VectorXd>(r.curve_mean.data(),
                                            static_cast<Eigen::Index>(r.curve_mean.size())));
    t.add(r.name + "_std", Eigen::Map<const Eigen::VectorXd>(
                               r.curve_std.data(), static_cast<Eigen::Index>(r.curve_std.size())));
  }
  return t;
}

std::string StudyResult::format() const {
  std::ostringstream o;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-14s %8s %18s %14s %16s %17s\n", "configuration", "lr",
                "final return", "tr Cov[g]", "tr Cov[g]/|g|^2", "tr Cov[d]/|d|^2");
  o << buf;
  for (const StudyRow& r : rows) {
    std::snprintf(buf, sizeof buf, "%-14s %8.0e %9.1f +- %5.1f %14.4g %16.4g %17.4g\n",
                  r.name.c_str(), r.lr, r.final_mean, r.final_std, r.grad_variance,
                  r.relative_grad_variance, r.relative_update_variance);
    o << buf;
  }
  return o.str();
}

}  // namespace adamant::rl
