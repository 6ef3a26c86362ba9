#include "adamant/core/schedule.hpp"

#include <cmath>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "adamant/core/dual.hpp"

namespace adamant::core {
namespace {
constexpr double kPi = 3.14159265358979323846;

// Cosine interpolation from `start` (pct = 0) to `end` (pct = 1), as OneCycleLR anneals.
template <typename R, typename P>
R anneal_cos(const R& start, const R& end, const P& pct) {
  using std::cos;
  return end + (start - end) / 2.0 * (cos(kPi * pct) + 1.0);
}
template <typename R, typename P>
R anneal_linear(const R& start, const R& end, const P& pct) {
  return (end - start) * pct + start;
}

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

// The base (or peak) learning rate validate() checks for every leaf kind.
double base_lr(const Schedule::Node& n) {
  return std::visit(
      Overloaded{[](const Schedule::Cyclic& s) { return s.max_lr; },
                 [](const Schedule::OneCycle& s) { return s.max_lr; },
                 [](const Schedule::Warmup&) { return 0.0; },
                 [](const Schedule::Join&) { return 0.0; },
                 [](const Schedule::Scale&) { return 0.0; }, [](const auto& s) { return s.lr; }},
      n);
}
}  // namespace

Schedule Schedule::constant(double lr) { return Schedule(Constant{lr}); }

Schedule Schedule::step(double lr, std::int64_t step_size, double gamma) {
  return Schedule(Step{lr, step_size, gamma});
}

Schedule Schedule::exponential(double lr, double gamma) { return Schedule(Exponential{lr, gamma}); }

Schedule Schedule::linear(double lr, double start_factor, double end_factor,
                          std::int64_t total_iters) {
  return Schedule(Linear{lr, start_factor, end_factor, total_iters});
}

Schedule Schedule::cosine(double lr, std::int64_t t_max, double eta_min) {
  return Schedule(Cosine{lr, t_max, eta_min});
}

Schedule Schedule::warmup_cosine(double lr, std::int64_t warmup_steps, std::int64_t total_steps,
                                 double eta_min, double start_factor) {
  return Schedule(WarmupCosine{lr, warmup_steps, total_steps, eta_min, start_factor});
}

Schedule Schedule::cyclic(double base_lr, double max_lr, std::int64_t step_size_up, CyclicMode mode,
                          std::int64_t step_size_down) {
  return Schedule(Cyclic{base_lr, max_lr, step_size_up,
                         step_size_down < 0 ? step_size_up : step_size_down, mode});
}

Schedule Schedule::one_cycle(double max_lr, std::int64_t total_steps, double pct_start,
                             bool cosine_anneal, double div_factor, double final_div_factor) {
  return Schedule(
      OneCycle{max_lr, total_steps, pct_start, cosine_anneal, div_factor, final_div_factor});
}

Schedule Schedule::warmup(std::int64_t steps, const Schedule& then, double start_factor) {
  return Schedule(Warmup{steps, start_factor, std::make_shared<const Schedule>(then)});
}

Schedule Schedule::join(std::vector<Schedule> parts, std::vector<std::int64_t> boundaries) {
  return Schedule(
      Join{std::make_shared<const std::vector<Schedule>>(std::move(parts)), std::move(boundaries)});
}

Schedule Schedule::scale(double factor, const Schedule& inner) {
  return Schedule(Scale{factor, std::make_shared<const Schedule>(inner)});
}

std::string Schedule::validate() const {
  std::ostringstream e;
  const Kind k = kind();
  if (k != Kind::kWarmup && k != Kind::kJoin && k != Kind::kScale) {
    const double lr = base_lr(node_);
    if (!std::isfinite(lr) || lr < 0) e << "learning rate must be finite and >= 0, got " << lr;
  }
  std::visit(
      Overloaded{
          [](const Constant&) {},
          [&](const Step& s) {
            if (s.step_size < 1) e << "step schedule: step_size must be >= 1, got " << s.step_size;
            if (!(s.gamma > 0)) e << "step schedule: gamma must be > 0, got " << s.gamma;
          },
          [&](const Exponential& s) {
            if (!(s.gamma > 0)) e << "exponential schedule: gamma must be > 0, got " << s.gamma;
          },
          [&](const Linear& s) {
            if (s.total_iters < 1)
              e << "linear schedule: total_iters must be >= 1, got " << s.total_iters;
            if (!(s.start_factor > 0 && s.start_factor <= 1))
              e << "linear schedule: start_factor must be in (0, 1], got " << s.start_factor;
            if (!(s.end_factor >= 0 && s.end_factor <= 1))
              e << "linear schedule: end_factor must be in [0, 1], got " << s.end_factor;
          },
          [&](const Cosine& s) {
            if (s.t_max < 1) e << "cosine schedule: t_max must be >= 1, got " << s.t_max;
            if (!(s.eta_min >= 0)) e << "cosine schedule: eta_min must be >= 0, got " << s.eta_min;
          },
          [&](const WarmupCosine& s) {
            if (s.warmup_steps < 0)
              e << "warmup_cosine schedule: warmup_steps must be >= 0, got " << s.warmup_steps;
            if (s.total_steps <= s.warmup_steps)
              e << "warmup_cosine schedule: total_steps (" << s.total_steps
                << ") must exceed warmup_steps (" << s.warmup_steps << ")";
            if (!(s.eta_min >= 0))
              e << "warmup_cosine schedule: eta_min must be >= 0, got " << s.eta_min;
            if (!(s.start_factor >= 0 && s.start_factor <= 1))
              e << "warmup_cosine schedule: start_factor must be in [0, 1], got " << s.start_factor;
          },
          [&](const Cyclic& s) {
            if (s.step_size_up < 1 || s.step_size_down < 1)
              e << "cyclic schedule: step sizes must be >= 1, got up=" << s.step_size_up
                << " down=" << s.step_size_down;
            if (!(s.base_lr >= 0 && s.base_lr <= s.max_lr))
              e << "cyclic schedule: need 0 <= base_lr <= max_lr, got base_lr=" << s.base_lr
                << " max_lr=" << s.max_lr;
          },
          [&](const OneCycle& s) {
            if (s.total_steps < 2)
              e << "one_cycle schedule: total_steps must be >= 2, got " << s.total_steps;
            if (!(s.pct_start > 0 && s.pct_start < 1))
              e << "one_cycle schedule: pct_start must be in (0, 1), got " << s.pct_start;
            if (!(s.div_factor > 0))
              e << "one_cycle schedule: div_factor must be > 0, got " << s.div_factor;
            if (!(s.final_div_factor > 0))
              e << "one_cycle schedule: final_div_factor must be > 0, got " << s.final_div_factor;
          },
          [&](const Warmup& s) {
            if (s.steps < 1) e << "warmup schedule: steps must be >= 1, got " << s.steps;
            if (!(s.start_factor >= 0 && s.start_factor <= 1))
              e << "warmup schedule: start_factor must be in [0, 1], got " << s.start_factor;
            if (const std::string w = s.then->validate(); !w.empty())
              e << "warmup schedule: then: " << w;
          },
          [&](const Join& s) {
            if (s.parts->empty() || s.boundaries.size() + 1 != s.parts->size()) {
              e << "join schedule: needs one boundary fewer than schedules, got " << s.parts->size()
                << " schedules and " << s.boundaries.size() << " boundaries";
              return;
            }
            for (std::size_t i = 0; i < s.boundaries.size(); ++i)
              if (s.boundaries[i] < 1 || (i > 0 && s.boundaries[i] <= s.boundaries[i - 1])) {
                e << "join schedule: boundaries must be >= 1 and increasing, got "
                  << s.boundaries[i] << " at " << i;
                return;
              }
            for (std::size_t i = 0; i < s.parts->size(); ++i)
              if (const std::string w = (*s.parts)[i].validate(); !w.empty())
                e << "join schedule: part " << i << ": " << w;
          },
          [&](const Scale& s) {
            if (!std::isfinite(s.factor) || s.factor < 0)
              e << "scale schedule: factor must be finite and >= 0, got " << s.factor;
            if (const std::string w = s.inner->validate(); !w.empty()) e << "scale schedule: " << w;
          },
      },
      node_);
  return e.str();
}

template <typename R, typename Lift>
R Schedule::eval(std::int64_t t, const Lift& lift) const {
  using std::pow;
  if (t < 0) throw std::invalid_argument("schedule: step must be >= 0, got " + std::to_string(t));
  const double td = static_cast<double>(t);
  return std::visit(
      Overloaded{
          [&](const Constant& s) -> R { return lift(s.lr); },
          [&](const Step& s) -> R {
            return lift(s.lr) * pow(lift(s.gamma), static_cast<double>(t / s.step_size));
          },
          [&](const Exponential& s) -> R { return lift(s.lr) * pow(lift(s.gamma), td); },
          [&](const Linear& s) -> R {
            return lift(s.lr) *
                   (lift(s.start_factor) + (lift(s.end_factor) - lift(s.start_factor)) *
                                               static_cast<double>(std::min(s.total_iters, t)) /
                                               static_cast<double>(s.total_iters));
          },
          [&](const Cosine& s) -> R {
            return lift(s.eta_min) + (lift(s.lr) - lift(s.eta_min)) *
                                         (1.0 + std::cos(kPi * td / static_cast<double>(s.t_max))) /
                                         2.0;
          },
          [&](const WarmupCosine& s) -> R {
            if (t < s.warmup_steps)
              return lift(s.lr) * (lift(s.start_factor) + (1.0 - lift(s.start_factor)) * td /
                                                              static_cast<double>(s.warmup_steps));
            if (t >= s.total_steps) return lift(s.eta_min);
            const double pct = static_cast<double>(t - s.warmup_steps) /
                               static_cast<double>(s.total_steps - s.warmup_steps);
            return lift(s.eta_min) +
                   (lift(s.lr) - lift(s.eta_min)) * (1.0 + std::cos(kPi * pct)) / 2.0;
          },
          [&](const Cyclic& s) -> R {
            const double total = static_cast<double>(s.step_size_up + s.step_size_down);
            const double ratio = static_cast<double>(s.step_size_up) / total;
            const double cycle = std::floor(1.0 + td / total);
            const double x = 1.0 + td / total - cycle;
            const double scale = x <= ratio ? x / ratio : (x - 1.0) / (ratio - 1.0);
            const R height = (lift(s.max_lr) - lift(s.base_lr)) * scale;
            return s.mode == CyclicMode::kTriangular2
                       ? lift(s.base_lr) + height * (1.0 / std::pow(2.0, cycle - 1.0))
                       : lift(s.base_lr) + height * 1.0;
          },
          [&](const OneCycle& s) -> R {
            if (t >= s.total_steps)
              throw std::invalid_argument(
                  "one_cycle schedule: step " + std::to_string(t) +
                  " is beyond total_steps=" + std::to_string(s.total_steps));
            const R initial = lift(s.max_lr) / lift(s.div_factor);
            const R min_lr = initial / lift(s.final_div_factor);
            const R end_up = lift(s.pct_start) * static_cast<double>(s.total_steps) - 1.0;
            const double end_down = static_cast<double>(s.total_steps - 1);
            if (td <= end_up)
              return s.cosine_anneal ? anneal_cos(initial, lift(s.max_lr), td / end_up)
                                     : anneal_linear(initial, lift(s.max_lr), td / end_up);
            const R pct = (td - end_up) / (end_down - end_up);
            return s.cosine_anneal ? anneal_cos(lift(s.max_lr), min_lr, pct)
                                   : anneal_linear(lift(s.max_lr), min_lr, pct);
          },
          [&](const Warmup& s) -> R {
            if (t >= s.steps) return s.then->template eval<R>(t - s.steps, lift);
            return s.then->template eval<R>(0, lift) *
                   (lift(s.start_factor) +
                    (1.0 - lift(s.start_factor)) * td / static_cast<double>(s.steps));
          },
          [&](const Join& s) -> R {
            std::size_t i = 0;
            std::int64_t start = 0;
            while (i < s.boundaries.size() && t >= s.boundaries[i]) start = s.boundaries[i++];
            return (*s.parts)[i].template eval<R>(t - start, lift);
          },
          [&](const Scale& s) -> R { return lift(s.factor) * s.inner->template eval<R>(t, lift); },
      },
      node_);
}

namespace {
struct Identity {
  double operator()(const double& x) const { return x; }
};
}  // namespace

double Schedule::operator()(std::int64_t t) const { return eval<double>(t, Identity{}); }

// The instantiation hyper-gradients use (hyper.cpp).
template Dual<kHyperLanes>
Schedule::eval<Dual<kHyperLanes>, std::function<Dual<kHyperLanes>(const double&)>>(
    std::int64_t, const std::function<Dual<kHyperLanes>(const double&)>&) const;

std::vector<std::pair<std::string, const double*>> Schedule::real_parameters() const {
  std::vector<std::pair<std::string, const double*>> out;
  auto add = [&](const char* name, const double& x) { out.emplace_back(name, &x); };
  auto nested = [&](const std::string& prefix, const Schedule& inner) {
    for (auto& [name, ptr] : inner.real_parameters()) out.emplace_back(prefix + name, ptr);
  };
  std::visit(Overloaded{
                 [&](const Constant& s) { add("lr", s.lr); },
                 [&](const Step& s) {
                   add("lr", s.lr);
                   add("gamma", s.gamma);
                 },
                 [&](const Exponential& s) {
                   add("lr", s.lr);
                   add("gamma", s.gamma);
                 },
                 [&](const Linear& s) {
                   add("lr", s.lr);
                   add("start_factor", s.start_factor);
                   add("end_factor", s.end_factor);
                 },
                 [&](const Cosine& s) {
                   add("lr", s.lr);
                   add("eta_min", s.eta_min);
                 },
                 [&](const WarmupCosine& s) {
                   add("lr", s.lr);
                   add("eta_min", s.eta_min);
                   add("start_factor", s.start_factor);
                 },
                 [&](const Cyclic& s) {
                   add("base_lr", s.base_lr);
                   add("max_lr", s.max_lr);
                 },
                 [&](const OneCycle& s) {
                   add("max_lr", s.max_lr);
                   add("pct_start", s.pct_start);
                   add("div_factor", s.div_factor);
                   add("final_div_factor", s.final_div_factor);
                 },
                 [&](const Warmup& s) {
                   add("start_factor", s.start_factor);
                   nested("then.", *s.then);
                 },
                 [&](const Join& s) {
                   for (std::size_t i = 0; i < s.parts->size(); ++i)
                     nested("parts." + std::to_string(i) + ".", (*s.parts)[i]);
                 },
                 [&](const Scale& s) {
                   add("factor", s.factor);
                   nested("inner.", *s.inner);
                 },
             },
             node_);
  return out;
}

std::string Schedule::describe() const {
  std::ostringstream o;
  std::visit(
      Overloaded{
          [&](const Constant& s) { o << "constant(lr=" << s.lr << ")"; },
          [&](const Step& s) {
            o << "step(lr=" << s.lr << ", step_size=" << s.step_size << ", gamma=" << s.gamma
              << ")";
          },
          [&](const Exponential& s) {
            o << "exponential(lr=" << s.lr << ", gamma=" << s.gamma << ")";
          },
          [&](const Linear& s) {
            o << "linear(lr=" << s.lr << ", start_factor=" << s.start_factor
              << ", end_factor=" << s.end_factor << ", total_iters=" << s.total_iters << ")";
          },
          [&](const Cosine& s) {
            o << "cosine(lr=" << s.lr << ", t_max=" << s.t_max << ", eta_min=" << s.eta_min << ")";
          },
          [&](const WarmupCosine& s) {
            o << "warmup_cosine(lr=" << s.lr << ", warmup_steps=" << s.warmup_steps
              << ", total_steps=" << s.total_steps << ", eta_min=" << s.eta_min
              << ", start_factor=" << s.start_factor << ")";
          },
          [&](const Cyclic& s) {
            o << "cyclic(base_lr=" << s.base_lr << ", max_lr=" << s.max_lr
              << ", step_size_up=" << s.step_size_up << ", step_size_down=" << s.step_size_down
              << ", mode=" << (s.mode == CyclicMode::kTriangular2 ? "triangular2" : "triangular")
              << ")";
          },
          [&](const OneCycle& s) {
            o << "one_cycle(max_lr=" << s.max_lr << ", total_steps=" << s.total_steps
              << ", pct_start=" << s.pct_start
              << ", anneal=" << (s.cosine_anneal ? "cos" : "linear")
              << ", div_factor=" << s.div_factor << ", final_div_factor=" << s.final_div_factor
              << ")";
          },
          [&](const Warmup& s) {
            o << "warmup(steps=" << s.steps << ", start_factor=" << s.start_factor
              << ", then=" << s.then->describe() << ")";
          },
          [&](const Join& s) {
            o << "join(parts=[";
            for (std::size_t i = 0; i < s.parts->size(); ++i)
              o << (i ? ", " : "") << (*s.parts)[i].describe();
            o << "], boundaries=[";
            for (std::size_t i = 0; i < s.boundaries.size(); ++i)
              o << (i ? ", " : "") << s.boundaries[i];
            o << "])";
          },
          [&](const Scale& s) {
            o << "scale(factor=" << s.factor << ", inner=" << s.inner->describe() << ")";
          },
      },
      node_);
  return o.str();
}

}  // namespace adamant::core
