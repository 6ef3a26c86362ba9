// The MAML study's file (schema "hyper_maml"), its `adamant data info` summary and its figure.

#include <cmath>
#include <sstream>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/meta/maml.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::meta {
namespace {

namespace ds = adamant::datasets;
constexpr const char* kSchema = "hyper_maml";

MamlResult read(const ds::Reader& r) {
  if (ds::schema_of(r) != kSchema)
    r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) + "', expected '" + kSchema +
                    "' (a study written by 'adamant hyper maml')");
  MamlResult m;
  MamlOptions& o = m.options;
  try {
    o.inner = core::rule_options(r.attr_string("config", "inner"));
    o.net.hidden = core::parse_activation(r.attr_string("config", "activation"));
  } catch (const std::invalid_argument& e) {
    r.fail("config", e.what());
  }
  for (const std::string& f : core::field_names(o.inner))
    core::set_field(o.inner, f, r.attr_double("config", "inner." + f));
  o.inner_steps = r.attr_int("config", "inner_steps");
  o.iterations = static_cast<int>(r.attr_int("config", "iterations"));
  o.meta_batch = static_cast<int>(r.attr_int("config", "meta_batch"));
  o.outer_lr = r.attr_double("config", "outer_lr");
  o.eval_tasks = static_cast<int>(r.attr_int("config", "eval_tasks"));
  o.eval_points = static_cast<int>(r.attr_int("config", "eval_points"));
  o.seed = static_cast<std::uint64_t>(r.attr_int("config", "seed"));
  o.tasks.train_points = static_cast<int>(r.attr_int("config", "shots"));
  o.tasks.val_points = static_cast<int>(r.attr_int("config", "query_points"));
  o.net.layer_sizes.clear();
  for (std::int64_t w : r.read_i64("config/layers", {ds::kAnyExtent}))
    o.net.layer_sizes.push_back(static_cast<int>(w));
  if (const std::string why = o.validate(); !why.empty()) r.fail("config", why);
  const std::vector<double> init = r.read_f64("init", {ds::kAnyExtent});
  m.init = Eigen::Map<const Eigen::VectorXd>(init.data(), static_cast<Eigen::Index>(init.size()));
  const ds::Table ev = ds::read_table(r, "evaluation");
  if (ev.metadata.count("methods") == 0) r.fail("/evaluation", "has no attribute methods");
  const std::vector<std::string> names = ds::split_names(ev.metadata.at("methods").s);
  if (static_cast<std::int64_t>(names.size()) != ev.rows())
    r.fail("/evaluation", "lists " + std::to_string(names.size()) + " methods but has " +
                              std::to_string(ev.rows()) + " rows");
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(k);
    MamlMethod meth;
    meth.name = names[k];
    const std::vector<double> th = r.read_f64("methods/" + names[k] + "/theta0", {m.init.size()});
    meth.theta0 = Eigen::Map<const Eigen::VectorXd>(th.data(), m.init.size());
    const std::vector<double> c =
        r.read_f64("methods/" + names[k] + "/curve", {static_cast<std::int64_t>(o.iterations)});
    meth.curve = Eigen::Map<const Eigen::VectorXd>(c.data(), static_cast<Eigen::Index>(c.size()));
    meth.mse_before = ev.column("mse_before")[i];
    meth.se_before = ev.column("se_before")[i];
    meth.mse_after = ev.column("mse_after")[i];
    meth.se_after = ev.column("se_after")[i];
    meth.seconds = ev.column("seconds")[i];
    m.methods.push_back(meth);
  }
  return m;
}

[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary(kSchema, [](const std::string&, const ds::Reader& r) {
      const MamlResult m = read(r);
      std::ostringstream os;
      os << "hyper_maml: sine regression, " << m.options.tasks.train_points << " shots, "
         << m.options.inner_steps << " inner steps of " << core::rule_kind(m.options.inner) << ", "
         << m.options.iterations << " outer steps x " << m.options.meta_batch
         << " tasks; held-out query MSE over " << m.options.eval_tasks << " tasks:";
      for (const MamlMethod& meth : m.methods)
        os << "\n  " << meth.name << ": " << ds::summary_number(meth.mse_after) << " +- "
           << ds::summary_number(meth.se_after, "%.2g") << " after adaptation ("
           << ds::summary_number(meth.mse_before) << " before)";
      return os.str();
    });

}  // namespace

void write_maml(const std::string& path, const MamlResult& m) {
  const MamlOptions& o = m.options;
  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  w.group("config");
  w.attr("config", "inner", core::rule_kind(o.inner));
  for (const std::string& f : core::field_names(o.inner))
    w.attr("config", "inner." + f, core::get_field(o.inner, f));
  w.attr("config", "inner_steps", o.inner_steps);
  w.attr("config", "iterations", o.iterations);
  w.attr("config", "meta_batch", o.meta_batch);
  w.attr("config", "outer_lr", o.outer_lr);
  w.attr("config", "eval_tasks", o.eval_tasks);
  w.attr("config", "eval_points", o.eval_points);
  w.attr("config", "seed", static_cast<std::int64_t>(o.seed));
  w.attr("config", "shots", o.tasks.train_points);
  w.attr("config", "query_points", o.tasks.val_points);
  w.attr("config", "activation", std::string(core::to_string(o.net.hidden)));
  const std::vector<std::int64_t> layers(o.net.layer_sizes.begin(), o.net.layer_sizes.end());
  w.write("config/layers", layers.data(), {static_cast<std::int64_t>(layers.size())});
  w.write("init", m.init.data(), {m.init.size()});
  ds::Table ev;
  const auto k = static_cast<Eigen::Index>(m.methods.size());
  Eigen::VectorXd mb(k), sb(k), ma(k), sa(k), sec(k);
  std::string names;
  for (Eigen::Index i = 0; i < k; ++i) {
    const MamlMethod& meth = m.methods[static_cast<std::size_t>(i)];
    names += (i ? "," : "") + meth.name;
    mb[i] = meth.mse_before;
    sb[i] = meth.se_before;
    ma[i] = meth.mse_after;
    sa[i] = meth.se_after;
    sec[i] = meth.seconds;
    w.write("methods/" + meth.name + "/theta0", meth.theta0.data(), {meth.theta0.size()});
    w.write("methods/" + meth.name + "/curve", meth.curve.data(), {meth.curve.size()});
  }
  ev.add("mse_before", mb);
  ev.add("se_before", sb);
  ev.add("mse_after", ma);
  ev.add("se_after", sa);
  ev.add("seconds", sec);
  ev.metadata["methods"] = ds::AttrValue::string(names);
  ds::write_table(w, "evaluation", ev);
  w.commit();
}

MamlResult read_maml(const std::string& path) {
  return ds::guarded_read(path, [&]() -> MamlResult {
    ds::Reader r(path);
    return read(r);
  });
}

void plot_maml(const MamlResult& m, const std::string& png) {
  const MamlOptions& o = m.options;
  core::Mlp<double> mlp(o.net);
  plot::Figure fig(1500, 450, 1, 3);
  SineFamily eval = o.tasks;
  eval.val_points = o.eval_points;
  const int grid = 200;
  core::Mlp<double>::MatrixX xs(grid, 1);
  std::vector<double> xv(grid);
  for (int i = 0; i < grid; ++i) {
    xv[static_cast<std::size_t>(i)] = o.tasks.x_lo + (o.tasks.x_hi - o.tasks.x_lo) * i / (grid - 1);
    xs(i, 0) = xv[static_cast<std::size_t>(i)];
  }
  auto curve = [&](const Eigen::VectorXd& theta) {
    const core::Mlp<double>::MatrixX y = mlp.evaluate(theta, xs);
    return std::vector<double>(y.data(), y.data() + y.size());
  };
  for (int panel = 0; panel < 3; ++panel) {
    const SineTask t = draw_task(eval, o.seed, kHeldOutTasks + static_cast<std::uint64_t>(panel));
    plot::Axes& a = fig.axes(0, panel);
    std::vector<double> truth;
    for (double x : xv) truth.push_back(t.amplitude * std::sin(x - t.phase));
    plot::LineSeries& tr = a.plot(xv, truth, "true function");
    tr.color = plot::colors::kDarkGray;
    for (const MamlMethod& meth : m.methods) {
      const Eigen::VectorXd p = adapt(o, meth.theta0, t);
      a.plot(xv, curve(p), meth.name + " after " + std::to_string(o.inner_steps) + " steps");
      if (meth.name == "maml") {
        plot::LineSeries& pre = a.plot(xv, curve(meth.theta0), "maml before adaptation");
        pre.dashed = true;
        pre.width = 1.25;
      }
    }
    std::vector<double> sx(t.x_train.data(), t.x_train.data() + t.x_train.size());
    std::vector<double> sy(t.y_train.data(), t.y_train.data() + t.y_train.size());
    a.scatter(sx, sy, std::to_string(o.tasks.train_points) + " shots");
    std::ostringstream title;
    title.precision(3);
    title << "held-out task: A = " << t.amplitude << ", phase = " << t.phase;
    a.set_title(title.str());
    a.set_xlabel("x");
    if (panel == 0) a.set_ylabel("y");
    a.set_legend(panel == 0 ? plot::Legend::kBest : plot::Legend::kNone);
  }
  fig.save_png(png);
}

}  // namespace adamant::meta
