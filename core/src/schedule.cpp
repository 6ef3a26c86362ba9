#include "adamant/core/schedule.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace adamant::core {
namespace {
constexpr double kPi = 3.14159265358979323846;

// Cosine interpolation from `start` (pct = 0) to `end` (pct = 1), as OneCycleLR anneals.
double anneal_cos(double start, double end, double pct) {
  return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1.0);
}
double anneal_linear(double start, double end, double pct) { return (end - start) * pct + start; }
}  // namespace

Schedule Schedule::constant(double lr) {
  Schedule s;
  s.kind_ = Kind::kConstant;
  s.lr_ = lr;
  return s;
}

Schedule Schedule::step(double lr, std::int64_t step_size, double gamma) {
  Schedule s;
  s.kind_ = Kind::kStep;
  s.lr_ = lr;
  s.n1_ = step_size;
  s.a_ = gamma;
  return s;
}

Schedule Schedule::exponential(double lr, double gamma) {
  Schedule s;
  s.kind_ = Kind::kExponential;
  s.lr_ = lr;
  s.a_ = gamma;
  return s;
}

Schedule Schedule::linear(double lr, double start_factor, double end_factor,
                          std::int64_t total_iters) {
  Schedule s;
  s.kind_ = Kind::kLinear;
  s.lr_ = lr;
  s.a_ = start_factor;
  s.b_ = end_factor;
  s.n1_ = total_iters;
  return s;
}

Schedule Schedule::cosine(double lr, std::int64_t t_max, double eta_min) {
  Schedule s;
  s.kind_ = Kind::kCosine;
  s.lr_ = lr;
  s.n1_ = t_max;
  s.a_ = eta_min;
  return s;
}

Schedule Schedule::warmup_cosine(double lr, std::int64_t warmup_steps, std::int64_t total_steps,
                                 double eta_min, double start_factor) {
  Schedule s;
  s.kind_ = Kind::kWarmupCosine;
  s.lr_ = lr;
  s.n1_ = warmup_steps;
  s.n2_ = total_steps;
  s.c_ = eta_min;
  s.b_ = start_factor;
  return s;
}

Schedule Schedule::cyclic(double base_lr, double max_lr, std::int64_t step_size_up, CyclicMode mode,
                          std::int64_t step_size_down) {
  Schedule s;
  s.kind_ = Kind::kCyclic;
  s.lr_ = max_lr;
  s.a_ = base_lr;
  s.n1_ = step_size_up;
  s.n2_ = step_size_down < 0 ? step_size_up : step_size_down;
  s.flag_ = mode == CyclicMode::kTriangular2;
  return s;
}

Schedule Schedule::one_cycle(double max_lr, std::int64_t total_steps, double pct_start,
                             bool cosine_anneal, double div_factor, double final_div_factor) {
  Schedule s;
  s.kind_ = Kind::kOneCycle;
  s.lr_ = max_lr;
  s.n1_ = total_steps;
  s.a_ = pct_start;
  s.flag_ = cosine_anneal;
  s.b_ = div_factor;
  s.c_ = final_div_factor;
  return s;
}

std::string Schedule::validate() const {
  std::ostringstream e;
  if (!std::isfinite(lr_) || lr_ < 0) e << "learning rate must be finite and >= 0, got " << lr_;
  switch (kind_) {
    case Kind::kConstant:
      break;
    case Kind::kStep:
      if (n1_ < 1) e << "step schedule: step_size must be >= 1, got " << n1_;
      if (!(a_ > 0)) e << "step schedule: gamma must be > 0, got " << a_;
      break;
    case Kind::kExponential:
      if (!(a_ > 0)) e << "exponential schedule: gamma must be > 0, got " << a_;
      break;
    case Kind::kLinear:
      if (n1_ < 1) e << "linear schedule: total_iters must be >= 1, got " << n1_;
      if (!(a_ > 0 && a_ <= 1)) e << "linear schedule: start_factor must be in (0, 1], got " << a_;
      if (!(b_ >= 0 && b_ <= 1)) e << "linear schedule: end_factor must be in [0, 1], got " << b_;
      break;
    case Kind::kCosine:
      if (n1_ < 1) e << "cosine schedule: t_max must be >= 1, got " << n1_;
      if (!(a_ >= 0)) e << "cosine schedule: eta_min must be >= 0, got " << a_;
      break;
    case Kind::kWarmupCosine:
      if (n1_ < 0) e << "warmup_cosine schedule: warmup_steps must be >= 0, got " << n1_;
      if (n2_ <= n1_)
        e << "warmup_cosine schedule: total_steps (" << n2_ << ") must exceed warmup_steps (" << n1_
          << ")";
      if (!(c_ >= 0)) e << "warmup_cosine schedule: eta_min must be >= 0, got " << c_;
      if (!(b_ >= 0 && b_ <= 1))
        e << "warmup_cosine schedule: start_factor must be in [0, 1], got " << b_;
      break;
    case Kind::kCyclic:
      if (n1_ < 1 || n2_ < 1)
        e << "cyclic schedule: step sizes must be >= 1, got up=" << n1_ << " down=" << n2_;
      if (!(a_ >= 0 && a_ <= lr_))
        e << "cyclic schedule: need 0 <= base_lr <= max_lr, got base_lr=" << a_
          << " max_lr=" << lr_;
      break;
    case Kind::kOneCycle:
      if (n1_ < 2) e << "one_cycle schedule: total_steps must be >= 2, got " << n1_;
      if (!(a_ > 0 && a_ < 1)) e << "one_cycle schedule: pct_start must be in (0, 1), got " << a_;
      if (!(b_ > 0)) e << "one_cycle schedule: div_factor must be > 0, got " << b_;
      if (!(c_ > 0)) e << "one_cycle schedule: final_div_factor must be > 0, got " << c_;
      break;
  }
  return e.str();
}

double Schedule::operator()(std::int64_t t) const {
  if (t < 0) throw std::invalid_argument("schedule: step must be >= 0, got " + std::to_string(t));
  const double td = static_cast<double>(t);
  switch (kind_) {
    case Kind::kConstant:
      return lr_;
    case Kind::kStep:
      return lr_ * std::pow(a_, static_cast<double>(t / n1_));
    case Kind::kExponential:
      return lr_ * std::pow(a_, td);
    case Kind::kLinear:
      return lr_ *
             (a_ + (b_ - a_) * static_cast<double>(std::min(n1_, t)) / static_cast<double>(n1_));
    case Kind::kCosine:
      return a_ + (lr_ - a_) * (1.0 + std::cos(kPi * td / static_cast<double>(n1_))) / 2.0;
    case Kind::kWarmupCosine: {
      if (t < n1_) return lr_ * (b_ + (1.0 - b_) * td / static_cast<double>(n1_));
      if (t >= n2_) return c_;
      const double pct = static_cast<double>(t - n1_) / static_cast<double>(n2_ - n1_);
      return c_ + (lr_ - c_) * (1.0 + std::cos(kPi * pct)) / 2.0;
    }
    case Kind::kCyclic: {
      const double total = static_cast<double>(n1_ + n2_);
      const double ratio = static_cast<double>(n1_) / total;
      const double cycle = std::floor(1.0 + td / total);
      const double x = 1.0 + td / total - cycle;
      const double scale = x <= ratio ? x / ratio : (x - 1.0) / (ratio - 1.0);
      const double height = (lr_ - a_) * scale;
      return flag_ ? a_ + height * (1.0 / std::pow(2.0, cycle - 1.0)) : a_ + height * 1.0;
    }
    case Kind::kOneCycle: {
      if (t >= n1_)
        throw std::invalid_argument("one_cycle schedule: step " + std::to_string(t) +
                                    " is beyond total_steps=" + std::to_string(n1_));
      const double initial = lr_ / b_, min_lr = initial / c_;
      const double end_up = a_ * static_cast<double>(n1_) - 1.0;
      const double end_down = static_cast<double>(n1_ - 1);
      const auto anneal = flag_ ? anneal_cos : anneal_linear;
      if (td <= end_up) return anneal(initial, lr_, td / end_up);
      return anneal(lr_, min_lr, (td - end_up) / (end_down - end_up));
    }
  }
  return lr_;
}

std::string Schedule::describe() const {
  std::ostringstream o;
  switch (kind_) {
    case Kind::kConstant:
      o << "constant(lr=" << lr_ << ")";
      break;
    case Kind::kStep:
      o << "step(lr=" << lr_ << ", step_size=" << n1_ << ", gamma=" << a_ << ")";
      break;
    case Kind::kExponential:
      o << "exponential(lr=" << lr_ << ", gamma=" << a_ << ")";
      break;
    case Kind::kLinear:
      o << "linear(lr=" << lr_ << ", start_factor=" << a_ << ", end_factor=" << b_
        << ", total_iters=" << n1_ << ")";
      break;
    case Kind::kCosine:
      o << "cosine(lr=" << lr_ << ", t_max=" << n1_ << ", eta_min=" << a_ << ")";
      break;
    case Kind::kWarmupCosine:
      o << "warmup_cosine(lr=" << lr_ << ", warmup_steps=" << n1_ << ", total_steps=" << n2_
        << ", eta_min=" << c_ << ", start_factor=" << b_ << ")";
      break;
    case Kind::kCyclic:
      o << "cyclic(base_lr=" << a_ << ", max_lr=" << lr_ << ", step_size_up=" << n1_
        << ", step_size_down=" << n2_ << ", mode=" << (flag_ ? "triangular2" : "triangular") << ")";
      break;
    case Kind::kOneCycle:
      o << "one_cycle(max_lr=" << lr_ << ", total_steps=" << n1_ << ", pct_start=" << a_
        << ", anneal=" << (flag_ ? "cos" : "linear") << ", div_factor=" << b_
        << ", final_div_factor=" << c_ << ")";
      break;
  }
  return o.str();
}

}  // namespace adamant::core
