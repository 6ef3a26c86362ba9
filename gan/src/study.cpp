// Diagnostics and the method-comparison study (study.hpp).

#include "adamant/gan/study.hpp"
#include "adamant/core/threads.hpp"

#include <omp.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "adamant/datasets/h5.hpp"

namespace adamant::gan {

namespace ds = adamant::datasets;

Eigen::VectorXcd jacobian_eigenvalues(Game<double>& game, const Eigen::VectorXd& z) {
  Eigen::MatrixXd J(game.dim(), game.dim());
  game.jacobian(z, J);
  return Eigen::EigenSolver<Eigen::MatrixXd>(J, false).eigenvalues();
}

double hamiltonian(Game<double>& game, const Eigen::VectorXd& z) {
  Eigen::VectorXd xi(game.dim());
  game.vector_field(z, xi);
  return 0.5 * xi.squaredNorm();
}

bool is_memoryless(const GameOptimizerOptions& o) {
  const bool sgd = o.x.name == "sgd" && o.y.name == "sgd" && o.x.get("momentum") == 0 &&
                   o.y.get("momentum") == 0;
  return sgd && o.scheme != Scheme::kOptimistic && o.scheme != Scheme::kPastExtragradient;
}

Eigen::VectorXcd update_eigenvalues(const Game<double>& game, const GameOptimizerOptions& o,
                                    const Eigen::VectorXd& z, double h) {
  if (!is_memoryless(o))
    throw std::invalid_argument("update_eigenvalues: the method keeps state between steps");
  const Eigen::Index n = game.dim();
  Eigen::MatrixXd M(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    Eigen::VectorXd zp = z, zm = z;
    zp[j] += h;
    zm[j] -= h;
    auto gp = game.clone(), gm = game.clone();
    GameOptimizer<double> op(o, n, game.x_dim()), om(o, n, game.x_dim());
    op.step(*gp, zp);
    om.step(*gm, zm);
    M.col(j) = (zp - zm) / (2 * h);
  }
  return Eigen::EigenSolver<Eigen::MatrixXd>(M, false).eigenvalues();
}

std::vector<std::string> method_names() {
  return {"simgd",      "altgd", "momentum",      "negmom",    "adam", "adam05",    "adam0",
          "optimistic", "oadam", "extragradient", "extraadam", "past", "consensus", "sga"};
}

GameOptimizerOptions method_preset(const std::string& name, double lr_sgd, double lr_adam,
                                   double lr_ratio) {
  GameOptimizerOptions o;
  PlayerOptions p;
  p.set("lr", lr_sgd);
  auto adam = [&](double b1, const char* rule = "adam") {
    p.use(rule).set("lr", lr_adam).set("beta1", b1);
  };
  if (name == "simgd") {
  } else if (name == "altgd") {
    o.scheme = Scheme::kAlternating;
  } else if (name == "momentum") {
    p.set("momentum", 0.5);
  } else if (name == "negmom") {
    o.scheme = Scheme::kAlternating;
    p.set("momentum", -0.5);
  } else if (name == "adam") {
    adam(0.9);
  } else if (name == "adam05") {
    adam(0.5);
  } else if (name == "adam0") {
    adam(0.0);
  } else if (name == "optimistic") {
    o.scheme = Scheme::kOptimistic;
  } else if (name == "oadam") {
    adam(0.5, "oadam");
  } else if (name == "extragradient") {
    o.scheme = Scheme::kExtragradient;
  } else if (name == "extraadam") {
    o.scheme = Scheme::kExtragradient;
    adam(0.5);
  } else if (name == "past") {
    o.scheme = Scheme::kPastExtragradient;
  } else if (name == "consensus") {
    o.scheme = Scheme::kConsensus;
  } else if (name == "sga") {
    o.scheme = Scheme::kSga;
  } else {
    std::string all;
    for (const auto& m : method_names()) all += (all.empty() ? "" : ", ") + m;
    throw std::invalid_argument("unknown method '" + name + "' (known: " + all + ")");
  }
  o.x = p;
  o.y = p;
  o.y.set("lr", p.lr() * lr_ratio);
  return o;
}

namespace {
bool is_mixture(const std::string& g) { return g == "ring" || g == "grid"; }
}  // namespace

GameOptimizerOptions study_method(const StudyOptions& o, const std::string& name) {
  const bool mixture = is_mixture(o.game);
  const double lr_sgd = o.lr_sgd > 0 ? o.lr_sgd : (mixture ? 0.02 : 0.1);
  const double lr_adam = o.lr_adam > 0 ? o.lr_adam
                                       : (o.game == "ring"   ? 2e-4
                                          : o.game == "grid" ? 1e-3
                                                             : 0.01);
  GameOptimizerOptions g = method_preset(name, lr_sgd, lr_adam, o.lr_ratio);
  g.n_d = o.n_d;
  g.gamma = o.consensus_gamma;
  g.lambda = o.sga_lambda;
  return g;
}

std::string StudyOptions::validate() const {
  if (game != "dirac" && game != "bilinear" && !is_mixture(game))
    return "unknown game '" + game + "' (known: dirac, bilinear, ring, grid)";
  if (methods.empty()) return "no methods";
  if (steps < 1) return "steps must be >= 1";
  if (!(lr_sgd >= 0) || !std::isfinite(lr_sgd) || !(lr_adam >= 0) || !std::isfinite(lr_adam))
    return "lr_sgd and lr_adam must be > 0 (or 0 for the game's default)";
  if (!(lr_ratio > 0) || !std::isfinite(lr_ratio)) return "lr_ratio must be > 0";
  if (n_d < 1) return "n_d must be >= 1";
  for (std::size_t i = 0; i < methods.size(); ++i) {
    const std::string& m = methods[i];
    for (std::size_t j = 0; j < i; ++j)
      if (methods[j] == m) return "method '" + m + "' is listed twice";
    try {
      if (std::string w = study_method(*this, m).validate(); !w.empty())
        return "method '" + m + "': " + w;
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    if (is_mixture(game) && (m == "consensus" || m == "sga"))
      return "method '" + m + "' needs the game's Jacobian, which the mixture GAN lacks";
  }
  if (eigen_every < 1) return "eigen_every must be >= 1";
  if (snapshots < 2) return "snapshots must be >= 2";
  if (curve_points < 2) return "curve_points must be >= 2";
  if (eval_samples < 1) return "eval_samples must be >= 1";
  if (num_threads < 0) return "num_threads must be >= 0";
  if (game == "dirac") {
    if (std::string w = dirac.validate(); !w.empty()) return w;
    if (start.size() && start.size() != 2) return "start must have 2 entries for the Dirac-GAN";
  }
  if (game == "bilinear") {
    if (std::string w = bilinear.validate(); !w.empty()) return w;
    if (start.size() && start.size() != bilinear.A.rows() + bilinear.A.cols())
      return "start must have n + m entries for the bilinear game";
  }
  if (is_mixture(game)) {
    if (std::string w = mixture.validate(); !w.empty()) return w;
    if (start.size()) return "start is not used by the mixture GAN (initialised from the seed)";
  }
  return "";
}

StudyOptions study_defaults(const std::string& game) {
  StudyOptions o;
  o.game = game;
  if (game == "ring") {
    o.methods = {"altgd", "adam", "adam05", "adam0", "oadam", "extraadam"};
    o.steps = 5000;
  } else if (game == "grid") {
    o.methods = {"adam", "adam05", "oadam", "extraadam"};
    o.steps = 10000;
  }
  return o;
}

std::unique_ptr<Game<double>> make_game(const StudyOptions& o) {
  if (o.game == "dirac") return std::make_unique<DiracGan<double>>(o.dirac);
  if (o.game == "bilinear") return std::make_unique<BilinearGame<double>>(o.bilinear);
  MixtureOptions m = o.mixture;
  m.mixture = parse_mixture(o.game);
  return std::make_unique<MixtureGan<double>>(m);
}

namespace {

MethodRun run_one(const StudyOptions& o, const std::string& name, const Game<double>& proto,
                  const Eigen::VectorXd& start, const Eigen::VectorXd& eq,
                  const std::function<void(int)>& tick) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool mixture = is_mixture(o.game);
  MethodRun run;
  run.name = name;
  run.options = study_method(o, name);
  auto game = proto.clone();
  const Eigen::Index n = game->dim();
  GameOptimizer<double> opt(run.options, n, game->x_dim());
  Eigen::VectorXd z = start, xi(n);
  const bool has_eq = eq.size() > 0;
  // Rows recorded: every step (small games) or the snapshots (mixture).
  std::vector<int> rec;
  if (mixture) {
    for (int k = 0; k < o.snapshots; ++k)
      rec.push_back(
          static_cast<int>(std::llround(static_cast<double>(o.steps) * k / (o.snapshots - 1))));
  } else {
    for (int s = 0; s <= o.steps; ++s) rec.push_back(s);
  }
  const auto R = static_cast<Eigen::Index>(rec.size());
  ds::RowMatrixXd it(R, n);
  Eigen::VectorXd c_step(R), c_dist(R), c_avg(R), c_ham(R), c_con(R), c_fx(R), c_fy(R), c_modes(R),
      c_hq(R);
  // Mixture: mode statistics of eval_samples generator samples at curve_points steps (the
  // snapshots included), from the same latents every time.
  std::vector<int> curve_at;
  if (mixture) {
    std::vector<int> all = rec;
    for (int k = 0; k < o.curve_points; ++k)
      all.push_back(
          static_cast<int>(std::llround(static_cast<double>(o.steps) * k / (o.curve_points - 1))));
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    curve_at = all;
  }
  std::vector<double> cv_step, cv_modes, cv_hq, cv_fx, cv_fy;
  std::size_t next = 0, next_curve = 0;
  double prev_d = NAN, d0 = NAN;
  const bool jac = game->has_jacobian();
  std::vector<Eigen::VectorXcd> eigs;
  Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> smp;
  ModeStats ms;
  for (int s = 0; s <= o.steps; ++s) {
    const bool finite = z.allFinite();
    if (next_curve < curve_at.size() && curve_at[next_curve] == s) {
      if (finite) {
        const auto& mg = static_cast<const MixtureGan<double>&>(*game);
        smp = mg.sample(z, o.eval_samples, o.mixture.seed + 12345);
      } else {
        smp.setConstant(o.eval_samples, 2, NAN);
      }
      ms = mode_stats(parse_mixture(o.game), smp);
      double fx = NAN, fy = NAN;
      if (finite) game->objectives(z, &fx, &fy);
      cv_step.push_back(s);
      cv_modes.push_back(ms.modes_captured);
      cv_hq.push_back(ms.high_quality_share);
      cv_fx.push_back(fx);
      cv_fy.push_back(fy);
      ++next_curve;
    }
    if (next < rec.size() && rec[next] == s) {
      const auto r = static_cast<Eigen::Index>(next);
      it.row(r) = z.transpose();
      c_step[r] = s;
      double fx = NAN, fy = NAN;
      if (finite) {
        game->vector_field(z, xi);
        game->objectives(z, &fx, &fy);
      } else {
        xi.setConstant(NAN);
      }
      c_ham[r] = 0.5 * xi.squaredNorm();
      c_fx[r] = fx;
      c_fy[r] = fy;
      const double d = has_eq ? (z - eq).norm() : NAN;
      c_dist[r] = d;
      c_avg[r] = has_eq ? (s == 0 ? d : (opt.average() - eq).norm()) : NAN;
      c_con[r] = s == 0 ? NAN : d / prev_d;
      if (s == 0) d0 = d;
      prev_d = d;
      if (mixture) {  // the curve has just evaluated this step (curve_at includes rec)
        c_modes[r] = ms.modes_captured;
        c_hq[r] = ms.high_quality_share;
        run.snapshot_steps.push_back(s);
        run.snapshots.emplace_back(smp);
      }
      ++next;
    }
    if (jac && finite && s % o.eigen_every == 0) {
      run.eigen_steps.push_back(s);
      eigs.push_back(jacobian_eigenvalues(*game, z));
    }
    if (s == o.steps) break;
    if (s % 50 == 49) tick(50);
    if (!finite) {  // keep the row count: the rest of the run stays non-finite
      z.setConstant(NAN);
      continue;
    }
    opt.step(*game, z);
  }
  run.eigenvalues.resize(static_cast<Eigen::Index>(eigs.size()), n);
  for (std::size_t k = 0; k < eigs.size(); ++k)
    run.eigenvalues.row(static_cast<Eigen::Index>(k)) = eigs[k].transpose();
  if (has_eq && is_memoryless(run.options))
    run.update_eigenvalues = update_eigenvalues(proto, run.options, eq);
  run.trajectory.game = o.game;
  run.trajectory.method = name + ": " + run.options.describe();
  run.trajectory.iterates = it;
  ds::Table& m = run.trajectory.metrics;
  m.add("step", c_step);
  if (has_eq) {
    m.add("distance", c_dist);
    m.add("avg_distance", c_avg);
    m.add("contraction", c_con);
  }
  m.add("hamiltonian", c_ham);
  m.add("f_x", c_fx);
  m.add("f_y", c_fy);
  if (mixture) {
    m.add("modes", c_modes);
    m.add("high_quality", c_hq);
    run.modes = static_cast<int>(c_modes[R - 1]);
    run.high_quality = c_hq[R - 1];
    auto vec = [](const std::vector<double>& v) {
      return Eigen::VectorXd(
          Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
    };
    run.curve.add("step", vec(cv_step));
    run.curve.add("modes", vec(cv_modes));
    run.curve.add("high_quality", vec(cv_hq));
    run.curve.add("f_x", vec(cv_fx));
    run.curve.add("f_y", vec(cv_fy));
    // Late averages (the last fifth of training): one snapshot of a GAN is a noisy measurement.
    double sm = 0, sh = 0;
    int cnt = 0;
    for (std::size_t k = 0; k < cv_step.size(); ++k)
      if (cv_step[k] >= 0.8 * o.steps) sm += cv_modes[k], sh += cv_hq[k], ++cnt;
    run.modes_late = sm / cnt;
    run.high_quality_late = sh / cnt;
  }
  run.diverged = !z.allFinite();
  if (has_eq) {
    run.final_distance = c_dist[R - 1];
    run.avg_distance = c_avg[R - 1];
    const Eigen::Index half = (R - 1) / 2;
    const double dh = c_dist[half];
    if (R - 1 - half > 0 && dh > 0)
      run.rate = std::pow(run.final_distance / dh, 1.0 / static_cast<double>(R - 1 - half));
    run.diverged = run.diverged || !std::isfinite(run.final_distance) ||
                   run.final_distance > 1e3 * std::max(d0, 1e-300);
  }
  run.evaluations = opt.evaluations();
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

}  // namespace

StudyResult run_study(const StudyOptions& o,
                      const std::function<void(const std::string&)>& progress) {
  if (std::string why = o.validate(); !why.empty())
    throw std::invalid_argument("run_study: " + why);
  const auto t0 = std::chrono::steady_clock::now();
  StudyResult res;
  res.options = o;
  auto game = make_game(o);
  Eigen::VectorXd start = o.start;
  if (is_mixture(o.game)) {
    start = static_cast<MixtureGan<double>&>(*game).initial_point();
  } else {
    if (start.size() == 0) start = Eigen::VectorXd::Ones(game->dim());
    res.equilibrium = game->equilibrium();
    res.equilibrium_eigenvalues = jacobian_eigenvalues(*game, res.equilibrium);
  }
  const int n = static_cast<int>(o.methods.size());
  res.runs.resize(static_cast<std::size_t>(n));
  const int threads = core::resolve_threads(o.num_threads);
  int done = 0;
  long steps_done = 0;
  const long steps_total = static_cast<long>(o.steps) * n;
  std::string error;
  auto report = [&](const std::string& what) {
    if (!progress) return;
    char buf[200];
    std::snprintf(buf, sizeof buf, "gan study %s: %d/%d methods done, %ld/%ld steps, %.1f s%s",
                  o.game.c_str(), done, n, steps_done, steps_total,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                  what.c_str());
    progress(buf);
  };
  auto tick = [&](int k) {
#pragma omp critical(gan_study_progress)
    {
      steps_done += k;
      report("");
    }
  };
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int i = 0; i < n; ++i) {
    try {
      res.runs[static_cast<std::size_t>(i)] =
          run_one(o, o.methods[static_cast<std::size_t>(i)], *game, start, res.equilibrium, tick);
    } catch (const std::exception& e) {
#pragma omp critical(gan_study_error)
      error = e.what();
    }
#pragma omp critical(gan_study_progress)
    {
      ++done;
      steps_done += o.steps % 50;
      report(" (" + o.methods[static_cast<std::size_t>(i)] + " finished)");
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

ds::Table StudyResult::table() const {
  const auto R = static_cast<Eigen::Index>(runs.size());
  Eigen::VectorXd idx(R), fd(R), ad(R), rate(R), div(R), modes(R), hq(R), ml(R), hl(R), ev(R);
  for (Eigen::Index i = 0; i < R; ++i) {
    const MethodRun& r = runs[static_cast<std::size_t>(i)];
    idx[i] = static_cast<double>(i);
    fd[i] = r.final_distance;
    ad[i] = r.avg_distance;
    rate[i] = r.rate;
    div[i] = r.diverged ? 1 : 0;
    modes[i] = r.modes >= 0 ? r.modes : NAN;
    hq[i] = r.high_quality;
    ml[i] = r.modes_late;
    hl[i] = r.high_quality_late;
    ev[i] = static_cast<double>(r.evaluations);
  }
  ds::Table t;
  t.add("method_index", idx);
  t.add("final_distance", fd);
  t.add("avg_distance", ad);
  t.add("rate", rate);
  t.add("diverged", div);
  t.add("modes", modes);
  t.add("high_quality", hq);
  t.add("modes_late", ml);
  t.add("high_quality_late", hl);
  t.add("evaluations", ev);
  std::string names;
  for (const auto& r : runs) names += (names.empty() ? "" : ",") + r.name;
  t.metadata["methods"].s = names;
  t.metadata["game"].s = options.game;
  t.metadata["steps"].kind = ds::AttrValue::Kind::kInt;
  t.metadata["steps"].i = options.steps;
  auto num = [&](const char* k, double v) {
    t.metadata[k].kind = ds::AttrValue::Kind::kFloat;
    t.metadata[k].f = v;
  };
  if (options.game == "dirac") {
    t.metadata["loss"].s = to_string(options.dirac.loss);
    num("gamma", options.dirac.gamma);
    num("instance_noise", options.dirac.instance_noise);
  } else if (is_mixture(options.game)) {
    t.metadata["loss"].s = to_string(options.mixture.loss);
    num("instance_noise", options.mixture.instance_noise);
    t.metadata["seed"].kind = ds::AttrValue::Kind::kInt;
    t.metadata["seed"].i = static_cast<std::int64_t>(options.mixture.seed);
    t.metadata["batch_size"].kind = ds::AttrValue::Kind::kInt;
    t.metadata["batch_size"].i = options.mixture.batch_size;
  }
  return t;
}

std::string StudyResult::format() const {
  std::string s;
  char buf[320];
  const bool mixture = is_mixture(options.game);
  if (mixture)
    std::snprintf(buf, sizeof buf, "%-14s %7s %7s %12s %12s %9s  %s\n", "method", "modes", "hq",
                  "modes(late)", "hq(late)", "diverged", "optimizer");
  else
    std::snprintf(buf, sizeof buf, "%-14s %12s %12s %10s %9s  %s\n", "method", "final dist",
                  "avg-iterate", "rate", "diverged", "optimizer");
  s += buf;
  const int K = options.game == "ring" ? 8 : 25;
  for (const auto& r : runs) {
    if (mixture)
      std::snprintf(buf, sizeof buf, "%-14s %4d/%-2d %7.3f %9.1f/%-2d %12.3f %9s  %s\n",
                    r.name.c_str(), r.modes, K, r.high_quality, r.modes_late, K,
                    r.high_quality_late, r.diverged ? "yes" : "no", r.options.describe().c_str());
    else
      std::snprintf(buf, sizeof buf, "%-14s %12.4e %12.4e %10.6f %9s  %s\n", r.name.c_str(),
                    r.final_distance, r.avg_distance, r.rate, r.diverged ? "yes" : "no",
                    r.options.describe().c_str());
    s += buf;
  }
  if (mixture)
    s += "modes / hq: at the last step; (late): mean over the evaluations in the last fifth of "
         "training\n";
  else
    s += "final dist: |z_T - z*|; avg-iterate: |mean(z_0..z_T) - z*|; rate: (d_T / d_{T/2})^(1 / "
         "(T - T/2)), the mean per-step contraction over the second half\n";
  return s;
}

void write_study(const std::string& path, const StudyResult& r) {
  std::map<std::string, ds::Trajectory> runs;
  for (const auto& m : r.runs) runs[m.name] = m.trajectory;
  ds::Writer w(path);
  ds::write_trajectories(w, runs);
  ds::write_table(w, "convergence", r.table());
  for (const auto& m : r.runs) {
    if (m.eigenvalues.size()) {
      const std::string at = "eigenvalues/" + m.name;
      const ds::RowMatrixXd re = m.eigenvalues.real(), im = m.eigenvalues.imag();
      w.write(at + "/re", re.data(), {re.rows(), re.cols()});
      w.write(at + "/im", im.data(), {im.rows(), im.cols()});
      std::vector<std::int64_t> st(m.eigen_steps.begin(), m.eigen_steps.end());
      w.write(at + "/step", st.data(), {static_cast<std::int64_t>(st.size())});
    }
    if (m.curve.rows()) ds::write_table(w, "curves/" + m.name, m.curve);
    for (std::size_t k = 0; k < m.snapshots.size(); ++k) {
      const std::string at = "snapshots/" + m.name + "/step_" + std::to_string(m.snapshot_steps[k]);
      w.write(at, m.snapshots[k].data(), {m.snapshots[k].rows(), m.snapshots[k].cols()});
    }
  }
  if (r.equilibrium.size()) {
    w.write("equilibrium/z", r.equilibrium.data(), {r.equilibrium.size()});
    const Eigen::VectorXd re = r.equilibrium_eigenvalues.real(),
                          im = r.equilibrium_eigenvalues.imag();
    w.write("equilibrium/eig_re", re.data(), {re.size()});
    w.write("equilibrium/eig_im", im.data(), {im.size()});
  }
  w.commit();
}

StudyFile read_study(const std::string& path) {
  return ds::guarded_read(path, [&]() -> StudyFile {
    StudyFile f;
    f.trajectories = ds::read_trajectories(path);
    ds::Reader r(path);
    if (!r.is_group("convergence"))
      r.fail("/convergence", "missing (expected the convergence table of `adamant gan study`)");
    f.convergence = ds::read_table(r, "convergence");
    if (f.convergence.metadata.count("methods") == 0)
      r.fail("/convergence", "has no attribute methods");
    std::string names = f.convergence.metadata.at("methods").s;
    for (std::size_t a = 0; a <= names.size();) {
      const std::size_t b = std::min(names.find(',', a), names.size());
      if (b > a) f.methods.push_back(names.substr(a, b - a));
      a = b + 1;
    }
    if (static_cast<std::int64_t>(f.methods.size()) != f.convergence.rows())
      r.fail("/convergence", "lists " + std::to_string(f.methods.size()) + " methods but has " +
                                 std::to_string(f.convergence.rows()) + " rows");
    for (const auto& m : f.methods)
      if (f.trajectories.count(m) == 0)
        r.fail("/trajectories/" + m, "missing (the convergence table lists the method)");
    if (r.is_group("eigenvalues"))
      for (const std::string& m : r.members("eigenvalues")) {
        const std::string at = "eigenvalues/" + m;
        ds::Shape shape;
        const auto re =
            r.read_f64(at + "/re", {ds::kAnyExtent, ds::kAnyExtent}, ds::Finite::kAny, &shape);
        const auto im = r.read_f64(at + "/im", shape, ds::Finite::kAny);
        const auto st = r.read_i64(at + "/step", {shape[0]});
        Eigen::MatrixXcd e(shape[0], shape[1]);
        for (std::int64_t i = 0; i < shape[0]; ++i)
          for (std::int64_t j = 0; j < shape[1]; ++j) {
            const auto k = static_cast<std::size_t>(i * shape[1] + j);
            e(i, j) = {re[k], im[k]};
          }
        f.eigenvalues[m] = e;
        f.eigen_steps[m] = std::vector<int>(st.begin(), st.end());
      }
    if (r.is_group("curves"))
      for (const std::string& m : r.members("curves"))
        f.curves[m] = ds::read_table(r, "curves/" + m);
    if (r.is_group("snapshots"))
      for (const std::string& m : r.members("snapshots"))
        for (const std::string& s : r.members("snapshots/" + m)) {
          const std::string at = "snapshots/" + m + "/" + s;
          int step = -1;
          if (s.rfind("step_", 0) == 0) {
            try {
              std::size_t used = 0;
              step = std::stoi(s.substr(5), &used);
              if (used != s.size() - 5) step = -1;
            } catch (const std::exception&) {
              step = -1;
            }
          }
          if (step < 0) r.fail(at, "expected a name step_<k> with k >= 0");
          ds::Shape shape;
          const auto v = r.read_f64(at, {ds::kAnyExtent, 2}, ds::Finite::kAny, &shape);
          f.snapshots[m][step] = Eigen::Map<const ds::RowMatrixXd>(v.data(), shape[0], 2);
        }
    if (r.is_group("equilibrium")) {
      ds::Shape shape;
      const auto z = r.read_f64("equilibrium/z", {ds::kAnyExtent}, ds::Finite::kRequired, &shape);
      const auto re = r.read_f64("equilibrium/eig_re", shape);
      const auto im = r.read_f64("equilibrium/eig_im", shape);
      f.equilibrium = Eigen::Map<const Eigen::VectorXd>(z.data(), shape[0]);
      f.equilibrium_eigenvalues.resize(shape[0]);
      for (std::int64_t i = 0; i < shape[0]; ++i)
        f.equilibrium_eigenvalues[i] = {re[static_cast<std::size_t>(i)],
                                        im[static_cast<std::size_t>(i)]};
    }
    return f;
  });
}

}  // namespace adamant::gan
