// The adamant file schemas (schema.hpp; docs/schema.md for the layouts). Each schema has one
// "problem" function that checks an in-memory value and names the HDF5 object a problem belongs
// to; validate() prints it, readers throw it as DataError(file, object, message) and writers
// refuse to write (std::invalid_argument) what a reader would reject.

#include "adamant/datasets/schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "adamant/datasets/elements.hpp"

namespace adamant::datasets {

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  auto num = [&](int b, int len) {
    int v = 0;
    for (int i = b; i < b + len; ++i) v = 10 * v + (s[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

namespace {

constexpr const char* kSchemaAttr = "adamant_schema";
constexpr const char* kVersionAttr = "adamant_schema_version";

/// What is wrong with a value, and the HDF5 object it concerns ("" message: nothing).
struct Problem {
  std::string object, message;
  explicit operator bool() const { return !message.empty(); }
  std::string text() const {
    if (message.empty()) return "";
    return object.empty() ? message : object + ": " + message;
  }
};

Problem problem(std::string object, std::string message) {
  return {std::move(object), std::move(message)};
}

/// Writers check what they are handed: a reader would reject it.
void require_valid(const char* fn, const std::string& path, const Problem& p) {
  if (p) throw std::invalid_argument(std::string(fn) + ": " + path + ": " + p.text());
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string fmt(double v, const char* spec = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

std::string child(const std::string& group, const std::string& name) {
  if (group.empty() || group == "/") return "/" + name;
  std::string g = group.front() == '/' ? group : "/" + group;
  while (g.size() > 1 && g.back() == '/') g.pop_back();
  return g + "/" + name;
}

/// "/a/b" for "a/b", "/a/b/" or "/a/b"; "/" for "" and "/".
std::string group_path(const std::string& group) {
  std::string g = child(group, "x");
  g.resize(g.size() - 2);
  return g.empty() ? "/" : g;
}

std::string join(const std::vector<std::string>& items, const char* sep = ",") {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

/// A name usable as an HDF5 link and in a comma-separated list.
std::string name_problem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name == "." || name == "..") return "is '" + name + "'";
  if (name.find_first_of(",/") != std::string::npos) return "contains ',' or '/'";
  if (name.find('\0') != std::string::npos) return "contains a NUL character";
  return "";
}

/// Index of a flat row-major F × 3A buffer as "frame f, atom a, coordinate c".
std::string frame_atom_text(Eigen::Index flat, Eigen::Index cols) {
  const Eigen::Index f = flat / cols, r = flat % cols;
  return "frame " + std::to_string(f) + ", atom " + std::to_string(r / 3) + ", coordinate " +
         "xyz"[r % 3];
}

template <typename Derived>
Eigen::Index first_non_finite(const Eigen::DenseBase<Derived>& m) {
  // Row-major order, whatever the storage order of m.
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      if (!std::isfinite(static_cast<double>(m(i, j)))) return i * m.cols() + j;
  return -1;
}

// ---- schema attributes ----

/// A file carrying another schema, or a newer version, is refused; a file without the schema
/// attributes is accepted (files written by other tools, e.g. the GFN2-xTB molecule files).
void check_schema(const Reader& r, const std::vector<std::string>& kinds) {
  if (r.has_attr("/", kSchemaAttr)) {
    const std::string s = r.attr_string("/", kSchemaAttr);
    if (std::find(kinds.begin(), kinds.end(), s) == kinds.end())
      r.fail("/", "attribute adamant_schema is " + quoted(s) + ", expected " +
                      quoted(join(kinds, "\" or \"")) + " (this file holds another schema)");
  }
  if (r.has_attr("/", kVersionAttr)) {
    const std::int64_t v = r.attr_int("/", kVersionAttr);
    if (v < 1 || v > kSchemaVersion)
      r.fail("/", "attribute adamant_schema_version is " + std::to_string(v) +
                      ", this adamant reads versions 1 to " + std::to_string(kSchemaVersion));
  }
}

std::map<std::string, AttrValue> root_metadata(const Reader& r) {
  std::map<std::string, AttrValue> m = r.attrs("/");
  m.erase(kSchemaAttr);
  m.erase(kVersionAttr);
  return m;
}

Problem metadata_problem(const std::string& object, const std::vector<std::string>& keys,
                         const std::vector<std::string>& reserved) {
  for (const std::string& k : keys) {
    if (k.empty()) return problem(object, "a metadata key is empty");
    if (std::find(reserved.begin(), reserved.end(), k) != reserved.end())
      return problem(object, "metadata key " + quoted(k) + " is reserved by the schema");
  }
  return {};
}

template <typename Map>
std::vector<std::string> keys_of(const Map& m) {
  std::vector<std::string> k;
  for (const auto& kv : m) k.push_back(kv.first);
  return k;
}

// ---- prices ----

Problem prices_labels_problem(const std::vector<std::string>& dates,
                              const std::vector<std::string>& tickers) {
  if (dates.empty()) return problem("/dates", "no dates (a price panel needs at least one)");
  for (std::size_t i = 0; i < dates.size(); ++i) {
    if (!is_iso_date(dates[i]))
      return problem("/dates", "date " + std::to_string(i) + " " + quoted(dates[i]) +
                                   " is not an ISO-8601 date YYYY-MM-DD");
    if (i > 0 && !(dates[i - 1] < dates[i]))
      return problem("/dates", "dates must be strictly increasing: date " + std::to_string(i) +
                                   " (" + dates[i] + ") does not come after date " +
                                   std::to_string(i - 1) + " (" + dates[i - 1] + ")");
  }
  if (tickers.empty()) return problem("/tickers", "no tickers (a price panel needs at least one)");
  std::map<std::string, std::size_t> seen;
  for (std::size_t j = 0; j < tickers.size(); ++j) {
    if (tickers[j].empty()) return problem("/tickers", "ticker " + std::to_string(j) + " is empty");
    const auto [it, fresh] = seen.emplace(tickers[j], j);
    if (!fresh)
      return problem("/tickers", "duplicate ticker " + quoted(tickers[j]) + " (columns " +
                                     std::to_string(it->second) + " and " + std::to_string(j) +
                                     "); tickers must be unique");
  }
  return {};
}

Problem prices_problem(const PricePanel& p) {
  if (Problem q = prices_labels_problem(p.dates, p.tickers)) return q;
  const auto t = static_cast<Eigen::Index>(p.dates.size());
  const auto n = static_cast<Eigen::Index>(p.tickers.size());
  if (p.prices.rows() != t || p.prices.cols() != n)
    return problem("/prices", "expected shape " + to_string(Shape{t, n}) +
                                  " (dates × tickers), got " +
                                  to_string(Shape{p.prices.rows(), p.prices.cols()}));
  for (Eigen::Index i = 0; i < t; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = p.prices(i, j);
      if (std::isnan(v) || (std::isfinite(v) && v > 0)) continue;
      return problem("/prices", "price " + fmt(v) + " at row " + std::to_string(i) + " (" +
                                    p.dates[static_cast<std::size_t>(i)] + "), column " +
                                    std::to_string(j) + " (" +
                                    p.tickers[static_cast<std::size_t>(j)] +
                                    "): prices must be > 0, or NaN where missing");
    }
  return metadata_problem("/", keys_of(p.metadata), {kSchemaAttr, kVersionAttr});
}

// ---- molecules ----

Problem molecules_problem(const MolecularDataset& m) {
  const Eigen::Index a = static_cast<Eigen::Index>(m.atomic_numbers.size());
  if (a == 0) return problem("/atomic_numbers", "no atoms");
  for (std::size_t i = 0; i < m.atomic_numbers.size(); ++i) {
    const int z = m.atomic_numbers[i];
    if (z < 1 || z > kNumElements)
      return problem("/atomic_numbers", "atom " + std::to_string(i) + " has atomic number " +
                                            std::to_string(z) + ", expected 1..118");
  }
  const Eigen::Index f = m.positions.rows();
  if (f == 0) return problem("/positions", "no frames");
  if (m.positions.cols() != 3 * a)
    return problem("/positions", "expected " + std::to_string(3 * a) + " columns (x, y, z of " +
                                     std::to_string(a) + " atoms), got " +
                                     std::to_string(m.positions.cols()));
  if (m.energies.size() != f)
    return problem("/energies", "inconsistent frame counts: positions has " + std::to_string(f) +
                                    " frames, energies " + std::to_string(m.energies.size()));
  if (m.has_forces()) {
    if (m.forces.rows() != f)
      return problem("/forces", "inconsistent frame counts: positions has " + std::to_string(f) +
                                    " frames, forces " + std::to_string(m.forces.rows()));
    if (m.forces.cols() != 3 * a)
      return problem("/forces", "expected " + std::to_string(3 * a) +
                                    " columns (as positions), got " +
                                    std::to_string(m.forces.cols()));
  }
  if (Eigen::Index k = first_non_finite(m.positions); k >= 0)
    return problem("/positions", "non-finite value " + fmt(m.positions(k / (3 * a), k % (3 * a))) +
                                     " at " + frame_atom_text(k, 3 * a));
  for (Eigen::Index i = 0; i < f; ++i)
    if (!std::isfinite(m.energies[i]))
      return problem("/energies",
                     "non-finite value " + fmt(m.energies[i]) + " at frame " + std::to_string(i));
  if (m.has_forces())
    if (Eigen::Index k = first_non_finite(m.forces); k >= 0)
      return problem("/forces", "non-finite value " + fmt(m.forces(k / (3 * a), k % (3 * a))) +
                                    " at " + frame_atom_text(k, 3 * a));
  return metadata_problem("/", keys_of(m.metadata), {kSchemaAttr, kVersionAttr});
}

// ---- tables ----

Problem table_problem(const Table& t, const std::string& group) {
  const std::string where = group_path(group);
  if (t.names.size() != t.columns.size())
    return problem(where, std::to_string(t.names.size()) + " names for " +
                              std::to_string(t.columns.size()) + " columns");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < t.names.size(); ++i) {
    const std::string& n = t.names[i];
    if (std::string why = name_problem(n); !why.empty())
      return problem(where, "column name " + quoted(n) + " " + why);
    if (!seen.insert(n).second) return problem(where, "duplicate column " + quoted(n));
    if (t.columns[i].size() != t.columns[0].size())
      return problem(child(group, n), "has " + std::to_string(t.columns[i].size()) +
                                          " rows, column " + quoted(t.names[0]) + " has " +
                                          std::to_string(t.columns[0].size()));
  }
  std::vector<std::string> reserved = {"columns"};
  if (where == "/") reserved.insert(reserved.end(), {kSchemaAttr, kVersionAttr});
  return metadata_problem(where, keys_of(t.metadata), reserved);
}

// ---- episodes ----

std::string episode_name(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "episode_%04zu", i);
  return buf;
}

Problem episode_problem(const Episode& e, const std::string& at) {
  const Eigen::Index t = e.rewards.size();
  const std::string tt = std::to_string(t);
  if (e.observations.rows() != t + 1)
    return problem(at + "/observations", "has " + std::to_string(e.observations.rows()) +
                                             " rows, expected " + std::to_string(t + 1) +
                                             " (one more than the " + tt + " steps in rewards)");
  if (e.observations.cols() < 1) return problem(at + "/observations", "has no columns");
  const bool continuous = e.continuous_actions.cols() > 0;
  if (continuous) {
    if (!e.discrete_actions.empty())
      return problem(at + "/actions", "both discrete and continuous actions are set");
    if (e.continuous_actions.rows() != t)
      return problem(at + "/actions", "has " + std::to_string(e.continuous_actions.rows()) +
                                          " rows, expected " + tt + " (one per step)");
  } else if (static_cast<Eigen::Index>(e.discrete_actions.size()) != t) {
    return problem(at + "/actions", "has " + std::to_string(e.discrete_actions.size()) +
                                        " entries, expected " + tt + " (one per step)");
  }
  const std::pair<const char*, const std::vector<std::uint8_t>*> flags[] = {
      {"terminated", &e.terminated}, {"truncated", &e.truncated}};
  for (const auto& [name, v] : flags) {
    const std::string obj = at + "/" + name;
    if (static_cast<Eigen::Index>(v->size()) != t)
      return problem(
          obj, "has " + std::to_string(v->size()) + " entries, expected " + tt + " (one per step)");
    for (std::size_t i = 0; i < v->size(); ++i) {
      if ((*v)[i] > 1)
        return problem(obj, "entry " + std::to_string(i) + " is " + std::to_string((*v)[i]) +
                                ", expected 0 or 1");
      if ((*v)[i] == 1 && static_cast<Eigen::Index>(i) + 1 != t)
        return problem(obj, "step " + std::to_string(i) + " of " + tt + " is flagged; only an " +
                                "episode's last step may end it");
    }
  }
  if (Eigen::Index k = first_non_finite(e.observations); k >= 0)
    return problem(at + "/observations",
                   "non-finite value at row " + std::to_string(k / e.observations.cols()) +
                       ", column " + std::to_string(k % e.observations.cols()));
  if (continuous)
    if (Eigen::Index k = first_non_finite(e.continuous_actions); k >= 0)
      return problem(at + "/actions",
                     "non-finite value at row " + std::to_string(k / e.continuous_actions.cols()));
  for (Eigen::Index i = 0; i < t; ++i)
    if (!std::isfinite(e.rewards[i]))
      return problem(at + "/rewards",
                     "non-finite value " + fmt(e.rewards[i]) + " at step " + std::to_string(i));
  if (e.seed < -1)
    return problem(at, "seed is " + std::to_string(e.seed) + ", expected >= 0 or -1 (unseeded)");
  return {};
}

Problem episodes_problem(const EpisodeSet& s) {
  if (s.env_id.empty()) return problem("/", "env_id is empty");
  for (std::size_t i = 0; i < s.episodes.size(); ++i) {
    const Episode& e = s.episodes[i];
    const std::string at = "/episodes/" + episode_name(i);
    if (Problem p = episode_problem(e, at)) return p;
    const Episode& e0 = s.episodes[0];
    if (e.observations.cols() != e0.observations.cols())
      return problem(at + "/observations", "has " + std::to_string(e.observations.cols()) +
                                               " columns, episode 0 has " +
                                               std::to_string(e0.observations.cols()));
    if (e.continuous_actions.cols() != e0.continuous_actions.cols())
      return problem(at + "/actions",
                     "action dimension " + std::to_string(e.continuous_actions.cols()) +
                         " differs from episode 0's (" +
                         std::to_string(e0.continuous_actions.cols()) + "; 0 means discrete)");
  }
  return {};
}

// ---- trajectories ----

Problem trajectory_problem(const Trajectory& t, const std::string& at) {
  if (t.game.empty()) return problem(at, "attribute game is empty");
  if (t.method.empty()) return problem(at, "attribute method is empty");
  if (t.iterates.rows() < 1 || t.iterates.cols() < 1)
    return problem(at + "/iterates", "expected at least one iterate of dimension >= 1, got " +
                                         to_string(Shape{t.iterates.rows(), t.iterates.cols()}));
  if (Problem p = table_problem(t.metrics, at + "/metrics")) return p;
  if (!t.metrics.columns.empty() && t.metrics.rows() != t.iterates.rows())
    return problem(at + "/metrics", "has " + std::to_string(t.metrics.rows()) +
                                        " rows, expected one per iterate (" +
                                        std::to_string(t.iterates.rows()) + ")");
  return {};
}

// ---- model ----

Problem model_problem(const ModelParameters& m, const std::string& at = "/model") {
  if (m.kind.empty()) return problem(at, "attribute kind is empty");
  if (m.attributes.count("kind") != 0)
    return problem(at, "attribute name \"kind\" is reserved for the model's kind");
  for (const auto& kv : m.attributes)
    if (kv.first.empty()) return problem(at, "an attribute name is empty");
  for (Eigen::Index i = 0; i < m.params.size(); ++i)
    if (!std::isfinite(m.params[i]))
      return problem(at + "/params",
                     "non-finite value " + fmt(m.params[i]) + " at index " + std::to_string(i));
  return {};
}

void write_model_group(Writer& w, const ModelParameters& m) {
  w.group("model");
  w.attr("model", "kind", m.kind);
  for (const auto& kv : m.attributes) w.attr("model", kv.first, kv.second);
}

ModelParameters read_model_group(const Reader& r, bool read_params) {
  ModelParameters m;
  if (!r.is_group("model"))
    r.fail("/model",
           r.has("model") ? "is a dataset, expected a group" : "missing (expected a group)");
  m.kind = r.attr_string("model", "kind");
  m.attributes = r.attrs("model");
  m.attributes.erase("kind");
  if (read_params) {
    const std::vector<double> p = r.read_f64("model/params", {kAnyExtent});
    m.params = Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()));
  }
  return m;
}

template <typename T>
constexpr const char* dtype_name() {
  return std::is_same_v<T, float> ? "float32" : "float64";
}

template <typename T>
Problem checkpoint_problem(const Checkpoint<T>& c) {
  if (Problem p = model_problem(c.model)) return p;
  const Eigen::Index n = c.model.params.size();
  if constexpr (std::is_same_v<T, float>) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double v = c.model.params[i];
      if (static_cast<double>(static_cast<float>(v)) != v)
        return problem("/model/params", "value " + fmt(v, "%.17g") + " at index " +
                                            std::to_string(i) +
                                            " is not a float32 (a Checkpoint<float> stores the "
                                            "parameters as float32; pass the float values)");
    }
  }
  if (c.rule.empty()) return problem("/optimizer", "attribute rule is empty");
  const core::State<T>& s = c.optimizer;
  if (s.step < 0) return problem("/optimizer", "step is negative");
  if (s.skipped_steps < 0) return problem("/optimizer", "skipped_steps is negative");
  if (c.step < 0) return problem("/", "training step is negative");
  if (s.slot_names.size() != s.slots.size())
    return problem("/optimizer/slots", std::to_string(s.slot_names.size()) + " names for " +
                                           std::to_string(s.slots.size()) + " slots");
  if (s.scalar_names.size() != s.scalars.size())
    return problem("/optimizer/scalars", std::to_string(s.scalar_names.size()) + " names for " +
                                             std::to_string(s.scalars.size()) + " scalars");
  std::set<std::string> seen;
  for (std::size_t k = 0; k < s.slots.size(); ++k) {
    const std::string& name = s.slot_names[k];
    if (std::string why = name_problem(name); !why.empty())
      return problem("/optimizer/slots", "slot name " + quoted(name) + " " + why);
    if (!seen.insert(name).second)
      return problem("/optimizer/slots", "duplicate slot " + quoted(name));
    const std::string obj = "/optimizer/slots/" + name;
    if (static_cast<Eigen::Index>(s.slots[k].size()) != n)
      return problem(obj, "has " + std::to_string(s.slots[k].size()) + " entries, expected " +
                              std::to_string(n) + " (one per parameter, as /model/params)");
    for (std::size_t i = 0; i < s.slots[k].size(); ++i)
      if (!std::isfinite(s.slots[k][i]))
        return problem(obj,
                       "non-finite value " + fmt(s.slots[k][i]) + " at index " + std::to_string(i));
  }
  seen.clear();
  for (std::size_t k = 0; k < s.scalars.size(); ++k) {
    const std::string& name = s.scalar_names[k];
    if (std::string why = name_problem(name); !why.empty())
      return problem("/optimizer/scalars", "scalar name " + quoted(name) + " " + why);
    if (!seen.insert(name).second)
      return problem("/optimizer/scalars", "duplicate scalar " + quoted(name));
    if (!std::isfinite(s.scalars[k]))
      return problem("/optimizer/scalars/" + name, "non-finite value " + fmt(s.scalars[k]));
  }
  for (const auto& kv : c.config)
    if (kv.first.empty()) return problem("/config", "a config key is empty");
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void write_schema(Writer& w, const std::string& kind) {
  w.attr("/", kSchemaAttr, kind);
  w.attr("/", kVersionAttr, static_cast<std::int64_t>(kSchemaVersion));
}

std::string schema_of(const Reader& r) {
  return r.has_attr("/", kSchemaAttr) ? r.attr_string("/", kSchemaAttr) : "";
}

// ---- prices ----

std::string PricePanel::validate() const { return prices_problem(*this).text(); }

PricePanel read_prices(const std::string& path) {
  return guarded_read(path, [&]() -> PricePanel {
    Reader r(path);
    check_schema(r, {"prices"});
    PricePanel p;
    p.dates = r.read_strings("dates");
    p.tickers = r.read_strings("tickers");
    if (Problem q = prices_labels_problem(p.dates, p.tickers)) r.fail(q.object, q.message);
    const auto t = static_cast<std::int64_t>(p.dates.size());
    const auto n = static_cast<std::int64_t>(p.tickers.size());
    const std::vector<double> v = r.read_f64("prices", {t, n}, Finite::kAny);
    p.prices = Eigen::Map<const RowMatrixXd>(v.data(), t, n);
    for (const auto& kv : root_metadata(r)) p.metadata[kv.first] = kv.second.to_string();
    if (Problem q = prices_problem(p)) r.fail(q.object, q.message);
    return p;
  });
}

void write_prices(const std::string& path, const PricePanel& panel) {
  require_valid("write_prices", path, prices_problem(panel));
  Writer w(path);
  write_schema(w, "prices");
  w.write_strings("dates", panel.dates);
  w.write_strings("tickers", panel.tickers);
  const RowMatrixXd& m = panel.prices;
  w.write("prices", m.data(), {m.rows(), m.cols()});
  for (const auto& kv : panel.metadata) w.attr("/", kv.first, kv.second);
  w.commit();
}

// ---- molecules ----

std::string MolecularDataset::validate() const { return molecules_problem(*this).text(); }

MolecularDataset read_molecules(const std::string& path) {
  return guarded_read(path, [&]() -> MolecularDataset {
    Reader r(path);
    check_schema(r, {"molecules"});
    MolecularDataset m;
    const std::vector<std::int64_t> z = r.read_i64("atomic_numbers", {kAnyExtent});
    for (std::size_t i = 0; i < z.size(); ++i)
      if (z[i] < 1 || z[i] > 118)
        r.fail("/atomic_numbers", "atom " + std::to_string(i) + " has atomic number " +
                                      std::to_string(z[i]) + ", expected 1..118");
    m.atomic_numbers.assign(z.begin(), z.end());
    const auto a = static_cast<std::int64_t>(z.size());
    if (a == 0) r.fail("/atomic_numbers", "no atoms");
    Shape ps;
    const std::vector<double> pos =
        r.read_f64("positions", {kAnyExtent, a, 3}, Finite::kRequired, &ps);
    const std::int64_t f = ps[0];
    // Frame counts first, with a message that says which datasets disagree.
    auto check_frames = [&](const char* name) {
      if (!r.has(name)) return;  // the read below says what is missing
      const Shape s = r.shape(name);
      if (!s.empty() && s[0] != f)
        r.fail(std::string("/") + name, "inconsistent frame counts: positions has " +
                                            std::to_string(f) + " frames, " + name + " " +
                                            std::to_string(s[0]));
    };
    check_frames("energies");
    const std::vector<double> en = r.read_f64("energies", {f});
    m.positions = Eigen::Map<const RowMatrixXd>(pos.data(), f, 3 * a);
    m.energies = Eigen::Map<const Eigen::VectorXd>(en.data(), f);
    if (r.has("forces")) {
      check_frames("forces");
      const std::vector<double> fo = r.read_f64("forces", {f, a, 3});
      m.forces = Eigen::Map<const RowMatrixXd>(fo.data(), f, 3 * a);
    }
    m.metadata = root_metadata(r);
    if (Problem q = molecules_problem(m)) r.fail(q.object, q.message);
    return m;
  });
}

void write_molecules(const std::string& path, const MolecularDataset& data) {
  require_valid("write_molecules", path, molecules_problem(data));
  const std::int64_t f = data.num_frames(), a = data.num_atoms();
  Writer w(path);
  write_schema(w, "molecules");
  w.write("atomic_numbers", data.atomic_numbers.data(), {a});
  w.write("positions", data.positions.data(), {f, a, 3});
  w.write("energies", data.energies.data(), {f});
  if (data.has_forces()) w.write("forces", data.forces.data(), {f, a, 3});
  for (const auto& kv : data.metadata) w.attr("/", kv.first, kv.second);
  w.commit();
}

// ---- tables ----

void Table::add(const std::string& name, Eigen::VectorXd column) {
  if (std::string why = name_problem(name); !why.empty())
    throw std::invalid_argument("Table::add: column name " + quoted(name) + " " + why);
  if (std::find(names.begin(), names.end(), name) != names.end())
    throw std::invalid_argument("Table::add: duplicate column " + quoted(name));
  if (!columns.empty() && column.size() != rows())
    throw std::invalid_argument("Table::add: column " + quoted(name) + " has " +
                                std::to_string(column.size()) + " rows, the table " +
                                std::to_string(rows()));
  names.push_back(name);
  columns.push_back(std::move(column));
}

const Eigen::VectorXd& Table::column(const std::string& name) const {
  for (std::size_t i = 0; i < names.size() && i < columns.size(); ++i)
    if (names[i] == name) return columns[i];
  throw std::out_of_range("Table::column: no column " + quoted(name) +
                          " (columns: " + join(names, ", ") + ")");
}

std::string Table::validate() const { return table_problem(*this, "table").text(); }

Table read_table(const Reader& r, const std::string& group) {
  const std::string where = group_path(group);
  if (!r.has(where)) r.fail(where, "missing (expected a table: a group of 1-D columns)");
  if (!r.is_group(where)) r.fail(where, "is a dataset, expected a table (a group of 1-D columns)");
  Table t;
  std::vector<std::string> names;
  if (r.has_attr(where, "columns")) {
    names = split_names(r.attr_string(where, "columns"));
  } else {
    for (const std::string& m : r.members(where))
      if (!r.is_group(child(where, m)) && r.shape(child(where, m)).size() == 1) names.push_back(m);
  }
  for (const std::string& n : names) {
    if (std::string why = name_problem(n); !why.empty())
      r.fail(where, "attribute columns: column name " + quoted(n) + " " + why);
    const Shape expected{t.columns.empty() ? kAnyExtent : t.rows()};
    const std::vector<double> v = r.read_f64(child(where, n), expected, Finite::kAny);
    t.names.push_back(n);
    t.columns.emplace_back(
        Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
  }
  t.metadata = r.attrs(where);
  t.metadata.erase("columns");
  if (where == "/") {
    t.metadata.erase(kSchemaAttr);
    t.metadata.erase(kVersionAttr);
  }
  if (Problem q = table_problem(t, where)) r.fail(q.object, q.message);
  return t;
}

Table read_table(const std::string& path, const std::string& group) {
  return guarded_read(path, [&]() -> Table {
    Reader r(path);
    return read_table(r, group);
  });
}

void write_table(Writer& w, const std::string& group, const Table& table) {
  require_valid("write_table", w.path(), table_problem(table, group));
  const std::string where = group_path(group);
  w.group(where);
  for (std::size_t i = 0; i < table.names.size(); ++i)
    w.write(child(where, table.names[i]), table.columns[i].data(), {table.columns[i].size()});
  w.attr(where, "columns", join(table.names));
  for (const auto& kv : table.metadata) w.attr(where, kv.first, kv.second);
}

void write_table(const std::string& path, const Table& table, const std::string& group) {
  require_valid("write_table", path, table_problem(table, group));
  Writer w(path);
  write_schema(w, "table");
  write_table(w, group, table);
  w.commit();
}

// ---- episodes ----

std::string Episode::validate() const { return episode_problem(*this, "episode").text(); }
std::string EpisodeSet::validate() const { return episodes_problem(*this).text(); }

EpisodeSet read_episodes(const std::string& path) {
  return guarded_read(path, [&]() -> EpisodeSet {
    Reader r(path);
    check_schema(r, {"episodes"});
    EpisodeSet s;
    s.env_id = r.attr_string("/", "env_id");
    if (!r.is_group("episodes"))
      r.fail("/episodes", r.has("episodes") ? "is a dataset, expected a group"
                                            : "missing (expected a group of episode_NNNN groups)");
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const std::string& m : r.members("episodes")) {
      std::size_t idx = 0;
      const bool digits = m.size() > 8 && m.compare(0, 8, "episode_") == 0 &&
                          m.find_first_not_of("0123456789", 8) == std::string::npos &&
                          m.size() <= 8 + 9;
      if (digits) idx = std::stoul(m.substr(8));
      if (!digits || episode_name(idx) != m)
        r.fail("/episodes/" + m, "unexpected member (expected episode_0000, episode_0001, ...)");
      found.emplace_back(idx, m);
    }
    std::sort(found.begin(), found.end());
    for (std::size_t i = 0; i < found.size(); ++i)
      if (found[i].first != i)
        r.fail("/episodes", "episodes must be numbered 0.." + std::to_string(found.size() - 1) +
                                " without gaps; " + episode_name(i) + " is missing");
    for (const auto& [idx, name] : found) {
      const std::string at = "/episodes/" + name;
      if (!r.is_group(at)) r.fail(at, "is a dataset, expected a group");
      Episode e;
      Shape rs;
      const std::vector<double> rewards =
          r.read_f64(at + "/rewards", {kAnyExtent}, Finite::kRequired, &rs);
      const std::int64_t t = rs[0];
      e.rewards = Eigen::Map<const Eigen::VectorXd>(rewards.data(), t);
      Shape os;
      const std::vector<float> obs =
          r.read_f32(at + "/observations", {t + 1, kAnyExtent}, Finite::kRequired, &os);
      e.observations =
          Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
              obs.data(), os[0], os[1]);
      const std::string dt = r.dtype(at + "/actions");
      if (dt.rfind("float", 0) == 0) {
        Shape as;
        const std::vector<float> act =
            r.read_f32(at + "/actions", {t, kAnyExtent}, Finite::kRequired, &as);
        if (as[1] < 1) r.fail(at + "/actions", "continuous actions need a dimension >= 1");
        e.continuous_actions =
            Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                act.data(), as[0], as[1]);
      } else {
        e.discrete_actions = r.read_i64(at + "/actions", {t});
      }
      for (const char* flag : {"terminated", "truncated"}) {
        const std::vector<std::int64_t> v = r.read_i64(at + "/" + flag, {t});
        std::vector<std::uint8_t>& out =
            std::string(flag) == "terminated" ? e.terminated : e.truncated;
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (v[i] != 0 && v[i] != 1)
            r.fail(at + "/" + flag, "entry " + std::to_string(i) + " is " + std::to_string(v[i]) +
                                        ", expected 0 or 1");
          out.push_back(static_cast<std::uint8_t>(v[i]));
        }
      }
      e.seed = r.has_attr(at, "seed") ? r.attr_int(at, "seed") : -1;
      s.episodes.push_back(std::move(e));
    }
    if (Problem q = episodes_problem(s)) r.fail(q.object, q.message);
    return s;
  });
}

void write_episodes(const std::string& path, const EpisodeSet& set) {
  require_valid("write_episodes", path, episodes_problem(set));
  Writer w(path);
  write_schema(w, "episodes");
  w.attr("/", "env_id", set.env_id);
  w.group("episodes");
  for (std::size_t i = 0; i < set.episodes.size(); ++i) {
    const Episode& e = set.episodes[i];
    const std::string at = "/episodes/" + episode_name(i);
    const std::int64_t t = e.rewards.size();
    w.group(at);
    w.write(at + "/observations", e.observations.data(),
            {e.observations.rows(), e.observations.cols()});
    if (e.continuous_actions.cols() > 0)
      w.write(at + "/actions", e.continuous_actions.data(),
              {e.continuous_actions.rows(), e.continuous_actions.cols()});
    else
      w.write(at + "/actions", e.discrete_actions.data(), {t});
    w.write(at + "/rewards", e.rewards.data(), {t});
    w.write(at + "/terminated", e.terminated.data(), {t});
    w.write(at + "/truncated", e.truncated.data(), {t});
    w.attr(at, "seed", e.seed);
  }
  w.commit();
}

// ---- trajectories ----

std::string Trajectory::validate() const { return trajectory_problem(*this, "trajectory").text(); }

std::map<std::string, Trajectory> read_trajectories(const std::string& path) {
  return guarded_read(path, [&]() -> std::map<std::string, Trajectory> {
    Reader r(path);
    check_schema(r, {"trajectories"});
    if (!r.is_group("trajectories"))
      r.fail("/trajectories", r.has("trajectories") ? "is a dataset, expected a group"
                                                    : "missing (expected a group of runs)");
    std::map<std::string, Trajectory> runs;
    for (const std::string& name : r.members("trajectories")) {
      const std::string at = "/trajectories/" + name;
      if (!r.is_group(at)) r.fail(at, "is a dataset, expected a group (one run)");
      Trajectory t;
      t.game = r.attr_string(at, "game");
      t.method = r.attr_string(at, "method");
      Shape s;
      const std::vector<double> it =
          r.read_f64(at + "/iterates", {kAnyExtent, kAnyExtent}, Finite::kAny, &s);
      t.iterates = Eigen::Map<const RowMatrixXd>(it.data(), s[0], s[1]);
      if (r.has(at + "/metrics")) t.metrics = read_table(r, at + "/metrics");
      if (Problem q = trajectory_problem(t, at)) r.fail(q.object, q.message);
      runs.emplace(name, std::move(t));
    }
    return runs;
  });
}

void write_trajectories(const std::string& path, const std::map<std::string, Trajectory>& runs) {
  for (const auto& [name, t] : runs) {
    if (std::string why = name_problem(name); !why.empty())
      throw std::invalid_argument("write_trajectories: " + path + ": run name " + quoted(name) +
                                  " " + why);
    require_valid("write_trajectories", path, trajectory_problem(t, "/trajectories/" + name));
  }
  Writer w(path);
  write_trajectories(w, runs);
  w.commit();
}

void write_trajectories(Writer& w, const std::map<std::string, Trajectory>& runs) {
  for (const auto& [name, t] : runs) {
    if (std::string why = name_problem(name); !why.empty())
      throw std::invalid_argument("write_trajectories: " + w.path() + ": run name " + quoted(name) +
                                  " " + why);
    require_valid("write_trajectories", w.path(), trajectory_problem(t, "/trajectories/" + name));
  }
  write_schema(w, "trajectories");
  w.group("trajectories");
  for (const auto& [name, t] : runs) {
    const std::string at = "/trajectories/" + name;
    w.group(at);
    w.attr(at, "game", t.game);
    w.attr(at, "method", t.method);
    w.write(at + "/iterates", t.iterates.data(), {t.iterates.rows(), t.iterates.cols()});
    if (!t.metrics.columns.empty()) write_table(w, at + "/metrics", t.metrics);
  }
}

// ---- model ----

std::map<std::string, AttrValue> mlp_attributes(const core::MlpSpec& spec) {
  std::vector<std::string> sizes;
  for (int n : spec.layer_sizes) sizes.push_back(std::to_string(n));
  std::map<std::string, AttrValue> a;
  a["layer_sizes"].s = join(sizes);
  a["hidden"].s = core::to_string(spec.hidden);
  a["output"].s = core::to_string(spec.output);
  return a;
}

core::MlpSpec mlp_spec_from(const ModelParameters& model, const std::string& file) {
  const std::string f = file.empty() ? "(model)" : file;
  if (model.kind != "mlp")
    throw DataError(f, "/model", "kind is " + quoted(model.kind) + ", expected \"mlp\"");
  auto get = [&](const char* key) {
    const auto it = model.attributes.find(key);
    if (it == model.attributes.end())
      throw DataError(f, "/model", std::string("missing attribute '") + key + "'");
    if (it->second.kind != AttrValue::Kind::kString)
      throw DataError(f, "/model", std::string("attribute '") + key + "' must be a string");
    return it->second.s;
  };
  core::MlpSpec spec;
  const std::string sizes = get("layer_sizes");
  for (const std::string& item : split_names(sizes)) {
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw DataError(
          f, "/model",
          "attribute layer_sizes " + quoted(sizes) + " is not a comma-separated list of integers");
    spec.layer_sizes.push_back(v);
  }
  try {
    spec.hidden = core::parse_activation(get("hidden"));
    spec.output = core::parse_activation(get("output"));
  } catch (const std::invalid_argument& e) {
    throw DataError(f, "/model", e.what());
  }
  if (const std::string why = spec.validate(); !why.empty()) throw DataError(f, "/model", why);
  if (model.params.size() > 0) {
    Eigen::Index count = 0;
    for (std::size_t l = 0; l + 1 < spec.layer_sizes.size(); ++l)
      count += static_cast<Eigen::Index>(spec.layer_sizes[l + 1]) * (spec.layer_sizes[l] + 1);
    if (count != model.params.size())
      throw DataError(f, "/model/params",
                      "has " + std::to_string(model.params.size()) + " parameters, " +
                          spec.describe() + " has " + std::to_string(count));
  }
  return spec;
}

ModelParameters read_model(const std::string& path) {
  return guarded_read(path, [&]() -> ModelParameters {
    Reader r(path);
    check_schema(r, {"model", "checkpoint"});
    ModelParameters m = read_model_group(r, true);
    if (Problem q = model_problem(m)) r.fail(q.object, q.message);
    return m;
  });
}

void write_model(const std::string& path, const ModelParameters& model) {
  require_valid("write_model", path, model_problem(model));
  Writer w(path);
  write_schema(w, "model");
  write_model_group(w, model);
  w.write("model/params", model.params.data(), {model.params.size()});
  w.commit();
}

// ---- checkpoints ----

template <typename T>
std::string Checkpoint<T>::validate() const {
  return checkpoint_problem(*this).text();
}

template <typename T>
Checkpoint<T> read_checkpoint(const std::string& path) {
  return guarded_read(path, [&]() -> Checkpoint<T> {
    Reader r(path);
    check_schema(r, {"checkpoint"});
    Checkpoint<T> c;
    c.step = r.attr_int("/", "step");
    c.model = read_model_group(r, false);
    auto check_dtype = [&](const std::string& name) {
      const std::string got = r.dtype(name);
      if (got != dtype_name<T>())
        r.fail(name, std::string("expected ") + dtype_name<T>() + " (a Checkpoint<" +
                         (std::is_same_v<T, float> ? "float" : "double") + ">), got " + got);
    };
    auto read_t = [&](const std::string& name, const Shape& expected) {
      check_dtype(name);
      std::vector<T> v;
      if constexpr (std::is_same_v<T, float>)
        v = r.read_f32(name, expected);
      else
        v = r.read_f64(name, expected);
      return v;
    };
    const std::vector<T> params = read_t("/model/params", {kAnyExtent});
    const auto n = static_cast<std::int64_t>(params.size());
    c.model.params.resize(n);
    for (std::int64_t i = 0; i < n; ++i) c.model.params[i] = static_cast<double>(params[i]);

    if (!r.is_group("optimizer")) r.fail("/optimizer", "missing (expected a group)");
    c.rule = r.attr_string("optimizer", "rule");
    c.optimizer.step = r.attr_int("optimizer", "step");
    c.optimizer.skipped_steps = r.attr_int("optimizer", "skipped_steps");
    // Names come from the `names` attributes (their order is the rule's); every member of the
    // group must be listed.
    auto names_of = [&](const std::string& group) {
      if (!r.is_group(group)) r.fail(group, "missing (expected a group)");
      const std::vector<std::string> names = split_names(r.attr_string(group, "names"));
      for (const std::string& m : r.members(group))
        if (std::find(names.begin(), names.end(), m) == names.end())
          r.fail(group + "/" + m, "is not listed in the attribute names of " + group);
      return names;
    };
    for (const std::string& name : names_of("/optimizer/slots")) {
      const std::string obj = "/optimizer/slots/" + name;
      const Shape s = r.shape(obj);
      if (s.size() == 1 && s[0] != n)
        r.fail(obj, "has " + std::to_string(s[0]) + " entries, expected " + std::to_string(n) +
                        " (one per parameter, as /model/params)");
      const std::vector<T> v = read_t(obj, {n});
      c.optimizer.slot_names.push_back(name);
      c.optimizer.slots.emplace_back(v.begin(), v.end());
    }
    for (const std::string& name : names_of("/optimizer/scalars")) {
      const std::string obj = "/optimizer/scalars/" + name;
      Shape s;
      const std::vector<double> v = r.read_f64(obj, {}, Finite::kRequired, &s);
      if (v.size() != 1 || s.size() > 1)
        r.fail(obj, "expected a scalar, got shape " + to_string(s));
      c.optimizer.scalar_names.push_back(name);
      c.optimizer.scalars.push_back(v[0]);
    }
    c.rng_state =
        r.has("rng/state") ? r.read_u64("rng/state", {kAnyExtent}) : std::vector<std::uint64_t>{};
    if (r.has("config")) c.config = r.attrs("config");
    if (Problem q = checkpoint_problem(c)) r.fail(q.object, q.message);
    return c;
  });
}

template <typename T>
void write_checkpoint(const std::string& path, const Checkpoint<T>& c) {
  require_valid("write_checkpoint", path, checkpoint_problem(c));
  const std::int64_t n = c.model.params.size();
  Writer w(path);
  write_schema(w, "checkpoint");
  w.attr("/", "step", c.step);
  w.attr("/", "dtype", dtype_name<T>());
  write_model_group(w, c.model);
  std::vector<T> params(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    params[static_cast<std::size_t>(i)] = static_cast<T>(c.model.params[i]);
  w.write("model/params", params.data(), {n});
  w.group("optimizer");
  w.attr("optimizer", "rule", c.rule);
  w.attr("optimizer", "step", c.optimizer.step);
  w.attr("optimizer", "skipped_steps", c.optimizer.skipped_steps);
  w.group("optimizer/slots");
  w.attr("optimizer/slots", "names", join(c.optimizer.slot_names));
  for (std::size_t k = 0; k < c.optimizer.slots.size(); ++k)
    w.write("optimizer/slots/" + c.optimizer.slot_names[k], c.optimizer.slots[k].data(), {n});
  w.group("optimizer/scalars");
  w.attr("optimizer/scalars", "names", join(c.optimizer.scalar_names));
  for (std::size_t k = 0; k < c.optimizer.scalars.size(); ++k)
    w.write("optimizer/scalars/" + c.optimizer.scalar_names[k], &c.optimizer.scalars[k], {});
  w.write("rng/state", c.rng_state.data(), {static_cast<std::int64_t>(c.rng_state.size())});
  w.group("config");
  for (const auto& kv : c.config) w.attr("config", kv.first, kv.second);
  w.commit();
}

template struct Checkpoint<float>;
template struct Checkpoint<double>;
template Checkpoint<float> read_checkpoint<float>(const std::string&);
template Checkpoint<double> read_checkpoint<double>(const std::string&);
template void write_checkpoint<float>(const std::string&, const Checkpoint<float>&);
template void write_checkpoint<double>(const std::string&, const Checkpoint<double>&);

// ---- describe ----

namespace {

std::string hill_formula(const std::vector<std::int32_t>& z) {
  std::map<std::string, int> count;
  for (std::int32_t v : z) ++count[element_symbol(v)];
  std::string out;
  auto emit = [&](const std::string& sym) {
    const auto it = count.find(sym);
    if (it == count.end()) return;
    out += sym + (it->second > 1 ? std::to_string(it->second) : "");
    count.erase(it);
  };
  if (count.count("C")) {
    emit("C");
    emit("H");
  }
  while (!count.empty()) emit(count.begin()->first);
  return out;
}

std::string attr_text(const AttrValue& v) {
  return v.kind == AttrValue::Kind::kString ? quoted(v.s) : v.to_string();
}

constexpr std::size_t kMaxListed = 12;

// Deeper than any adamant file; a crafted file cannot make the walk exhaust the stack.
constexpr int kMaxDepth = 32;

void describe_object(const Reader& r, const std::string& name, std::ostringstream& os,
                     std::set<std::uint64_t>& seen_groups, int depth) {
  const bool group = r.is_group(name);
  std::string line = "  " + name;
  if (line.size() < 34)
    line.resize(34, ' ');
  else
    line += "  ";
  if (group) {
    os << line << "group\n";
  } else {
    os << line << "dataset " << to_string(r.shape(name)) << " " << r.dtype(name) << "\n";
  }
  for (const auto& [k, v] : r.attrs(name)) os << "      @" << k << " = " << attr_text(v) << "\n";
  if (!group) return;
  // A group reached twice (a hard link back to a parent, or two names for one group) is listed
  // once; its second name says where it was shown.
  if (!seen_groups.insert(r.object_address(name)).second) {
    os << "      (the same group as one listed above: not listed again)\n";
    return;
  }
  if (depth >= kMaxDepth) {
    os << "      (nested deeper than " << kMaxDepth << " groups: not listed)\n";
    return;
  }
  const std::vector<std::string> members = r.members(name);
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i == kMaxListed - 2 && members.size() > kMaxListed) {
      os << "  " << child(name, "") << "... and " << members.size() - i << " more\n";
      break;
    }
    describe_object(r, child(name, members[i]), os, seen_groups, depth + 1);
  }
}

std::map<std::string, SchemaSummary>& schema_summaries() {
  static std::map<std::string, SchemaSummary> registered;
  return registered;
}

std::string summary(const std::string& path, const std::string& kind, const Reader& r) {
  std::ostringstream os;
  if (kind == "prices") {
    const PricePanel p = read_prices(path);
    const double missing = static_cast<double>(p.prices.array().isNaN().count()) /
                           static_cast<double>(p.prices.size());
    os << "prices: " << p.tickers.size() << " tickers × " << p.dates.size() << " dates, "
       << p.dates.front() << " … " << p.dates.back() << ", " << fmt(100 * missing, "%.1f")
       << "% missing";
  } else if (kind == "molecules") {
    const MolecularDataset m = read_molecules(path);
    os << "molecules: " << m.num_frames() << " frames × " << m.num_atoms() << " atoms ("
       << hill_formula(m.atomic_numbers) << "), energies " << fmt(m.energies.minCoeff()) << " … "
       << fmt(m.energies.maxCoeff()) << " eV, "
       << (m.has_forces() ? "forces up to " + fmt(m.forces.cwiseAbs().maxCoeff()) + " eV/Å"
                          : std::string("no forces"));
  } else if (kind == "table") {
    // write_table(path, table, group) puts the table in any group ("table" by default).
    std::vector<std::string> groups;
    for (const std::string& m : r.members("/"))
      if (r.is_group(m)) groups.push_back(m);
    if (groups.empty()) r.fail("/", "holds no table (expected a group of 1-D columns)");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const Table t = read_table(r, groups[i]);
      os << (i ? "\n" : "") << "table";
      if (groups.size() > 1 || groups[i] != "table") os << " " << groups[i];
      os << ": " << t.names.size() << " columns × " << t.rows() << " rows (" << join(t.names, ", ")
         << ")";
    }
  } else if (kind == "episodes") {
    const EpisodeSet s = read_episodes(path);
    std::int64_t steps = 0, lo = std::numeric_limits<std::int64_t>::max(), hi = 0;
    double ret = 0;
    for (const Episode& e : s.episodes) {
      steps += e.rewards.size();
      lo = std::min<std::int64_t>(lo, e.rewards.size());
      hi = std::max<std::int64_t>(hi, e.rewards.size());
      ret += e.rewards.sum();
    }
    os << "episodes: " << s.episodes.size() << " of " << s.env_id << ", " << steps << " steps";
    if (!s.episodes.empty())
      os << " (length " << lo << " … " << hi << "), mean return "
         << fmt(ret / static_cast<double>(s.episodes.size()));
  } else if (kind == "trajectories") {
    const auto runs = read_trajectories(path);
    os << "trajectories: " << runs.size() << " runs";
    for (const auto& [name, t] : runs)
      os << "\n  " << name << ": " << t.method << " on " << t.game << ", " << t.iterates.rows() - 1
         << " steps in dimension " << t.iterates.cols()
         << (t.metrics.names.empty() ? "" : ", metrics " + join(t.metrics.names, ", "));
  } else if (kind == "model") {
    const ModelParameters m = read_model(path);
    os << "model: " << m.kind << ", " << m.params.size() << " parameters ("
       << r.dtype("model/params") << ")";
    if (m.kind == "mlp") os << ", " << mlp_spec_from(m, path).describe();
  } else if (kind == "checkpoint") {
    auto line = [&](const auto& c, const char* dtype) {
      os << "checkpoint: " << c.model.kind << " with " << c.model.params.size() << " parameters ("
         << dtype << "), optimizer " << c.rule << " at step " << c.optimizer.step;
      if (c.optimizer.skipped_steps > 0) os << " (" << c.optimizer.skipped_steps << " skipped)";
      os << " [slots " << join(c.optimizer.slot_names, ", ") << "], training step " << c.step
         << ", " << c.rng_state.size() << " rng words";
    };
    if (r.dtype("model/params") == "float32")
      line(read_checkpoint<float>(path), "float32");
    else
      line(read_checkpoint<double>(path), "float64");
  } else {
    const auto& registered = schema_summaries();
    const auto it = registered.find(kind);
    if (it == registered.end()) return "";
    return it->second(path, r);
  }
  return os.str();
}

}  // namespace

bool register_schema_summary(const std::string& kind, SchemaSummary summary) {
  schema_summaries()[kind] = std::move(summary);
  return true;
}

std::string summary_number(double v, const char* spec) { return fmt(v, spec); }

std::string describe(const std::string& path, std::string* invalid) {
  if (invalid != nullptr) invalid->clear();
  return guarded_read(path, [&]() -> std::string {
    Reader r(path);
    std::ostringstream os;
    os << path << "\n";
    std::string kind = schema_of(r);
    if (!kind.empty()) {
      os << "schema: " << kind;
      if (r.has_attr("/", kVersionAttr))
        os << " (version " << r.attrs("/").at(kVersionAttr).to_string() << ")";
      os << "\n";
    } else if (r.has("atomic_numbers") && r.has("positions") && r.has("energies")) {
      kind = "molecules";
      os << "schema: molecules (no adamant_schema attribute; recognised by its datasets)\n";
    } else {
      os << "schema: none (no adamant_schema attribute)\n";
    }
    os << "objects:\n";
    std::set<std::uint64_t> seen_groups;
    describe_object(r, "/", os, seen_groups, 0);
    try {
      const std::string s = summary(path, kind, r);
      if (!s.empty()) os << "summary: " << s << "\n";
    } catch (const DataError& e) {
      os << "summary: INVALID " << kind << " file: " << e.what() << "\n";
      if (invalid != nullptr) *invalid = e.what();
    }
    return os.str();
  });
}

}  // namespace adamant::datasets
