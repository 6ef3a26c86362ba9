// The rules' adapter to UpdateRule (one class for every policy of recurrences.hpp), their
// validation and descriptions from the field lists, and the one table of rule names.

#include "adamant/core/rules.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "adamant/core/recurrences.hpp"

namespace adamant::core {

const char* range_text(Range r) {
  switch (r) {
    case Range::kNonNegative:
      return "finite and >= 0";
    case Range::kPositive:
      return "finite and > 0";
    case Range::kUnit:
      return "in [0, 1)";
    case Range::kSymmetric:
      return "in (-1, 1)";
    case Range::kClosedUnit:
      return "in [0, 1]";
  }
  return "?";
}

bool in_range(double v, Range r) {
  switch (r) {
    case Range::kNonNegative:
      return std::isfinite(v) && v >= 0;
    case Range::kPositive:
      return std::isfinite(v) && v > 0;
    case Range::kUnit:
      return v >= 0 && v < 1;
    case Range::kSymmetric:
      return v > -1 && v < 1;
    case Range::kClosedUnit:
      return v >= 0 && v <= 1;
  }
  return false;
}

namespace {

// Collects messages for invalid hyper-parameters, each naming the rule and the parameter.
class Checker {
 public:
  explicit Checker(std::string rule) : rule_(std::move(rule)) {}
  void operator()(bool ok, const char* name, const char* expected, double got) {
    if (ok) return;
    if (!out_.tellp())
      out_ << rule_ << ": ";
    else
      out_ << "; ";
    out_ << name << " must be " << expected << ", got " << got;
  }
  std::string str() const { return out_.str(); }

 private:
  std::string rule_;
  std::ostringstream out_;
};

using recurrence::PolicyOf;

template <typename O>
std::string validate_options(const O& o) {
  using P = typename PolicyOf<O>::type;
  Checker c(P::name(o));
  struct Visit {
    const O& o;
    Checker& c;
    void operator()(const char* name, double O::*field, Range r, const char*) const {
      c(in_range(o.*field, r), name, range_text(r), o.*field);
    }
    void operator()(const char*, bool O::*, const char*) const {}
  };
  O::fields(Visit{o, c});
  P::check(o, c);
  return c.str();
}

template <typename O>
bool maximize_of(const O& o) {
  bool m = false;
  struct Visit {
    const O& o;
    bool& m;
    void operator()(const char*, double O::*, Range, const char*) const {}
    void operator()(const char* name, bool O::*field, const char*) const {
      if (std::strcmp(name, "maximize") == 0) m = o.*field;
    }
  };
  O::fields(Visit{o, m});
  return m;
}

// A rule's element slots at index i: s[k] is slot k's value there.
template <typename T>
struct SlotsAt {
  T* const* base;
  std::size_t i;
  T& operator[](int k) const { return base[k][i]; }
};

// Every rule: its policy's recurrence in the fused element loop (rule.hpp).
template <typename T, typename O>
class PolicyRule final : public UpdateRule<T> {
  using P = typename PolicyOf<O>::type;

 public:
  explicit PolicyRule(const O& o) : o_(o), maximize_(maximize_of(o)) {}
  std::string name() const override { return P::name(o_); }
  std::string validate() const override { return validate_options(o_); }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool decoupled_weight_decay() const override { return P::decoupled(o_); }
  bool maximize() const override { return maximize_; }
  std::vector<std::string> slot_names() const override { return P::slots(o_); }
  std::vector<std::string> scalar_names() const override { return P::scalars(o_); }
  State<T> init(std::size_t n) const override {
    State<T> s = UpdateRule<T>::init(n);
    P::init(o_, s);
    return s;
  }
  void begin_step(State<T>& s) const override { P::begin_step(o_, s); }
  void update(const Kernel<T>& k) const override {
    const recurrence::StepInfo<double> info{k.step, k.lr, k.scalars};
    const auto exact = P::coefficients(o_, info);  // in double, rounded to T once
    std::array<T, P::kCoeffs> c;
    for (std::size_t j = 0; j < c.size(); ++j) c[j] = static_cast<T>(exact[j]);
    std::array<T*, Kernel<T>::kMaxSlots> slots;
    for (int j = 0; j < Kernel<T>::kMaxSlots; ++j) slots[j] = k.s[j];
    P::variants(o_, info, [&](auto variant) {
      constexpr int kVariant = decltype(variant)::value;
      for_each_element(k, [c, slots](std::size_t i, T g) {
        return P::template element<kVariant>(g, SlotsAt<T>{slots.data(), i}, c);
      });
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<PolicyRule>(*this);
  }

 private:
  O o_;
  bool maximize_;
};

// ---- the table --------------------------------------------------------------------------------

struct Entry {
  const char* name;
  RuleOptions (*make)();
};

template <typename O>
RuleOptions defaults() {
  return O{};
}
RuleOptions momentum_sgd(bool nesterov) {
  SgdOptions o;
  o.momentum = 0.9;
  o.nesterov = nesterov;
  return o;
}

const Entry kTable[] = {
    {"sgd", defaults<SgdOptions>},
    {"momentum", [] { return momentum_sgd(false); }},
    {"nesterov", [] { return momentum_sgd(true); }},
    {"adagrad", defaults<AdagradOptions>},
    {"rmsprop", defaults<RmspropOptions>},
    {"adam", defaults<AdamOptions>},
    {"adamw", [] { return RuleOptions{AdamOptions::adamw()}; }},
    {"amsgrad",
     [] {
       AdamOptions o;
       o.amsgrad = true;
       return RuleOptions{o};
     }},
    {"adamax", defaults<AdamaxOptions>},
    {"nadam", defaults<NadamOptions>},
    {"radam", defaults<RadamOptions>},
    {"lion", defaults<LionOptions>},
    {"optimistic_adam", defaults<OptimisticAdamOptions>},
};
struct Alias {
  const char* alias;
  const char* name;
};
const Alias kAliases[] = {{"oadam", "optimistic_adam"}};

// Calls f(name, value) for every field of o (booleans as 0 / 1), or, with a name, sets one.
template <typename O, typename F>
void for_each_field(O& o, F&& f) {
  struct Visit {
    O& o;
    F& f;
    void operator()(const char* name, double O::*field, Range, const char*) const {
      f(name, o.*field, false);
    }
    void operator()(const char* name, bool O::*field, const char*) const {
      double v = o.*field ? 1 : 0;
      if (f(name, v, true)) o.*field = v != 0;
    }
  };
  O::fields(Visit{o, f});
}

}  // namespace

const std::vector<std::string>& rule_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Entry& e : kTable) n.emplace_back(e.name);
    return n;
  }();
  return names;
}

const std::vector<std::string>& rule_aliases() {
  static const std::vector<std::string> aliases = [] {
    std::vector<std::string> a;
    for (const Alias& e : kAliases) a.push_back(std::string(e.alias) + " = " + e.name);
    return a;
  }();
  return aliases;
}

std::string known_rules_text() {
  std::string s;
  for (const auto& n : rule_names()) s += (s.empty() ? "" : ", ") + n;
  std::string a;
  for (const auto& n : rule_aliases()) a += (a.empty() ? "" : ", ") + n;
  return s + " (also: " + a + ")";
}

bool is_rule_name(const std::string& name) {
  for (const Entry& e : kTable)
    if (name == e.name) return true;
  for (const Alias& e : kAliases)
    if (name == e.alias) return true;
  return false;
}

std::string canonical_rule_name(const std::string& name) {
  for (const Entry& e : kTable)
    if (name == e.name) return name;
  for (const Alias& e : kAliases)
    if (name == e.alias) return e.name;
  throw std::invalid_argument("unknown rule '" + name + "' (known: " + known_rules_text() + ")");
}

RuleOptions rule_options(const std::string& name) {
  const std::string canonical = canonical_rule_name(name);
  for (const Entry& e : kTable)
    if (canonical == e.name) return e.make();
  throw std::logic_error("rule table: " + canonical);  // unreachable
}

std::string rule_name(const RuleOptions& o) {
  return std::visit(
      [](const auto& x) { return PolicyOf<std::decay_t<decltype(x)>>::type::name(x); }, o);
}

std::string rule_kind(const RuleOptions& o) {
  for (const Entry& e : kTable) {
    if (e.make().index() == o.index()) return e.name;
  }
  return rule_name(o);  // unreachable: every alternative has a table entry
}

const std::vector<RuleField>& all_rule_fields() {
  static const std::vector<RuleField> fields = [] {
    std::vector<RuleField> out;
    auto add = [&](const char* name, const char* doc, bool boolean) {
      for (const RuleField& f : out) {
        if (f.name == name) return;
      }
      out.push_back({name, doc, boolean});
    };
    for (const Entry& e : kTable) {
      std::visit(
          [&](const auto& x) {
            using O = std::decay_t<decltype(x)>;
            struct Visit {
              decltype(add)& f;
              void operator()(const char* n, double O::*, Range, const char* d) const {
                f(n, d, false);
              }
              void operator()(const char* n, bool O::*, const char* d) const { f(n, d, true); }
            };
            O::fields(Visit{add});
          },
          e.make());
    }
    return out;
  }();
  return fields;
}

bool has_field(const RuleOptions& o, const std::string& name) {
  for (const std::string& n : field_names(o)) {
    if (n == name) return true;
  }
  return false;
}

std::vector<std::string> field_names(const RuleOptions& o) {
  std::vector<std::string> names;
  RuleOptions copy = o;
  std::visit(
      [&](auto& x) {
        for_each_field(x, [&](const char* name, double&, bool) {
          names.emplace_back(name);
          return false;
        });
      },
      copy);
  return names;
}

bool set_field(RuleOptions& o, const std::string& name, double value) {
  bool found = false;
  std::visit(
      [&](auto& x) {
        for_each_field(x, [&](const char* n, double& v, bool) {
          if (name != n) return false;
          v = value;
          found = true;
          return true;
        });
      },
      o);
  return found;
}

double get_field(const RuleOptions& o, const std::string& name) {
  bool found = false;
  double out = 0;
  RuleOptions copy = o;
  std::visit(
      [&](auto& x) {
        for_each_field(x, [&](const char* n, double& v, bool) {
          if (name == n) out = v, found = true;
          return false;
        });
      },
      copy);
  if (!found) throw std::invalid_argument(rule_name(o) + " has no option '" + name + "'");
  return out;
}

std::string validate(const RuleOptions& o) {
  return std::visit([](const auto& x) { return validate_options(x); }, o);
}

std::string describe(const RuleOptions& o) {
  std::ostringstream s;
  s.precision(12);
  s << rule_name(o) << "(";
  bool first = true;
  RuleOptions copy = o;
  std::visit(
      [&](auto& x) {
        for_each_field(x, [&](const char* n, double& v, bool flag) {
          s << (first ? "" : ", ") << n << "=";
          if (flag)
            s << (v != 0 ? "true" : "false");
          else
            s << v;
          first = false;
          return false;
        });
      },
      copy);
  s << ")";
  return s.str();
}

#define ADAMANT_RULE_FACTORY(Options)                                    \
  template <typename T>                                                  \
  std::unique_ptr<UpdateRule<T>> make_rule(const Options& o) {           \
    return std::make_unique<PolicyRule<T, Options>>(o);                  \
  }                                                                      \
  template std::unique_ptr<UpdateRule<float>> make_rule(const Options&); \
  template std::unique_ptr<UpdateRule<double>> make_rule(const Options&);

ADAMANT_RULE_FACTORY(SgdOptions)
ADAMANT_RULE_FACTORY(AdagradOptions)
ADAMANT_RULE_FACTORY(RmspropOptions)
ADAMANT_RULE_FACTORY(AdamOptions)
ADAMANT_RULE_FACTORY(AdamaxOptions)
ADAMANT_RULE_FACTORY(NadamOptions)
ADAMANT_RULE_FACTORY(RadamOptions)
ADAMANT_RULE_FACTORY(LionOptions)
ADAMANT_RULE_FACTORY(OptimisticAdamOptions)
#undef ADAMANT_RULE_FACTORY

template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const RuleOptions& o) {
  return std::visit([](const auto& x) { return make_rule<T>(x); }, o);
}
template std::unique_ptr<UpdateRule<float>> make_rule(const RuleOptions&);
template std::unique_ptr<UpdateRule<double>> make_rule(const RuleOptions&);

}  // namespace adamant::core
