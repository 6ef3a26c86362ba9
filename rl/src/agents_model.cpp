// ActorCritic<T>: the policy and value networks over one flat buffer, acting, and the exact
// gradients of the policy-gradient / PPO losses (equations in agents.hpp).

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/core/threads.hpp"
#include "adamant/rl/agents.hpp"

namespace adamant::rl {

namespace {

constexpr double kHalfLog2Pi = 0.91893853320467274178;  // ½ log 2π

std::string dims(int n) { return std::to_string(n); }

}  // namespace

template <typename T>
struct ActorCritic<T>::Scratch {
  using MatrixX = typename core::Mlp<T>::MatrixX;
  int capacity = 0;
  std::vector<typename core::Mlp<T>::Workspace> actor_ws, critic_ws;  // one per thread
  std::vector<Vector> shard_grad;                                     // one per shard
  MatrixX out;                      // capacity × action_dim: actor outputs (acting)
  MatrixX d_out;                    // capacity × action_dim: ∂L/∂(actor output)
  MatrixX d_v;                      // capacity × 1: ∂L/∂V
  MatrixX v;                        // capacity × 1: critic outputs (acting)
  Eigen::MatrixXd log_std_partial;  // D × shards: Σ_i c_i (z² − 1) per shard
  // per-sample terms, reduced in sample order
  Eigen::VectorXd pl, vl, ent, kl, clip;
};

template <typename T>
core::MlpSpec ActorCritic<T>::actor_spec(int obs_dim, const Space& action_space,
                                         const std::vector<int>& hidden, core::Activation act) {
  core::MlpSpec s;
  s.layer_sizes.push_back(obs_dim);
  for (int h : hidden) s.layer_sizes.push_back(h);
  s.layer_sizes.push_back(action_space.kind == Space::Kind::kDiscrete
                              ? static_cast<int>(action_space.n)
                              : action_space.size());
  s.hidden = act;
  s.output = core::Activation::kIdentity;
  return s;
}

template <typename T>
core::MlpSpec ActorCritic<T>::critic_spec(int obs_dim, const std::vector<int>& hidden,
                                          core::Activation act) {
  core::MlpSpec s;
  s.layer_sizes.push_back(obs_dim);
  for (int h : hidden) s.layer_sizes.push_back(h);
  s.layer_sizes.push_back(1);
  s.hidden = act;
  s.output = core::Activation::kIdentity;
  return s;
}

template <typename T>
ActorCritic<T>::ActorCritic(int obs_dim, const Space& action_space, const core::MlpSpec& actor,
                            const core::MlpSpec& critic)
    : obs_dim_(obs_dim), discrete_(action_space.kind == Space::Kind::kDiscrete) {
  if (obs_dim < 1) throw std::invalid_argument("ActorCritic: obs_dim is " + dims(obs_dim));
  if (discrete_) {
    if (action_space.n < 1)
      throw std::invalid_argument("ActorCritic: Discrete action space with n = " +
                                  std::to_string(action_space.n));
    action_dim_ = static_cast<int>(action_space.n);
  } else {
    action_dim_ = action_space.size();
    if (action_dim_ < 1 || static_cast<int>(action_space.low.size()) != action_dim_ ||
        static_cast<int>(action_space.high.size()) != action_dim_)
      throw std::invalid_argument("ActorCritic: malformed Box action space " +
                                  action_space.describe());
    low_.resize(action_dim_);
    high_.resize(action_dim_);
    for (int d = 0; d < action_dim_; ++d) {
      low_[d] = action_space.low[static_cast<std::size_t>(d)];
      high_[d] = action_space.high[static_cast<std::size_t>(d)];
    }
  }
  actor_ = std::make_unique<core::Mlp<T>>(actor);  // validates the spec
  if (actor_->input_size() != obs_dim || actor_->output_size() != action_dim_)
    throw std::invalid_argument("ActorCritic: actor " + actor.describe() + " does not map " +
                                dims(obs_dim) + " observations to " + dims(action_dim_) +
                                (discrete_ ? " logits" : " action means"));
  if (!critic.layer_sizes.empty()) {
    critic_ = std::make_unique<core::Mlp<T>>(critic);
    if (critic_->input_size() != obs_dim || critic_->output_size() != 1)
      throw std::invalid_argument("ActorCritic: critic " + critic.describe() + " does not map " +
                                  dims(obs_dim) + " observations to one value");
  }
  log_std_offset_ = actor_->num_parameters();
  critic_offset_ = log_std_offset_ + (discrete_ ? 0 : action_dim_);
  num_params_ = critic_offset_ + (critic_ ? critic_->num_parameters() : 0);
  reserve(kShard, 1);
}

template <typename T>
void ActorCritic<T>::init_parameters(Eigen::Ref<Vector> params, std::uint64_t seed,
                                     double output_scale, double init_log_std) const {
  if (params.size() != num_params_)
    throw std::invalid_argument("ActorCritic::init_parameters: buffer has " +
                                std::to_string(params.size()) + " entries, expected " +
                                std::to_string(num_params_));
  // Two seeds from one SeedSequence: the actor's and the critic's mt19937_64 streams.
  const std::vector<std::uint64_t> seeds = SeedSequence(seed).generate_state_u64(2);
  auto actor_params = params.segment(0, actor_->num_parameters());
  actor_->init_parameters(actor_params, seeds[0]);
  const int last = actor_->num_layers() - 1;
  actor_->mutable_weights(actor_params, last) *= static_cast<T>(output_scale);
  actor_->mutable_biases(actor_params, last).setZero();
  if (!discrete_) params.segment(log_std_offset_, action_dim_).setConstant(T(init_log_std));
  if (critic_) {
    auto critic_params = params.segment(critic_offset_, critic_->num_parameters());
    critic_->init_parameters(critic_params, seeds[1]);
  }
}

template <typename T>
void ActorCritic<T>::reserve(int max_batch, int num_threads) {
  if (max_batch < 1) max_batch = 1;
  num_threads = core::resolve_threads(num_threads);
  const int shards = (max_batch + kShard - 1) / kShard;
  if (scratch_ && scratch_->capacity >= max_batch && threads_ == num_threads &&
      static_cast<int>(scratch_->shard_grad.size()) >= shards)
    return;
  threads_ = num_threads;
  auto s = std::make_shared<Scratch>();
  s->capacity = std::max(max_batch, scratch_ ? scratch_->capacity : 0);
  const int cap = s->capacity;
  const int nshards = (cap + kShard - 1) / kShard;
  for (int t = 0; t < threads_; ++t) {
    s->actor_ws.push_back(actor_->make_workspace(kShard));
    if (critic_) s->critic_ws.push_back(critic_->make_workspace(kShard));
  }
  s->shard_grad.assign(static_cast<std::size_t>(nshards), Vector::Zero(num_params_));
  s->out.resize(cap, action_dim_);
  s->d_out.resize(cap, action_dim_);
  s->d_v.resize(cap, 1);
  s->v.resize(cap, 1);
  s->log_std_partial.setZero(discrete_ ? 0 : action_dim_, nshards);
  for (Eigen::VectorXd* v : {&s->pl, &s->vl, &s->ent, &s->kl, &s->clip}) v->setZero(cap);
  scratch_ = std::move(s);
}

template <typename T>
template <typename F>
void ActorCritic<T>::run_shards(int n, F&& f) {
  const int shards = (n + kShard - 1) / kShard;
  const int threads = std::min(threads_, shards);
  if (threads <= 1) {
    for (int s = 0; s < shards; ++s) f(s, s * kShard, std::min(n, (s + 1) * kShard), 0);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int s = 0; s < shards; ++s)
    f(s, s * kShard, std::min(n, (s + 1) * kShard), omp_get_thread_num());
}

template <typename T>
void ActorCritic<T>::act(const Vector& params, const T* obs, int n, bool greedy, Generator* rng,
                         std::int64_t* actions, T* actions_c, double* logp, double* values) {
  if (n < 1) return;
  if (params.size() != num_params_)
    throw std::invalid_argument("ActorCritic::act: parameter buffer has " +
                                std::to_string(params.size()) + " entries, expected " +
                                std::to_string(num_params_));
  if (!greedy && rng == nullptr)
    throw std::invalid_argument("ActorCritic::act: sampling needs a Generator");
  reserve(n, threads_);
  Scratch& s = *scratch_;
  const auto actor_params = params.segment(0, actor_->num_parameters());
  const int od = obs_dim_, ad = action_dim_;
  const bool want_values = values != nullptr && critic_;
  run_shards(n, [&](int, int b, int e, int t) {
    using Map = Eigen::Map<const typename core::Mlp<T>::MatrixX>;
    const Map x(obs + static_cast<std::ptrdiff_t>(b) * od, e - b, od);
    s.out.middleRows(b, e - b) = actor_->forward(actor_params, x, s.actor_ws[t]);
    if (want_values) {
      const auto cp = params.segment(critic_offset_, critic_->num_parameters());
      s.v.middleRows(b, e - b) = critic_->forward(cp, x, s.critic_ws[t]);
    }
  });
  for (int i = 0; i < n; ++i) {
    const T* z = s.out.data() + static_cast<std::ptrdiff_t>(i) * ad;
    if (discrete_) {
      double m = -std::numeric_limits<double>::infinity();
      int arg = 0;
      for (int k = 0; k < ad; ++k)
        if (static_cast<double>(z[k]) > m) m = z[k], arg = k;
      double sum = 0;
      for (int k = 0; k < ad; ++k) sum += std::exp(static_cast<double>(z[k]) - m);
      const double lse = m + std::log(sum);
      int a = arg;
      if (!greedy) {
        const double u = rng->random();
        double c = 0;
        a = ad - 1;  // rounding: u beyond the last partial sum picks the last action
        for (int k = 0; k < ad; ++k) {
          c += std::exp(static_cast<double>(z[k]) - lse);
          if (u < c) {
            a = k;
            break;
          }
        }
      }
      actions[i] = a;
      if (logp) logp[i] = static_cast<double>(z[a]) - lse;
    } else {
      T* a = actions_c + static_cast<std::ptrdiff_t>(i) * ad;
      double lp = 0;
      for (int d = 0; d < ad; ++d) {
        const double ls = static_cast<double>(params[log_std_offset_ + d]);
        const double eps = greedy ? 0.0 : rng->standard_normal();
        const double sample = static_cast<double>(z[d]) + std::exp(ls) * eps;
        a[d] = static_cast<T>(sample);
        const double zz = (static_cast<double>(a[d]) - static_cast<double>(z[d])) / std::exp(ls);
        lp += -0.5 * zz * zz - ls - kHalfLog2Pi;
      }
      if (logp) logp[i] = lp;
    }
    if (want_values) values[i] = static_cast<double>(s.v(i, 0));
  }
}

template <typename T>
void ActorCritic<T>::values(const Vector& params, const T* obs, int n, double* out) {
  if (!critic_) throw std::invalid_argument("ActorCritic::values: there is no critic");
  if (n < 1) return;
  reserve(n, threads_);
  Scratch& s = *scratch_;
  const auto cp = params.segment(critic_offset_, critic_->num_parameters());
  const int od = obs_dim_;
  run_shards(n, [&](int, int b, int e, int t) {
    using Map = Eigen::Map<const typename core::Mlp<T>::MatrixX>;
    const Map x(obs + static_cast<std::ptrdiff_t>(b) * od, e - b, od);
    s.v.middleRows(b, e - b) = critic_->forward(cp, x, s.critic_ws[t]);
  });
  for (int i = 0; i < n; ++i) out[i] = static_cast<double>(s.v(i, 0));
}

template <typename T>
void ActorCritic<T>::log_prob(const Vector& params, const T* obs, const std::int64_t* actions,
                              const T* actions_c, int n, double* logp, double* entropy) {
  if (n < 1) return;
  reserve(n, threads_);
  Scratch& s = *scratch_;
  const auto actor_params = params.segment(0, actor_->num_parameters());
  const int od = obs_dim_, ad = action_dim_;
  run_shards(n, [&](int, int b, int e, int t) {
    using Map = Eigen::Map<const typename core::Mlp<T>::MatrixX>;
    const Map x(obs + static_cast<std::ptrdiff_t>(b) * od, e - b, od);
    s.out.middleRows(b, e - b) = actor_->forward(actor_params, x, s.actor_ws[t]);
  });
  for (int i = 0; i < n; ++i) {
    const T* z = s.out.data() + static_cast<std::ptrdiff_t>(i) * ad;
    if (discrete_) {
      double m = -std::numeric_limits<double>::infinity();
      for (int k = 0; k < ad; ++k) m = std::max(m, static_cast<double>(z[k]));
      double sum = 0;
      for (int k = 0; k < ad; ++k) sum += std::exp(static_cast<double>(z[k]) - m);
      const double lse = m + std::log(sum);
      double h = 0;
      for (int k = 0; k < ad; ++k) {
        const double lp = static_cast<double>(z[k]) - lse;
        h -= std::exp(lp) * lp;
      }
      if (logp) logp[i] = static_cast<double>(z[actions[i]]) - lse;
      if (entropy) entropy[i] = h;
    } else {
      double lp = 0, h = 0;
      for (int d = 0; d < ad; ++d) {
        const double ls = static_cast<double>(params[log_std_offset_ + d]);
        const double zz = (static_cast<double>(actions_c[static_cast<std::ptrdiff_t>(i) * ad + d]) -
                           static_cast<double>(z[d])) /
                          std::exp(ls);
        lp += -0.5 * zz * zz - ls - kHalfLog2Pi;
        h += ls + 0.5 + kHalfLog2Pi;
      }
      if (logp) logp[i] = lp;
      if (entropy) entropy[i] = h;
    }
  }
}

template <typename T>
LossStats ActorCritic<T>::loss(const Vector& params, const SampleBatch<T>& batch,
                               const LossOptions& o, Vector* grad) {
  const int n = batch.size;
  if (n < 1) throw std::invalid_argument("ActorCritic::loss: empty batch");
  if (params.size() != num_params_)
    throw std::invalid_argument("ActorCritic::loss: parameter buffer has " +
                                std::to_string(params.size()) + " entries, expected " +
                                std::to_string(num_params_));
  if (grad && grad->size() != num_params_)
    throw std::invalid_argument("ActorCritic::loss: gradient buffer has " +
                                std::to_string(grad->size()) + " entries, expected " +
                                std::to_string(num_params_));
  const bool clipped = o.objective == Objective::kClipped;
  const bool value_term = o.vf_coef != 0;
  if (value_term && (!critic_ || batch.returns == nullptr))
    throw std::invalid_argument("ActorCritic::loss: vf_coef != 0 needs a critic and returns");
  if (clipped && batch.logp_old == nullptr)
    throw std::invalid_argument("ActorCritic::loss: the clipped objective needs logp_old");
  if (value_term && o.clip_range_vf > 0 && batch.values_old == nullptr)
    throw std::invalid_argument("ActorCritic::loss: clip_range_vf needs values_old");
  if ((discrete_ && !batch.actions) || (!discrete_ && !batch.actions_c) || !batch.obs ||
      !batch.advantages)
    throw std::invalid_argument("ActorCritic::loss: batch is missing obs, actions or advantages");
  reserve(n, threads_);
  Scratch& s = *scratch_;
  const double inv_n = 1.0 / n;
  const int od = obs_dim_, ad = action_dim_;
  const Eigen::Index na = actor_->num_parameters();
  const auto actor_params = params.segment(0, na);
  const double eps = o.clip_range;

  run_shards(n, [&](int shard, int b, int e, int t) {
    using Map = Eigen::Map<const typename core::Mlp<T>::MatrixX>;
    using MutMap = Eigen::Map<typename core::Mlp<T>::MatrixX>;
    const int m = e - b;
    const Map x(batch.obs + static_cast<std::ptrdiff_t>(b) * od, m, od);
    auto& aws = s.actor_ws[static_cast<std::size_t>(t)];
    const auto out = actor_->forward(actor_params, x, aws);
    MutMap dout(s.d_out.data() + static_cast<std::ptrdiff_t>(b) * ad, m, ad);
    if (!discrete_) s.log_std_partial.col(shard).setZero();
    for (int r = 0; r < m; ++r) {
      const int i = b + r;
      double lp = 0, h = 0, lse = 0;
      if (discrete_) {
        double mx = -std::numeric_limits<double>::infinity();
        for (int k = 0; k < ad; ++k) mx = std::max(mx, static_cast<double>(out(r, k)));
        double sum = 0;
        for (int k = 0; k < ad; ++k) sum += std::exp(static_cast<double>(out(r, k)) - mx);
        lse = mx + std::log(sum);
        for (int k = 0; k < ad; ++k) {
          const double lpk = static_cast<double>(out(r, k)) - lse;
          h -= std::exp(lpk) * lpk;
        }
        lp = static_cast<double>(out(r, batch.actions[i])) - lse;
      } else {
        for (int d = 0; d < ad; ++d) {
          const double ls = static_cast<double>(params[log_std_offset_ + d]);
          const double zz =
              (static_cast<double>(batch.actions_c[static_cast<std::ptrdiff_t>(i) * ad + d]) -
               static_cast<double>(out(r, d))) /
              std::exp(ls);
          lp += -0.5 * zz * zz - ls - kHalfLog2Pi;
          h += ls + 0.5 + kHalfLog2Pi;
        }
      }
      // c = ∂L/∂log π(a|s) for this sample.
      const double adv = batch.advantages[i];
      double c = 0, pl = 0, kl = 0, clip = 0;
      if (batch.logp_old) {
        const double dl = lp - batch.logp_old[i];
        const double ratio = std::exp(dl);
        kl = std::expm1(dl) - dl;
        clip = std::abs(ratio - 1.0) > eps ? 1.0 : 0.0;
        if (clipped) {
          const double s1 = ratio * adv;
          const double s2 = std::clamp(ratio, 1.0 - eps, 1.0 + eps) * adv;
          pl = -std::min(s1, s2);
          c = s1 <= s2 ? -ratio * adv * inv_n : 0.0;
        }
      }
      if (!clipped) {
        pl = -lp * adv;
        c = -adv * inv_n;
      }
      s.pl[i] = pl;
      s.ent[i] = h;
      s.kl[i] = kl;
      s.clip[i] = clip;
      const double hc = o.ent_coef * inv_n;  // −∂(−c_H H / N)/∂H
      if (discrete_) {
        for (int k = 0; k < ad; ++k) {
          const double lpk = static_cast<double>(out(r, k)) - lse;
          const double pk = std::exp(lpk);
          const double onehot = k == batch.actions[i] ? 1.0 : 0.0;
          // ∂L/∂z_k = c (δ_ak − π_k) − (c_H/N)·∂H/∂z_k, ∂H/∂z_k = −π_k (log π_k + H)
          dout(r, k) = static_cast<T>(c * (onehot - pk) + hc * pk * (lpk + h));
        }
      } else {
        for (int d = 0; d < ad; ++d) {
          const double ls = static_cast<double>(params[log_std_offset_ + d]);
          const double sd = std::exp(ls);
          const double zz =
              (static_cast<double>(batch.actions_c[static_cast<std::ptrdiff_t>(i) * ad + d]) -
               static_cast<double>(out(r, d))) /
              sd;
          dout(r, d) = static_cast<T>(c * zz / sd);
          s.log_std_partial(d, shard) += c * (zz * zz - 1.0);
        }
      }
    }
    Vector& g = s.shard_grad[static_cast<std::size_t>(shard)];
    if (grad) {
      auto ga = g.segment(0, na);
      actor_->backward(actor_params, dout, aws, ga, core::Mlp<T>::GradMode::kOverwrite);
    }
    if (value_term) {
      const Eigen::Index nc = critic_->num_parameters();
      const auto cp = params.segment(critic_offset_, nc);
      auto& cws = s.critic_ws[static_cast<std::size_t>(t)];
      const auto v = critic_->forward(cp, x, cws);
      MutMap dv(s.d_v.data() + b, m, 1);
      for (int r = 0; r < m; ++r) {
        const int i = b + r;
        const double vv = static_cast<double>(v(r, 0));
        const double ret = batch.returns[i];
        double l = 0.5 * (vv - ret) * (vv - ret);
        double dvi = (vv - ret);
        if (o.clip_range_vf > 0) {
          const double vo = batch.values_old[i];
          const double diff = vv - vo;
          const double vc = vo + std::clamp(diff, -o.clip_range_vf, o.clip_range_vf);
          const double lc = 0.5 * (vc - ret) * (vc - ret);
          if (lc > l) {
            l = lc;
            dvi = std::abs(diff) < o.clip_range_vf ? (vc - ret) : 0.0;
          }
        }
        s.vl[i] = l;
        dv(r, 0) = static_cast<T>(o.vf_coef * inv_n * dvi);
      }
      if (grad) {
        auto gc = g.segment(critic_offset_, nc);
        critic_->backward(cp, dv, cws, gc, core::Mlp<T>::GradMode::kOverwrite);
      }
    } else {
      for (int r = 0; r < m; ++r) s.vl[b + r] = 0;
    }
  });

  const int shards = (n + kShard - 1) / kShard;
  if (grad) {
    grad->setZero();
    for (int sh = 0; sh < shards; ++sh) {
      const Vector& g = s.shard_grad[static_cast<std::size_t>(sh)];
      grad->segment(0, na) += g.segment(0, na);
      if (value_term)
        grad->segment(critic_offset_, critic_->num_parameters()) +=
            g.segment(critic_offset_, critic_->num_parameters());
    }
    if (!discrete_) {
      for (int d = 0; d < ad; ++d) {
        double acc = 0;
        for (int sh = 0; sh < shards; ++sh) acc += s.log_std_partial(d, sh);
        (*grad)[log_std_offset_ + d] = static_cast<T>(acc - o.ent_coef);
      }
    }
  }
  LossStats st;
  for (int i = 0; i < n; ++i) {
    st.policy_loss += s.pl[i];
    st.value_loss += s.vl[i];
    st.entropy += s.ent[i];
    st.approx_kl += s.kl[i];
    st.clip_fraction += s.clip[i];
  }
  st.policy_loss *= inv_n;
  st.value_loss *= inv_n;
  st.entropy *= inv_n;
  st.approx_kl *= inv_n;
  st.clip_fraction *= inv_n;
  st.loss = st.policy_loss + o.vf_coef * st.value_loss - o.ent_coef * st.entropy;
  return st;
}

template class ActorCritic<float>;
template class ActorCritic<double>;

}  // namespace adamant::rl
