// Policy-gradient agents (agents.hpp): exact gradients of the log-prob / entropy / PPO losses
// against central finite differences (categorical and Gaussian policies); thread-count
// independence of the loss; sampling frequencies; config validation messages; bit-identical
// training for a seed on 1 and 2 threads; PPO solving CartPole-v1 end to end; the policy file
// round trip; the Adam / SGD variance study's table.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/rl/agents.hpp"
#include "adamant/rl/study.hpp"

#include "../../rl/src/agents_internal.hpp"

#include "../common/sanitizer.hpp"

namespace {

using adamant::rl::ActorCritic;
using adamant::rl::AgentConfig;
using adamant::rl::Algo;
using adamant::rl::LossOptions;
using adamant::rl::LossStats;
using adamant::rl::Objective;
using adamant::rl::SampleBatch;
using adamant::rl::Space;

Space discrete_space(int n) {
  Space s;
  s.kind = Space::Kind::kDiscrete;
  s.n = n;
  return s;
}

Space box_space(int d) {
  Space s;
  s.kind = Space::Kind::kBox;
  s.shape = {d};
  s.low.assign(static_cast<std::size_t>(d), -2.f);
  s.high.assign(static_cast<std::size_t>(d), 2.f);
  return s;
}

/// Synthetic data for a loss: random observations, actions from the current policy's
/// neighbourhood, advantages, returns, and old log-probs / values perturbed from the current
/// ones so that some ratios are clipped and some are not.
struct Synthetic {
  int n = 0;
  std::vector<double> obs, actions_c, adv, ret, logp_old, values_old;
  std::vector<std::int64_t> actions;
  SampleBatch<double> batch() const {
    SampleBatch<double> b;
    b.size = n;
    b.obs = obs.data();
    b.actions = actions.data();
    b.actions_c = actions_c.data();
    b.advantages = adv.data();
    b.returns = ret.data();
    b.logp_old = logp_old.data();
    b.values_old = values_old.data();
    return b;
  }
};

Synthetic make_data(ActorCritic<double>& net, const Eigen::VectorXd& p, int n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(-1.0, 1.0);
  Synthetic d;
  d.n = n;
  const int od = net.obs_dim(), ad = net.action_dim();
  d.obs.resize(static_cast<std::size_t>(n * od));
  for (double& v : d.obs) v = normal(g);
  d.actions.resize(static_cast<std::size_t>(n));
  d.actions_c.resize(static_cast<std::size_t>(n * ad));
  for (int i = 0; i < n; ++i) {
    d.actions[static_cast<std::size_t>(i)] =
        static_cast<std::int64_t>(g() % static_cast<unsigned>(ad));
    for (int k = 0; k < ad; ++k) d.actions_c[static_cast<std::size_t>(i * ad + k)] = normal(g);
  }
  d.adv.resize(static_cast<std::size_t>(n));
  d.ret.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    d.adv[static_cast<std::size_t>(i)] = normal(g);
    d.ret[static_cast<std::size_t>(i)] = 2.0 * normal(g);
  }
  std::vector<double> logp(static_cast<std::size_t>(n)), values(static_cast<std::size_t>(n));
  net.log_prob(p, d.obs.data(), d.actions.data(), d.actions_c.data(), n, logp.data(), nullptr);
  net.values(p, d.obs.data(), n, values.data());
  d.logp_old.resize(static_cast<std::size_t>(n));
  d.values_old.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    d.logp_old[static_cast<std::size_t>(i)] = logp[static_cast<std::size_t>(i)] + 0.4 * unif(g);
    d.values_old[static_cast<std::size_t>(i)] = values[static_cast<std::size_t>(i)] + 0.5 * unif(g);
  }
  return d;
}

ActorCritic<double> make_net(const Space& space, int obs_dim) {
  const auto actor =
      ActorCritic<double>::actor_spec(obs_dim, space, {8, 6}, adamant::core::Activation::kTanh);
  const auto critic =
      ActorCritic<double>::critic_spec(obs_dim, {7}, adamant::core::Activation::kTanh);
  return ActorCritic<double>(obs_dim, space, actor, critic);
}

/// max_i |g_i − fd_i| / (1e-6 + max_i |fd_i|), with central differences of step h.
double fd_error(ActorCritic<double>& net, const Eigen::VectorXd& p, const SampleBatch<double>& b,
                const LossOptions& o, double h = 1e-6) {
  Eigen::VectorXd g(p.size());
  net.loss(p, b, o, &g);
  double err = 0, scale = 0;
  Eigen::VectorXd q = p;
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    q[k] = p[k] + h;
    const double lp = net.loss(q, b, o, nullptr).loss;
    q[k] = p[k] - h;
    const double lm = net.loss(q, b, o, nullptr).loss;
    q[k] = p[k];
    const double fd = (lp - lm) / (2 * h);
    err = std::max(err, std::abs(fd - g[k]));
    scale = std::max(scale, std::abs(fd));
  }
  return err / (1e-6 + scale);
}

class GradientTest : public ::testing::TestWithParam<bool> {};  // discrete?

TEST_P(GradientTest, LossGradientsMatchFiniteDifferences) {
  const bool discrete = GetParam();
  const Space space = discrete ? discrete_space(3) : box_space(2);
  ActorCritic<double> net = make_net(space, 4);
  Eigen::VectorXd p(net.num_parameters());
  net.init_parameters(p, 7, 1.0, -0.3);
  if (!discrete) p.segment(net.log_std_offset(), 2) << -0.2, 0.3;
  const Synthetic d = make_data(net, p, 150, 11);  // 3 shards, the last partial
  const SampleBatch<double> b = d.batch();

  LossOptions logp_only;  // L = −mean(log π · Ψ): the log-prob gradient
  logp_only.objective = Objective::kVanilla;
  logp_only.vf_coef = 0;
  logp_only.ent_coef = 0;
  EXPECT_LT(fd_error(net, p, b, logp_only), 1e-7) << "log-prob gradient";

  LossOptions entropy_only = logp_only;  // L = −mean(H) with Ψ = 0
  entropy_only.ent_coef = 1.0;
  Synthetic zero = d;
  std::fill(zero.adv.begin(), zero.adv.end(), 0.0);
  EXPECT_LT(fd_error(net, p, zero.batch(), entropy_only), 1e-7) << "entropy gradient";

  LossOptions ppo;
  ppo.objective = Objective::kClipped;
  ppo.clip_range = 0.2;
  ppo.vf_coef = 0.5;
  ppo.ent_coef = 0.01;
  EXPECT_LT(fd_error(net, p, b, ppo), 1e-7) << "PPO loss gradient";
  const LossStats st = net.loss(p, b, ppo, nullptr);
  EXPECT_GT(st.clip_fraction, 0.1) << "the data should exercise the clipped branch";
  EXPECT_LT(st.clip_fraction, 0.9) << "the data should exercise the unclipped branch";

  ppo.clip_range_vf = 0.2;  // clipped value loss
  EXPECT_LT(fd_error(net, p, b, ppo), 1e-7) << "PPO loss gradient with clipped value loss";
}

INSTANTIATE_TEST_SUITE_P(Policies, GradientTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return std::string(i.param ? "Categorical" : "Gaussian");
                         });

TEST(Agents, LogProbAndEntropyMatchClosedForms) {
  {
    ActorCritic<double> net = make_net(discrete_space(3), 4);
    Eigen::VectorXd p(net.num_parameters());
    net.init_parameters(p, 3, 1.0, 0.0);
    const Synthetic d = make_data(net, p, 5, 2);
    std::vector<double> logp(5), ent(5);
    net.log_prob(p, d.obs.data(), d.actions.data(), nullptr, 5, logp.data(), ent.data());
    Eigen::Map<const adamant::core::Mlp<double>::MatrixX> x(d.obs.data(), 5, 4);
    const auto z = net.actor().evaluate(p.segment(0, net.actor().num_parameters()), x);
    for (int i = 0; i < 5; ++i) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += std::exp(z(i, k));
      double h = 0;
      for (int k = 0; k < 3; ++k) h -= std::exp(z(i, k)) / s * std::log(std::exp(z(i, k)) / s);
      EXPECT_NEAR(logp[static_cast<std::size_t>(i)],
                  z(i, d.actions[static_cast<std::size_t>(i)]) - std::log(s), 1e-12);
      EXPECT_NEAR(ent[static_cast<std::size_t>(i)], h, 1e-12);
    }
  }
  {
    ActorCritic<double> net = make_net(box_space(2), 4);
    Eigen::VectorXd p(net.num_parameters());
    net.init_parameters(p, 3, 1.0, 0.0);
    p.segment(net.log_std_offset(), 2) << -0.5, 0.25;
    const Synthetic d = make_data(net, p, 4, 2);
    std::vector<double> logp(4), ent(4);
    net.log_prob(p, d.obs.data(), nullptr, d.actions_c.data(), 4, logp.data(), ent.data());
    Eigen::Map<const adamant::core::Mlp<double>::MatrixX> x(d.obs.data(), 4, 4);
    const auto mu = net.actor().evaluate(p.segment(0, net.actor().num_parameters()), x);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 4; ++i) {
      double lp = 0, h = 0;
      for (int k = 0; k < 2; ++k) {
        const double sd = std::exp(p[net.log_std_offset() + k]);
        const double a = d.actions_c[static_cast<std::size_t>(i * 2 + k)];
        lp += std::log(std::exp(-0.5 * (a - mu(i, k)) * (a - mu(i, k)) / (sd * sd)) /
                       (sd * std::sqrt(2 * pi)));
        h += 0.5 * std::log(2 * pi * std::exp(1.0) * sd * sd);
      }
      EXPECT_NEAR(logp[static_cast<std::size_t>(i)], lp, 1e-12);
      EXPECT_NEAR(ent[static_cast<std::size_t>(i)], h, 1e-12);
    }
  }
}

TEST(Agents, ClippedObjectiveAtRatioOneHasTheVanillaGradient) {
  // At θ = θ_old (ρ = 1) nothing is clipped and ∇ mean(ρ Ψ) = ∇ mean(log π Ψ).
  ActorCritic<double> net = make_net(discrete_space(2), 3);
  Eigen::VectorXd p(net.num_parameters());
  net.init_parameters(p, 5, 1.0, 0.0);
  Synthetic d = make_data(net, p, 70, 9);
  net.log_prob(p, d.obs.data(), d.actions.data(), nullptr, d.n, d.logp_old.data(), nullptr);
  LossOptions a, b;
  a.objective = Objective::kClipped;
  b.objective = Objective::kVanilla;
  a.vf_coef = b.vf_coef = 0;
  Eigen::VectorXd ga(p.size()), gb(p.size());
  const LossStats sa = net.loss(p, d.batch(), a, &ga);
  net.loss(p, d.batch(), b, &gb);
  EXPECT_EQ(sa.clip_fraction, 0.0);
  EXPECT_NEAR(sa.approx_kl, 0.0, 1e-15);
  EXPECT_LT((ga - gb).cwiseAbs().maxCoeff(), 1e-14 * (1 + gb.cwiseAbs().maxCoeff()));
}

TEST(Agents, LossIsIndependentOfTheThreadCount) {
  for (bool discrete : {true, false}) {
    const Space space = discrete ? discrete_space(3) : box_space(2);
    const auto actor =
        ActorCritic<float>::actor_spec(4, space, {16, 16}, adamant::core::Activation::kTanh);
    const auto critic = ActorCritic<float>::critic_spec(4, {16}, adamant::core::Activation::kTanh);
    ActorCritic<float> one(4, space, actor, critic), two(4, space, actor, critic);
    one.reserve(300, 1);
    two.reserve(300, 2);
    Eigen::VectorXf p(one.num_parameters());
    one.init_parameters(p, 1, 0.5, 0.0);
    std::mt19937_64 g(4);
    std::normal_distribution<float> normal;
    const int n = 300;
    std::vector<float> obs(static_cast<std::size_t>(n * 4)), ac(static_cast<std::size_t>(n * 2));
    std::vector<std::int64_t> actions(static_cast<std::size_t>(n));
    std::vector<double> adv(static_cast<std::size_t>(n)), ret(static_cast<std::size_t>(n)),
        lo(static_cast<std::size_t>(n)), vo(static_cast<std::size_t>(n));
    for (float& v : obs) v = normal(g);
    for (float& v : ac) v = normal(g);
    for (int i = 0; i < n; ++i) {
      actions[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(g() % 3);
      adv[static_cast<std::size_t>(i)] = normal(g);
      ret[static_cast<std::size_t>(i)] = normal(g);
      lo[static_cast<std::size_t>(i)] = -1.0 + 0.1 * normal(g);
      vo[static_cast<std::size_t>(i)] = normal(g);
    }
    SampleBatch<float> b;
    b.size = n;
    b.obs = obs.data();
    b.actions = actions.data();
    b.actions_c = ac.data();
    b.advantages = adv.data();
    b.returns = ret.data();
    b.logp_old = lo.data();
    b.values_old = vo.data();
    LossOptions o;
    o.ent_coef = 0.01;
    o.clip_range_vf = 0.3;
    Eigen::VectorXf g1(p.size()), g2(p.size());
    const LossStats s1 = one.loss(p, b, o, &g1);
    const LossStats s2 = two.loss(p, b, o, &g2);
    EXPECT_EQ(s1.loss, s2.loss);
    EXPECT_EQ(s1.approx_kl, s2.approx_kl);
    EXPECT_TRUE((g1.array() == g2.array()).all()) << (discrete ? "categorical" : "gaussian");
  }
}

TEST(Agents, SamplingFollowsThePolicy) {
  ActorCritic<double> net = make_net(discrete_space(3), 2);
  Eigen::VectorXd p(net.num_parameters());
  net.init_parameters(p, 8, 3.0, 0.0);  // a clearly non-uniform policy
  const int n = 20000;
  std::vector<double> obs(static_cast<std::size_t>(2 * n));
  for (int i = 0; i < n; ++i) {
    obs[static_cast<std::size_t>(2 * i)] = 0.3;
    obs[static_cast<std::size_t>(2 * i + 1)] = -0.7;
  }
  std::vector<std::int64_t> a(static_cast<std::size_t>(n));
  std::vector<double> logp(static_cast<std::size_t>(n));
  adamant::rl::Generator rng(123);
  net.act(p, obs.data(), n, false, &rng, a.data(), nullptr, logp.data(), nullptr);
  std::vector<double> count(3, 0.0);
  for (auto v : a) count[static_cast<std::size_t>(v)] += 1;
  for (int k = 0; k < 3; ++k) {
    std::int64_t action = k;
    double lp = 0;
    net.log_prob(p, obs.data(), &action, nullptr, 1, &lp, nullptr);
    const double prob = std::exp(lp);
    EXPECT_NEAR(count[static_cast<std::size_t>(k)] / n, prob, 4 * std::sqrt(prob * (1 - prob) / n))
        << "action " << k;
  }
  // Greedy picks the most probable action.
  std::int64_t greedy = -1;
  net.act(p, obs.data(), 1, true, nullptr, &greedy, nullptr, nullptr, nullptr);
  EXPECT_EQ(greedy, std::max_element(count.begin(), count.end()) - count.begin());
}

// ---- configs ----

TEST(Agents, ConfigValidationNamesTheField) {
  AgentConfig c;
  EXPECT_EQ(c.validate(), "");
  auto message = [](AgentConfig cfg) { return cfg.validate(); };
  AgentConfig bad = c;
  bad.set_lr(-1);
  EXPECT_NE(message(bad).find("lr must be > 0"), std::string::npos) << message(bad);
  bad = c;
  bad.env_id = "NoSuchEnv-v0";
  EXPECT_NE(message(bad).find("NoSuchEnv-v0"), std::string::npos);
  bad = c;
  bad.clip_range = 1.5;
  EXPECT_NE(message(bad).find("clip_range"), std::string::npos);
  bad = c;
  adamant::core::set_field(bad.rule, "beta2", 1.0);  // the rule's own check, named
  EXPECT_NE(message(bad).find("beta2"), std::string::npos) << message(bad);
  bad = c;
  bad.rule = adamant::core::rule_options("lion");  // any rule of the core's table trains
  EXPECT_EQ(message(bad), "");
  bad = c;
  bad.num_envs = 0;
  bad.gamma = 2;
  const std::string two = message(bad);
  EXPECT_NE(two.find("num_envs"), std::string::npos);
  EXPECT_NE(two.find("gamma"), std::string::npos);
  bad = c;
  bad.algo = Algo::kReinforce;  // anneal_lr is on by default
  EXPECT_NE(message(bad).find("anneal_lr"), std::string::npos);
  bad = c;
  bad.precision = "float16";
  EXPECT_NE(message(bad).find("precision"), std::string::npos);
  bad = c;
  bad.set_lr(0);
  try {
    adamant::rl::train(bad);
    FAIL() << "train accepted lr = 0";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("lr must be > 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(adamant::rl::parse_algo("dqn"), std::invalid_argument);
  EXPECT_EQ(adamant::rl::parse_algo("PPO"), Algo::kPPO);
  EXPECT_THROW(adamant::rl::default_config("NoSuchEnv-v0"), std::invalid_argument);
  for (const std::string& id : adamant::rl::registered_ids())
    for (Algo a : {Algo::kReinforce, Algo::kA2C, Algo::kPPO})
      EXPECT_EQ(adamant::rl::default_config(id, a).validate(), "") << id << " " << to_string(a);
}

// ---- training ----

bool same_curves(const adamant::rl::TrainResult& a, const adamant::rl::TrainResult& b) {
  if (a.episodes.size() != b.episodes.size() || a.updates.size() != b.updates.size()) return false;
  for (std::size_t i = 0; i < a.episodes.size(); ++i)
    if (a.episodes[i].env_steps != b.episodes[i].env_steps ||
        a.episodes[i].ret != b.episodes[i].ret || a.episodes[i].length != b.episodes[i].length)
      return false;
  for (std::size_t i = 0; i < a.updates.size(); ++i) {
    const auto &u = a.updates[i], &v = b.updates[i];
    if (u.env_steps != v.env_steps || u.policy_loss != v.policy_loss ||
        u.value_loss != v.value_loss || u.entropy != v.entropy || u.approx_kl != v.approx_kl ||
        u.grad_norm != v.grad_norm || u.lr != v.lr)
      return false;
  }
  return (a.policy.actor_params.array() == b.policy.actor_params.array()).all() &&
         (a.policy.critic_params.array() == b.policy.critic_params.array()).all();
}

TEST(Agents, SameSeedSameLearningCurveOnOneAndTwoThreads) {
  for (Algo algo : {Algo::kPPO, Algo::kA2C, Algo::kReinforce}) {
    AgentConfig c = adamant::rl::default_config("CartPole-v1", algo);
    c.seed = 3;
    c.total_steps = 1600;
    c.num_envs = 4;
    if (algo == Algo::kPPO) c.n_steps = 200;  // two 800-sample rollouts: several shards
    const adamant::rl::TrainResult a = adamant::rl::train(c);
    c.num_threads = 2;
    const adamant::rl::TrainResult b = adamant::rl::train(c);
    EXPECT_GT(a.episodes.size(), 10u);
    EXPECT_TRUE(same_curves(a, b)) << to_string(algo);
    c.seed = 4;
    const adamant::rl::TrainResult other = adamant::rl::train(c);
    EXPECT_FALSE(same_curves(a, other)) << to_string(algo) << ": another seed, the same run";
  }
}

TEST(Agents, StepwiseAgentAndUserEnvironmentsEqualTrain) {
  // rl::Agent (the Python API's learn) and a run on VecEnv::from_envs copies of the built-in
  // environment (how a user's own envs are stepped) both give train()'s run bit for bit.
  for (Algo algo : {Algo::kPPO, Algo::kA2C, Algo::kReinforce}) {
    AgentConfig c = adamant::rl::default_config("CartPole-v1", algo);
    c.seed = 5;
    c.total_steps = 1600;
    c.num_envs = 4;
    if (algo == Algo::kPPO) c.n_steps = 200;
    const adamant::rl::TrainResult ref = adamant::rl::train(c);
    adamant::rl::Agent agent(c);
    int updates = 0;
    while (agent.update()) ++updates;
    EXPECT_FALSE(agent.update());
    EXPECT_EQ(static_cast<std::size_t>(updates), ref.updates.size());
    EXPECT_TRUE(same_curves(ref, agent.result())) << to_string(algo);
    AgentConfig u = c;
    u.num_envs = 1;  // taken from what make_env returns
    u.make_env = [] {
      std::vector<std::unique_ptr<adamant::rl::Env>> envs;
      for (int i = 0; i < 4; ++i) envs.push_back(adamant::rl::make("CartPole-v1"));
      return adamant::rl::VecEnv::from_envs(std::move(envs));
    };
    const adamant::rl::TrainResult user = adamant::rl::train(u);
    EXPECT_EQ(user.config.num_envs, 4);
    EXPECT_TRUE(same_curves(ref, user)) << to_string(algo) << " on from_envs copies";
  }
}

TEST(Agents, SchedulesFollowProgressRemaining) {
  AgentConfig c = adamant::rl::default_config("CartPole-v1", Algo::kPPO);
  c.total_steps = 2000;
  c.num_envs = 4;
  c.n_steps = 100;
  c.anneal_lr = false;
  std::vector<double> lr_args, clip_args;
  c.lr_schedule = [&](double p) {
    lr_args.push_back(p);
    return 1e-3 * p;
  };
  c.clip_range_schedule = [&](double p) {
    clip_args.push_back(p);
    return 0.1 + 0.1 * p;
  };
  const adamant::rl::TrainResult r = adamant::rl::train(c);
  ASSERT_EQ(lr_args.size(), r.updates.size());
  ASSERT_EQ(clip_args, lr_args);
  for (std::size_t k = 0; k < r.updates.size(); ++k) {
    // After the rollout: 1 − transitions so far / budget, clamped at 0 past the budget.
    const double expected =
        std::max(0.0, 1.0 - static_cast<double>(r.updates[k].env_steps) / 2000.0);
    EXPECT_DOUBLE_EQ(lr_args[k], expected) << k;
    EXPECT_DOUBLE_EQ(r.updates[k].lr, 1e-3 * expected) << k;
  }
  EXPECT_LT(lr_args.front(), 1.0);
  // The last rollout ends near the budget (reset-only autoreset rows are not transitions).
  EXPECT_LT(lr_args.back(), 0.05);
  // The schedule changes the run (a constant clip range of 0.2 is another run).
  AgentConfig d = c;
  d.clip_range_schedule = {};
  lr_args.clear();
  EXPECT_FALSE(same_curves(r, adamant::rl::train(d)));

  AgentConfig bad = c;
  bad.lr_schedule = [](double) { return -1.0; };
  EXPECT_THROW(adamant::rl::train(bad), std::invalid_argument);
  bad = c;
  bad.clip_range_schedule = [](double) { return 0.0; };
  EXPECT_THROW(adamant::rl::train(bad), std::invalid_argument);
  bad = c;
  bad.anneal_lr = true;
  EXPECT_NE(bad.validate().find("anneal_lr and lr_schedule"), std::string::npos);
  bad = adamant::rl::default_config("CartPole-v1", Algo::kA2C);
  bad.clip_range_schedule = [](double) { return 0.2; };
  EXPECT_NE(bad.validate().find("clip_range_schedule is PPO's"), std::string::npos);
}

TEST(Agents, ExtendContinuesTheRunWithANewPlan) {
  AgentConfig c = adamant::rl::default_config("CartPole-v1", Algo::kA2C);  // anneal_lr on
  c.total_steps = 1280;
  c.num_envs = 16;
  c.n_steps = 8;
  adamant::rl::Agent a(c);
  while (a.update()) {
  }
  const std::int64_t steps1 = a.progress().env_steps;
  const std::int64_t updates1 = a.progress().updates;
  EXPECT_GE(steps1, 1200);
  EXPECT_LT(a.last_update().lr, 0.2 * c.lr());  // annealed close to 0
  a.extend(1280);
  ASSERT_TRUE(a.update());
  EXPECT_EQ(a.last_update().lr, c.lr());  // the new plan starts at the configured rate
  while (a.update()) {
  }
  EXPECT_GE(a.progress().env_steps, steps1 + 1200);
  EXPECT_GE(a.progress().updates, 2 * updates1 - 1);
  EXPECT_LT(a.last_update().lr, 0.2 * c.lr());
  EXPECT_THROW(a.extend(0), std::invalid_argument);
  adamant::rl::Agent fresh(c);
  EXPECT_THROW(fresh.last_update(), std::logic_error);
}

TEST(Agents, PopulationRunsEqualTheirSingleRuns) {
  std::vector<AgentConfig> configs;
  for (std::uint64_t seed : {7u, 8u, 9u}) {
    AgentConfig c = adamant::rl::default_config("CartPole-v1", Algo::kPPO);
    c.seed = seed;
    c.total_steps = 1024;
    c.num_envs = 4;
    c.n_steps = 64;
    configs.push_back(c);
  }
  configs[2].algo = Algo::kA2C;  // a population may mix settings
  configs[2].n_epochs = 1;
  std::vector<int> reports(3, 0);
  const std::vector<adamant::rl::TrainResult> pop = adamant::rl::train_population(
      configs, 2, [&](std::size_t i, const adamant::rl::Progress&) { ++reports[i]; });
  ASSERT_EQ(pop.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(same_curves(pop[i], adamant::rl::train(configs[i]))) << i;
    EXPECT_EQ(static_cast<std::size_t>(reports[i]), pop[i].updates.size());
  }
  configs[1].gamma = 3;
  try {
    adamant::rl::train_population(configs, 2);
    FAIL() << "a bad config accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("run 1: gamma must be in [0, 1]"), std::string::npos)
        << e.what();
  }
}

TEST(Agents, RewardNormalizerFollowsVecNormalize) {
  // Two environments, γ = 0.5, written out with Stable-Baselines3's formulas (RunningMeanStd from
  // mean 0, var 1, count 1e-4; ε = 1e-8): step 1 both valid, rewards 1 and 3; step 2 env 0 is a
  // reset-only row (not a transition), env 1 ends its episode.
  adamant::rl::agent_detail::RewardNormalizer n;
  n.init(2, true, 0.5, 10.0);
  double r1[2] = {1, 3};
  const std::uint8_t valid1[2] = {1, 1}, done1[2] = {1, 0};
  n.apply(r1, valid1, done1, 2);
  double mean = 0, var = 1, count = 1e-4;
  auto update = [&](const std::vector<double>& x) {
    double bm = 0, bv = 0;
    for (double v : x) bm += v;
    bm /= x.size();
    for (double v : x) bv += (v - bm) * (v - bm);
    bv /= x.size();
    const double k = static_cast<double>(x.size()), tot = count + k, d = bm - mean;
    mean += d * k / tot;
    var = (var * count + bv * k + d * d * count * k / tot) / tot;
    count = tot;
  };
  update({1, 3});
  EXPECT_DOUBLE_EQ(r1[0], 1 / std::sqrt(var + 1e-8));
  EXPECT_DOUBLE_EQ(r1[1], 3 / std::sqrt(var + 1e-8));
  EXPECT_EQ(n.ret[0], 0.0);  // done: reset
  EXPECT_EQ(n.ret[1], 3.0);
  double r2[2] = {0, 2};
  const std::uint8_t valid2[2] = {0, 1}, done2[2] = {0, 1};
  n.apply(r2, valid2, done2, 2);
  update({3 * 0.5 + 2});
  EXPECT_EQ(r2[0], 0.0);  // untouched
  EXPECT_DOUBLE_EQ(r2[1], 2 / std::sqrt(var + 1e-8));
  EXPECT_DOUBLE_EQ(n.var, var);
  EXPECT_DOUBLE_EQ(n.count, count);
  // Clipping.
  adamant::rl::agent_detail::RewardNormalizer c;
  c.init(1, true, 0.99, 0.5);
  double big[1] = {100};
  const std::uint8_t one[1] = {1}, zero[1] = {0};
  c.apply(big, one, zero, 1);
  EXPECT_EQ(big[0], 0.5);
}

TEST(Agents, RewardNormalizationTrainsAndIsSavedWithThePolicy) {
  AgentConfig c = adamant::rl::default_config("CartPole-v1", Algo::kPPO);
  c.total_steps = 2048;
  c.normalize_reward = true;
  const adamant::rl::TrainResult r = adamant::rl::train(c);
  AgentConfig plain = c;
  plain.normalize_reward = false;
  EXPECT_FALSE(same_curves(r, adamant::rl::train(plain)));
  ASSERT_TRUE(r.policy.normalize_reward);
  EXPECT_GT(r.policy.return_var, 1.0);  // CartPole's discounted returns grow to tens
  EXPECT_GT(r.policy.return_count, 1000);
  const std::string path = ::testing::TempDir() + "reward_norm_policy.h5";
  adamant::rl::save_policy(path, r.policy, &r);
  const adamant::rl::Policy back = adamant::rl::load_policy(path);
  EXPECT_TRUE(back.normalize_reward);
  EXPECT_EQ(back.return_mean, r.policy.return_mean);
  EXPECT_EQ(back.return_var, r.policy.return_var);
  EXPECT_EQ(back.return_count, r.policy.return_count);
  EXPECT_EQ(back.reward_clip, 10.0);
  std::remove(path.c_str());
  AgentConfig bad = adamant::rl::default_config("CartPole-v1", Algo::kReinforce);
  bad.normalize_reward = true;
  EXPECT_NE(bad.validate().find("normalize_reward is for A2C and PPO"), std::string::npos);
  bad = c;
  bad.reward_clip = 0;
  EXPECT_NE(bad.validate().find("reward_clip must be > 0"), std::string::npos);
}

TEST(Agents, GaussianPolicyTrainsOnPendulum) {
  // A short run on a Box action space: runs, stays finite, and is deterministic.
  AgentConfig c = adamant::rl::default_config("Pendulum-v1", Algo::kPPO);
  c.total_steps = 4096;
  c.num_envs = 4;
  c.n_steps = 256;
  const adamant::rl::TrainResult a = adamant::rl::train(c);
  EXPECT_EQ(a.policy.log_std.size(), 1);
  EXPECT_TRUE(a.policy.actor_params.allFinite());
  // 1024 rows per environment, each 200-step episode taking 201 (the autoreset row).
  EXPECT_EQ(a.episodes.size(), 20u);
  EXPECT_EQ(a.env_steps, 4 * (5 * 200 + 1024 - 5 * 201));
  c.num_threads = 2;
  EXPECT_TRUE(same_curves(a, adamant::rl::train(c)));
  const adamant::rl::EvalResult e = adamant::rl::evaluate(a.policy, "Pendulum-v1", 3, 0, true);
  EXPECT_EQ(e.returns.size(), 3u);
  EXPECT_TRUE(std::isfinite(e.mean));
}

TEST(Agents, PolicyFileRoundTrip) {
  for (const char* env : {"CartPole-v1", "Pendulum-v1"}) {
    AgentConfig c = adamant::rl::default_config(env, Algo::kPPO);
    c.total_steps = 2048;
    c.num_envs = 4;
    c.n_steps = 128;
    c.normalize_obs = true;
    const adamant::rl::TrainResult run = adamant::rl::train(c);
    const std::string path = ::testing::TempDir() + "/adamant_policy_" + env + ".h5";
    adamant::rl::save_policy(path, run.policy, &run);
    const adamant::rl::Policy p = adamant::rl::load_policy(path);
    EXPECT_EQ(p.env_id, env);
    EXPECT_EQ(p.algo, Algo::kPPO);
    EXPECT_EQ(p.actor.layer_sizes, run.policy.actor.layer_sizes);
    EXPECT_TRUE((p.actor_params.array() == run.policy.actor_params.array()).all());
    EXPECT_TRUE((p.critic_params.array() == run.policy.critic_params.array()).all());
    EXPECT_TRUE((p.log_std.array() == run.policy.log_std.array()).all());
    EXPECT_TRUE((p.obs_mean.array() == run.policy.obs_mean.array()).all());
    EXPECT_TRUE((p.obs_var.array() == run.policy.obs_var.array()).all());
    EXPECT_EQ(p.action_space.describe(), run.policy.action_space.describe());
    // The same greedy returns from the saved and the in-memory policy.
    const auto e1 = adamant::rl::evaluate(run.policy, env, 5, 42, true);
    const auto e2 = adamant::rl::evaluate(p, env, 5, 42, true);
    EXPECT_EQ(e1.returns, e2.returns);
    // The actor is a plain MLP model for generic readers; the curves are tables.
    const adamant::datasets::ModelParameters m = adamant::datasets::read_model(path);
    EXPECT_EQ(adamant::datasets::mlp_spec_from(m, path).layer_sizes, p.actor.layer_sizes);
    const adamant::datasets::Table curve = adamant::datasets::read_table(path, "learning_curve");
    EXPECT_EQ(curve.rows(), static_cast<std::int64_t>(run.episodes.size()));
    EXPECT_EQ(adamant::datasets::read_table(path, "updates").rows(),
              static_cast<std::int64_t>(run.updates.size()));
    std::remove(path.c_str());
  }
  // A file without a policy is refused with the file's name.
  const std::string bogus = ::testing::TempDir() + "/adamant_not_a_policy.h5";
  adamant::datasets::Table t;
  t.add("x", Eigen::VectorXd::Zero(3));
  adamant::datasets::write_table(bogus, t);
  try {
    adamant::rl::load_policy(bogus);
    FAIL() << "load_policy accepted a table file";
  } catch (const adamant::datasets::DataError& e) {
    EXPECT_NE(std::string(e.what()).find(bogus), std::string::npos) << e.what();
  }
  std::remove(bogus.c_str());
}

TEST(Agents, PpoSolvesCartPole) {
#ifdef ADAMANT_TEST_ASAN
  GTEST_SKIP() << "a full training run; too slow under AddressSanitizer";
#endif
  for (std::uint64_t seed : {0u, 1u}) {
    AgentConfig c = adamant::rl::default_config("CartPole-v1", Algo::kPPO);
    c.seed = seed;
    const adamant::rl::TrainResult run = adamant::rl::train(c);
    const adamant::rl::EvalResult e = adamant::rl::evaluate(
        run.policy, "CartPole-v1", 100, seed + adamant::rl::kEvalSeedOffset, true);
    EXPECT_GE(e.mean, 475.0) << "seed " << seed << ": " << run.summary();
  }
}

TEST(Agents, PpoReachesMinus100OnAcrobot) {
#ifdef ADAMANT_TEST_ASAN
  GTEST_SKIP() << "a full training run; too slow under AddressSanitizer";
#endif
  AgentConfig c = adamant::rl::default_config("Acrobot-v1", Algo::kPPO);
  c.seed = 1;
  const adamant::rl::TrainResult run = adamant::rl::train(c);
  const adamant::rl::EvalResult e =
      adamant::rl::evaluate(run.policy, "Acrobot-v1", 100, c.seed + adamant::rl::kEvalSeedOffset);
  EXPECT_GE(e.mean, -100.0) << run.summary();
}

TEST(Agents, VarianceStudyTable) {
  adamant::rl::StudyConfig s;
  s.seeds = 2;
  s.total_steps = 3000;
  s.probe_every = 4;
  s.probe_batches = 4;
  const adamant::rl::StudyResult r = adamant::rl::run_variance_study(s);
  ASSERT_EQ(r.rows.size(), 4u);
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.final_returns.size(), 2u) << row.name;
    EXPECT_GT(row.grad_variance, 0.0) << row.name;
    EXPECT_TRUE(std::isfinite(row.relative_update_variance)) << row.name;
  }
  const adamant::datasets::Table t = r.table();
  EXPECT_EQ(t.rows(), 4);
  EXPECT_FALSE(r.format().empty());

  // Its file (schema rl_study) reads back, and `adamant data info` summarises it.
  const std::string path = ::testing::TempDir() + "/adamant_rl_study.h5";
  adamant::rl::write_study(path, r);
  const adamant::rl::StudyFile f = adamant::rl::read_study(path);
  EXPECT_EQ(f.configurations,
            (std::vector<std::string>{"sgd", "sgd+baseline", "adam", "adam+baseline"}));
  EXPECT_EQ(f.study.column("final_return_mean"), t.column("final_return_mean"));
  EXPECT_EQ(f.curves.names, r.curves().names);
  EXPECT_EQ(f.config.total_steps, 3000);
  EXPECT_EQ(f.config.hidden, s.hidden);
  EXPECT_EQ(f.config.adam_lr, s.adam_lr);
  const std::string d = adamant::datasets::describe(path);
  EXPECT_NE(d.find("summary: rl_study: REINFORCE on CartPole-v1, 4 configurations × 2 seeds"),
            std::string::npos)
      << d;
  adamant::datasets::write_table(path, t);
  try {
    adamant::rl::read_study(path);
    ADD_FAILURE() << "a table file read as a study";
  } catch (const adamant::datasets::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 'rl_study'"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
