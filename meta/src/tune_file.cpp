// The tuning study's file (schema "hyper_tune"), its `adamant data info` summary and its figure.

#include <algorithm>
#include <cmath>
#include <sstream>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/meta/tune.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::meta {
namespace {

namespace ds = adamant::datasets;
constexpr const char* kSchema = "hyper_tune";

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

TuneResult read(const ds::Reader& r) {
  if (ds::schema_of(r) != kSchema)
    r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) + "', expected '" + kSchema +
                    "' (a study written by 'adamant hyper tune')");
  TuneResult t;
  TuneOptions& o = t.options;
  try {
    o.start = core::rule_options(r.attr_string("config", "rule"));
  } catch (const std::invalid_argument& e) {
    r.fail("config", std::string("attribute rule: ") + e.what());
  }
  for (const std::string& f : core::field_names(o.start))
    core::set_field(o.start, f, r.attr_double("config", "rule." + f));
  o.tuned = ds::split_names(r.attr_string("config", "tuned"));
  o.inner_steps = r.attr_int("config", "inner_steps");
  o.outer_steps = static_cast<int>(r.attr_int("config", "outer_steps"));
  o.tasks_per_step = static_cast<int>(r.attr_int("config", "tasks_per_step"));
  o.outer_lr = r.attr_double("config", "outer_lr");
  o.eval_tasks = static_cast<int>(r.attr_int("config", "eval_tasks"));
  o.seed = static_cast<std::uint64_t>(r.attr_int("config", "seed"));
  o.net.layer_sizes.clear();
  for (std::int64_t n : r.read_i64("config/layers", {ds::kAnyExtent}))
    o.net.layer_sizes.push_back(static_cast<int>(n));
  try {
    o.net.hidden = core::parse_activation(r.attr_string("config", "activation"));
  } catch (const std::invalid_argument& e) {
    r.fail("config", std::string("attribute activation: ") + e.what());
  }
  SineFamily& fam = o.tasks;
  fam.amplitude_lo = r.attr_double("config", "amplitude_lo");
  fam.amplitude_hi = r.attr_double("config", "amplitude_hi");
  fam.phase_lo = r.attr_double("config", "phase_lo");
  fam.phase_hi = r.attr_double("config", "phase_hi");
  fam.x_lo = r.attr_double("config", "x_lo");
  fam.x_hi = r.attr_double("config", "x_hi");
  fam.train_points = static_cast<int>(r.attr_int("config", "train_points"));
  fam.val_points = static_cast<int>(r.attr_int("config", "val_points"));
  if (const std::string why = o.validate(); !why.empty()) r.fail("config", why);
  const std::vector<double> th = r.read_f64("theta0", {ds::kAnyExtent});
  t.theta0 = Eigen::Map<const Eigen::VectorXd>(th.data(), static_cast<Eigen::Index>(th.size()));
  const ds::Table path = ds::read_table(r, "path");
  if (path.rows() != o.outer_steps + 1)
    r.fail("/path", "has " + std::to_string(path.rows()) +
                        " rows, expected outer_steps + 1 = " + std::to_string(o.outer_steps + 1));
  t.meta_loss = path.column("meta_loss");
  t.path.resize(path.rows(), static_cast<Eigen::Index>(o.tuned.size()));
  for (std::size_t j = 0; j < o.tuned.size(); ++j)
    t.path.col(static_cast<Eigen::Index>(j)) = path.column(o.tuned[j]);
  const ds::Table grid = ds::read_table(r, "grid");
  t.grid_lr = grid.column("lr");
  t.grid_beta1 = grid.column("beta1");
  t.grid_loss = grid.column("meta_loss");
  const ds::Table ev = ds::read_table(r, "evaluation");
  if (ev.metadata.count("names") == 0) r.fail("/evaluation", "has no attribute names");
  const std::vector<std::string> names = ds::split_names(ev.metadata.at("names").s);
  if (static_cast<std::int64_t>(names.size()) != ev.rows())
    r.fail("/evaluation", "names " + std::to_string(names.size()) + " evaluations but has " +
                              std::to_string(ev.rows()) + " rows");
  const ds::Table rules = ds::read_table(r, "evaluation_rules");
  if (rules.rows() != ev.rows())
    r.fail("/evaluation_rules",
           "has " + std::to_string(rules.rows()) + " rows, expected " + std::to_string(ev.rows()));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    TuneEval e{names[i], o.start, ev.column("mean")[k], ev.column("stderr")[k]};
    for (const std::string& f : core::field_names(e.rule))
      core::set_field(e.rule, f, rules.column(f)[k]);
    t.evals.push_back(e);
  }
  t.inner_runs_tuning = r.attr_int("config", "inner_runs_tuning");
  t.inner_runs_grid = r.attr_int("config", "inner_runs_grid");
  t.seconds_tuning = r.attr_double("config", "seconds_tuning");
  t.seconds_grid = r.attr_double("config", "seconds_grid");
  return t;
}

[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary(kSchema, [](const std::string&, const ds::Reader& r) {
      const TuneResult t = read(r);
      std::ostringstream os;
      os << "hyper_tune: " << core::rule_kind(t.options.start) << ", tuned "
         << join(t.options.tuned) << " over " << t.options.outer_steps << " outer steps x "
         << t.options.tasks_per_step << " sine tasks, " << t.options.inner_steps
         << " inner steps; held-out meta-loss over " << t.options.eval_tasks << " tasks:";
      for (const TuneEval& e : t.evals)
        os << "\n  " << e.name << ": " << ds::summary_number(e.mean) << " +- "
           << ds::summary_number(e.stderr_mean, "%.2g") << "  (" << core::describe(e.rule) << ")";
      return os.str();
    });

}  // namespace

void write_tune(const std::string& path, const TuneResult& t) {
  const TuneOptions& o = t.options;
  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  w.group("config");
  w.attr("config", "rule", core::rule_kind(o.start));
  for (const std::string& f : core::field_names(o.start))
    w.attr("config", "rule." + f, core::get_field(o.start, f));
  w.attr("config", "tuned", join(o.tuned));
  w.attr("config", "inner_steps", o.inner_steps);
  w.attr("config", "outer_steps", o.outer_steps);
  w.attr("config", "tasks_per_step", o.tasks_per_step);
  w.attr("config", "outer_lr", o.outer_lr);
  w.attr("config", "eval_tasks", o.eval_tasks);
  w.attr("config", "seed", static_cast<std::int64_t>(o.seed));
  w.attr("config", "activation", std::string(core::to_string(o.net.hidden)));
  const std::vector<std::int64_t> layers(o.net.layer_sizes.begin(), o.net.layer_sizes.end());
  w.write("config/layers", layers.data(), {static_cast<std::int64_t>(layers.size())});
  const SineFamily& fam = o.tasks;
  w.attr("config", "amplitude_lo", fam.amplitude_lo);
  w.attr("config", "amplitude_hi", fam.amplitude_hi);
  w.attr("config", "phase_lo", fam.phase_lo);
  w.attr("config", "phase_hi", fam.phase_hi);
  w.attr("config", "x_lo", fam.x_lo);
  w.attr("config", "x_hi", fam.x_hi);
  w.attr("config", "train_points", fam.train_points);
  w.attr("config", "val_points", fam.val_points);
  w.attr("config", "inner_runs_tuning", t.inner_runs_tuning);
  w.attr("config", "inner_runs_grid", t.inner_runs_grid);
  w.attr("config", "seconds_tuning", t.seconds_tuning);
  w.attr("config", "seconds_grid", t.seconds_grid);
  w.write("theta0", t.theta0.data(), {t.theta0.size()});
  ds::Table history;
  history.add("step", Eigen::VectorXd::LinSpaced(t.meta_loss.size(), 0,
                                                 static_cast<double>(t.meta_loss.size() - 1)));
  history.add("meta_loss", t.meta_loss);
  for (std::size_t j = 0; j < o.tuned.size(); ++j)
    history.add(o.tuned[j], t.path.col(static_cast<Eigen::Index>(j)));
  ds::write_table(w, "path", history);
  ds::Table grid;
  grid.add("lr", t.grid_lr);
  grid.add("beta1", t.grid_beta1);
  grid.add("meta_loss", t.grid_loss);
  ds::write_table(w, "grid", grid);
  ds::Table ev, rules;
  const auto n = static_cast<Eigen::Index>(t.evals.size());
  Eigen::VectorXd mean(n), se(n);
  std::vector<std::string> names;
  for (Eigen::Index i = 0; i < n; ++i) {
    const TuneEval& e = t.evals[static_cast<std::size_t>(i)];
    names.push_back(e.name);
    mean[i] = e.mean;
    se[i] = e.stderr_mean;
  }
  ev.add("mean", mean);
  ev.add("stderr", se);
  // Each evaluated rule, one column per field of the rule (booleans 0 / 1).
  for (const std::string& f : core::field_names(o.start)) {
    Eigen::VectorXd c(n);
    for (Eigen::Index i = 0; i < n; ++i)
      c[i] = core::get_field(t.evals[static_cast<std::size_t>(i)].rule, f);
    rules.add(f, c);
  }
  ds::write_table(w, "evaluation_rules", rules);
  ev.metadata["names"] = ds::AttrValue::string(join(names));
  ds::write_table(w, "evaluation", ev);
  w.commit();
}

TuneResult read_tune(const std::string& path) {
  return ds::guarded_read(path, [&]() -> TuneResult {
    ds::Reader r(path);
    return read(r);
  });
}

void plot_tune(const TuneResult& t, const std::string& png) {
  const TuneOptions& o = t.options;
  plot::Figure fig(1200, 480, 1, 2);
  std::vector<double> steps, loss;
  for (Eigen::Index e = 0; e < t.meta_loss.size(); ++e) {
    steps.push_back(static_cast<double>(e));
    loss.push_back(t.meta_loss[e]);
  }
  plot::Axes& a = fig.axes(0, 0);
  plot::LineSeries& raw =
      a.plot(steps, loss, "tuned: batch of " + std::to_string(o.tasks_per_step) + " tasks");
  raw.alpha = 0.45;
  // The batches differ, so the batch values are noisy: their running mean over 5 steps.
  std::vector<double> smooth;
  for (std::size_t e = 0; e < loss.size(); ++e) {
    const std::size_t lo = e >= 4 ? e - 4 : 0;
    double sum = 0;
    for (std::size_t q = lo; q <= e; ++q) sum += loss[q];
    smooth.push_back(sum / static_cast<double>(e - lo + 1));
  }
  a.plot(steps, smooth, "tuned: running mean of 5");
  Eigen::Index best = 0;
  t.grid_loss.minCoeff(&best);
  plot::RefLine& g = a.axhline(t.grid_loss[best]);
  g.label = "grid search's best (same inner runs)";
  plot::RefLine& s = a.axhline(t.meta_loss[0], plot::colors::kGray);
  s.label = "start";
  a.set_title("learning " + core::rule_kind(o.start) + ": after " + std::to_string(o.inner_steps) +
              " inner steps");
  a.set_xlabel("outer step");
  a.set_ylabel("mean ln(validation MSE)");
  plot::Axes& b = fig.axes(0, 1);
  for (std::size_t j = 0; j < o.tuned.size(); ++j) {
    const std::string& name = o.tuned[j];
    std::vector<double> y;
    const bool unit = name == "beta1" || name == "beta2" || name == "momentum" || name == "alpha";
    for (Eigen::Index e = 0; e < t.path.rows(); ++e) {
      const double h = t.path(e, static_cast<Eigen::Index>(j));
      y.push_back(unit ? 1 - h : h);
    }
    b.plot(steps, y, unit ? "1 - " + name : name);
  }
  b.set_ylog();
  b.set_title("hyper-parameters along the outer steps");
  b.set_xlabel("outer step");
  b.set_legend(plot::Legend::kBest);
  fig.save_png(png);
}

}  // namespace adamant::meta
