// Game optimizers (equations in optimizers.hpp).

#include "adamant/gan/optimizers.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace adamant::gan {

const char* to_string(Scheme s) {
  switch (s) {
    case Scheme::kSimultaneous:
      return "simultaneous";
    case Scheme::kAlternating:
      return "alternating";
    case Scheme::kOptimistic:
      return "optimistic";
    case Scheme::kExtragradient:
      return "extragradient";
    case Scheme::kPastExtragradient:
      return "past";
    case Scheme::kConsensus:
      return "consensus";
    case Scheme::kSga:
      return "sga";
  }
  return "?";
}

Scheme parse_scheme(const std::string& s) {
  for (Scheme k :
       {Scheme::kSimultaneous, Scheme::kAlternating, Scheme::kOptimistic, Scheme::kExtragradient,
        Scheme::kPastExtragradient, Scheme::kConsensus, Scheme::kSga})
    if (s == to_string(k)) return k;
  throw std::invalid_argument("unknown scheme '" + s +
                              "' (known: simultaneous, alternating, optimistic, extragradient, "
                              "past, consensus, sga)");
}

namespace {

// The core's rule table (core/rules.hpp) without its SGD presets: a player sets momentum itself.
bool known_rule(const std::string& rule) {
  return core::is_rule_name(rule) && rule != "momentum" && rule != "nesterov";
}

std::string known_rules() {
  std::string known;
  for (const std::string& k : core::rule_names())
    if (known_rule(k)) known += (known.empty() ? "" : ", ") + k;
  std::string aliases;
  for (const std::string& a : core::rule_aliases()) aliases += (aliases.empty() ? "" : ", ") + a;
  return known + " (also: " + aliases + ")";
}

}  // namespace

core::RuleOptions PlayerOptions::default_rule() {
  core::SgdOptions sgd;
  sgd.lr = 0.1;
  return sgd;
}

PlayerOptions& PlayerOptions::use(const std::string& rule_name) {
  if (!known_rule(rule_name))
    throw std::invalid_argument("unknown rule '" + rule_name + "' (known: " + known_rules() + ")");
  const double lr_was = lr();
  rule = core::rule_options(rule_name);
  core::set_field(rule, "lr", lr_was);
  name = rule_name;
  return *this;
}

PlayerOptions& PlayerOptions::set(const std::string& field, double value) {
  if (!core::set_field(rule, field, value)) {
    std::string fields;
    for (const std::string& f : core::field_names(rule)) fields += (fields.empty() ? "" : ", ") + f;
    throw std::invalid_argument(name + " has no option '" + field + "' (its options: " + fields +
                                ")");
  }
  return *this;
}

std::string PlayerOptions::validate() const {
  if (!known_rule(name)) return "unknown rule '" + name + "' (known: " + known_rules() + ")";
  if (core::rule_kind(rule) != core::rule_kind(core::rule_options(name)))
    return "the rule's options are " + core::rule_kind(rule) + "'s, not " + name + "'s";
  if (!(lr() > 0) || !std::isfinite(lr())) return "lr must be > 0, got " + std::to_string(lr());
  // The core rule names the parameter and its range (beta1 in [0, 1), momentum in (-1, 1), ...).
  return core::validate(rule);
}

std::string PlayerOptions::describe() const {
  std::ostringstream os;
  os << name << "(lr=" << lr();
  if (core::has_field(rule, "momentum")) {
    if (get("momentum") != 0) os << ", momentum=" << get("momentum");
  } else if (core::has_field(rule, "beta1")) {
    os << ", b1=" << get("beta1") << ", b2=" << get("beta2");
  }
  os << ")";
  return os.str();
}

template <typename T>
std::unique_ptr<core::UpdateRule<T>> make_player_rule(const PlayerOptions& p) {
  if (std::string why = p.validate(); !why.empty()) throw std::invalid_argument(why);
  return core::make_rule<T>(p.rule);
}

std::string GameOptimizerOptions::validate() const {
  if (std::string w = x.validate(); !w.empty()) return "player x: " + w;
  if (std::string w = y.validate(); !w.empty()) return "player y: " + w;
  if (n_d < 1) return "n_d must be >= 1";
  if (!(gamma >= 0) || !std::isfinite(gamma)) return "gamma (consensus) must be >= 0";
  if (!std::isfinite(lambda)) return "lambda (SGA) must be finite";
  if (!(ema_beta >= 0 && ema_beta < 1)) return "ema_beta must be in [0, 1)";
  return "";
}

std::string GameOptimizerOptions::describe() const {
  std::ostringstream os;
  os << to_string(scheme) << " x=" << x.describe() << " y=" << y.describe();
  if (scheme == Scheme::kAlternating && n_d != 1) os << " n_d=" << n_d;
  if (scheme == Scheme::kConsensus) os << " gamma=" << gamma;
  if (scheme == Scheme::kSga) os << " lambda=" << lambda;
  return os.str();
}

namespace {
const GameOptimizerOptions& checked(const GameOptimizerOptions& o, Eigen::Index dim,
                                    Eigen::Index x_dim) {
  if (std::string why = o.validate(); !why.empty())
    throw std::invalid_argument("GameOptimizer: " + why);
  if (x_dim < 1 || x_dim >= dim)
    throw std::invalid_argument("GameOptimizer: need 1 <= x_dim < dim, got x_dim " +
                                std::to_string(x_dim) + ", dim " + std::to_string(dim));
  return o;
}
}  // namespace

template <typename T>
GameOptimizer<T>::GameOptimizer(const GameOptimizerOptions& o, Eigen::Index dim, Eigen::Index x_dim)
    : o_(checked(o, dim, x_dim)),
      n_(dim),
      nx_(x_dim),
      ox_(*make_player_rule<T>(o.x), static_cast<std::size_t>(x_dim)),
      oy_(*make_player_rule<T>(o.y), static_cast<std::size_t>(dim - x_dim)),
      g_(VectorX<T>::Zero(dim)),
      g2_(VectorX<T>::Zero(dim)),
      prev_(VectorX<T>::Zero(dim)),
      z0_(VectorX<T>::Zero(dim)),
      avg_(VectorX<T>::Zero(dim)) {
  if (o_.scheme == Scheme::kConsensus || o_.scheme == Scheme::kSga) jac_.resize(dim, dim);
}

template <typename T>
void GameOptimizer<T>::reset(Eigen::Ref<const VectorX<T>> z0) {
  avg_ = z0;
  started_ = true;
}

template <typename T>
void GameOptimizer<T>::eval(Game<T>& game, Eigen::Ref<const VectorX<T>> z, VectorX<T>& g) {
  game.vector_field(z, g);
  ++evals_;
}

template <typename T>
void GameOptimizer<T>::apply(Eigen::Ref<VectorX<T>> z, const VectorX<T>& g) {
  const Eigen::Index ny = n_ - nx_;
  ox_.step(z.data(), g.data(), static_cast<std::size_t>(nx_));
  oy_.step(z.data() + nx_, g.data() + nx_, static_cast<std::size_t>(ny));
}

template <typename T>
void GameOptimizer<T>::step(Game<T>& game, Eigen::Ref<VectorX<T>> z) {
  if (z.size() != n_ || game.dim() != n_ || game.x_dim() != nx_)
    throw std::invalid_argument("GameOptimizer::step: the game and z must have dimension " +
                                std::to_string(n_) + " with x_dim " + std::to_string(nx_));
  if (!started_) reset(z);
  const Eigen::Index ny = n_ - nx_;
  switch (o_.scheme) {
    case Scheme::kSimultaneous:
      game.next_batch();
      eval(game, z, g_);
      apply(z, g_);
      break;
    case Scheme::kAlternating:
      for (int k = 0; k < o_.n_d; ++k) {
        game.next_batch();
        eval(game, z, g_);
        oy_.step(z.data() + nx_, g_.data() + nx_, static_cast<std::size_t>(ny));
      }
      game.next_batch();
      eval(game, z, g_);
      ox_.step(z.data(), g_.data(), static_cast<std::size_t>(nx_));
      break;
    case Scheme::kOptimistic:
      game.next_batch();
      eval(game, z, g_);
      if (!has_prev_) prev_ = g_;
      g2_ = T(2) * g_ - prev_;
      prev_ = g_;
      has_prev_ = true;
      apply(z, g2_);
      break;
    case Scheme::kExtragradient:
      game.next_batch();
      z0_ = z;
      eval(game, z, g_);
      apply(z, g_);  // z is now z_{t+½}
      eval(game, z, g_);
      z = z0_;
      apply(z, g_);
      break;
    case Scheme::kPastExtragradient:
      game.next_batch();
      z0_ = z;
      if (!has_prev_) eval(game, z, prev_);
      apply(z, prev_);  // z_{t+½} from the last extrapolated gradient
      eval(game, z, g_);
      z = z0_;
      apply(z, g_);
      prev_ = g_;
      has_prev_ = true;
      break;
    case Scheme::kConsensus:
    case Scheme::kSga:
      game.next_batch();
      eval(game, z, g_);
      game.jacobian(z, jac_);
      if (o_.scheme == Scheme::kConsensus) {
        g2_.noalias() = jac_.transpose() * g_;
        g2_ = g_ + T(o_.gamma) * g2_;
      } else {
        g2_.noalias() = jac_.transpose() * g_;
        g2_.noalias() -= jac_ * g_;
        g2_ = g_ + T(0.5 * o_.lambda) * g2_;
      }
      apply(z, g2_);
      break;
  }
  ++t_;
  if (o_.averaging == Averaging::kUniform)
    avg_ += (z - avg_) / static_cast<T>(t_ + 1);
  else if (o_.averaging == Averaging::kEma)
    avg_ = T(o_.ema_beta) * avg_ + T(1 - o_.ema_beta) * z;
  else
    avg_ = z;
}

template std::unique_ptr<core::UpdateRule<float>> make_player_rule<float>(const PlayerOptions&);
template std::unique_ptr<core::UpdateRule<double>> make_player_rule<double>(const PlayerOptions&);
template class GameOptimizer<float>;
template class GameOptimizer<double>;

}  // namespace adamant::gan
