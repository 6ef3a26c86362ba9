// The registry, checks and the "lab" file schema (lab.hpp).

#include "adamant/lab/lab.hpp"

#include <sstream>
#include <stdexcept>

#include "adamant/datasets/h5.hpp"
#include "experiments.hpp"

namespace adamant::lab {
namespace {

namespace ds = adamant::datasets;
constexpr const char* kSchema = "lab";

Result read(const ds::Reader& r) {
  if (ds::schema_of(r) != kSchema)
    r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) + "', expected '" + kSchema +
                    "' (a result written by 'adamant lab')");
  Result res;
  res.name = r.attr_string("/", "name");
  res.title = r.attr_string("/", "title");
  res.claim = r.attr_string("/", "claim");
  res.source = r.attr_string("/", "source");
  for (const std::string& g : ds::split_names(r.attr_string("/", "groups")))
    res.data.emplace_back(g, ds::read_table(r, g));
  const std::vector<std::string> what = r.read_strings("checks/what");
  const auto n = static_cast<std::int64_t>(what.size());
  const std::vector<std::string> rel = r.read_strings("checks/relation", n);
  const std::vector<double> value = r.read_f64("checks/value", {n}, ds::Finite::kAny);
  const std::vector<double> bound = r.read_f64("checks/bound", {n}, ds::Finite::kAny);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (rel[k] != "<=" && rel[k] != ">=")
      r.fail("/checks/relation",
             "entry " + std::to_string(i) + " is '" + rel[k] + "', expected '<=' or '>='");
    res.checks.push_back({what[k], value[k], rel[k], bound[k]});
  }
  return res;
}

[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary(kSchema, [](const std::string&, const ds::Reader& r) {
      const Result res = read(r);
      std::ostringstream os;
      os << "lab: " << res.name << " (" << res.title << "), " << res.checks.size() << " checks, "
         << (res.passed() ? "all passed" : "SOME FAILED");
      for (const Check& c : res.checks) os << "\n  " << c.describe();
      return os.str();
    });

}  // namespace

bool Check::passed() const {
  if (relation == "<=") return value <= bound;  // NaN fails both
  if (relation == ">=") return value >= bound;
  return false;
}

std::string Check::describe() const {
  return what + ": " + ds::summary_number(value) + " " + relation + " " +
         ds::summary_number(bound) + (passed() ? "  ok" : "  FAILED");
}

bool Result::passed() const {
  for (const Check& c : checks)
    if (!c.passed()) return false;
  return true;
}

const datasets::Table& Result::group(const std::string& g) const {
  for (const auto& entry : data)
    if (entry.first == g) return entry.second;
  throw std::out_of_range("lab result " + name + " has no data group '" + g + "'");
}

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = {
      {"ravine", "anisotropic ravine: the diagonal path", run_ravine, plot_ravine},
      {"sign_step", "the step is alpha * sign(g) whatever |g|", run_sign_step, plot_sign_step},
      {"epsilon", "what eps does: bounded tiny steps, momentum SGD when large", run_epsilon,
       plot_epsilon},
      {"spike", "one large gradient, then calm: Adam leaps back, AMSGrad never", run_spike,
       plot_spike},
      {"rare_gradients", "a rare large gradient: how long the effective lr stays suppressed",
       run_rare_gradients, plot_rare_gradients},
      {"decoupled_decay", "L2 inside Adam vs AdamW's decoupled decay", run_decoupled_decay,
       plot_decoupled_decay},
      {"standardisation", "features scaled 1e-3 .. 1e3: raw against standardised",
       run_standardisation, plot_standardisation},
      {"beta2_zero", "beta2 = 0: no memory, the step is alpha * m_hat / |g|", run_beta2_zero,
       plot_beta2_zero},
      {"saddle", "escaping a strict saddle: SGD, momentum, Adam", run_saddle, plot_saddle},
      {"washboard_cliff", "momentum glides over bumps; Adam brakes at a cliff", run_washboard_cliff,
       plot_washboard_cliff},
      {"low_precision", "eps and v in float16 / bfloat16; 16-bit Adam vs mixed precision",
       run_low_precision, plot_low_precision},
      {"risk", "Adam's v on a portfolio is each asset's return variance", run_risk, plot_risk},
  };
  return all;
}

const Experiment& find(const std::string& name) {
  std::string names;
  for (const Experiment& e : experiments()) {
    if (name == e.name) return e;
    names += (names.empty() ? "" : ", ") + std::string(e.name);
  }
  throw std::invalid_argument("unknown lab experiment '" + name + "' (known: " + names + ")");
}

void write_result(const std::string& path, const Result& r) {
  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  w.attr("/", "name", r.name);
  w.attr("/", "title", r.title);
  w.attr("/", "claim", r.claim);
  w.attr("/", "source", r.source);
  std::string groups;
  for (const auto& [g, table] : r.data) {
    groups += (groups.empty() ? "" : ",") + g;
    ds::write_table(w, g, table);
  }
  w.attr("/", "groups", groups);
  w.group("checks");
  std::vector<std::string> what, rel;
  std::vector<double> value, bound;
  std::vector<std::uint8_t> passed;
  for (const Check& c : r.checks) {
    what.push_back(c.what);
    rel.push_back(c.relation);
    value.push_back(c.value);
    bound.push_back(c.bound);
    passed.push_back(c.passed() ? 1 : 0);
  }
  const auto n = static_cast<std::int64_t>(r.checks.size());
  w.write_strings("checks/what", what);
  w.write_strings("checks/relation", rel);
  w.write("checks/value", value.data(), {n});
  w.write("checks/bound", bound.data(), {n});
  w.write("checks/passed", passed.data(), {n});
  w.commit();
}

Result read_result(const std::string& path) {
  return ds::guarded_read(path, [&]() -> Result {
    ds::Reader r(path);
    return read(r);
  });
}

}  // namespace adamant::lab
