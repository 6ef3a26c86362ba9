#include "adamant/chem/train.hpp"
#include "adamant/core/threads.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

#include "adamant/core/block_sum.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"

namespace adamant::chem {

namespace ds = adamant::datasets;

const char* to_string(ClipMode m) {
  switch (m) {
    case ClipMode::kNone:
      return "none";
    case ClipMode::kGradNorm:
      return "grad";
    case ClipMode::kUpdateNorm:
      return "update";
  }
  return "?";
}

ClipMode parse_clip_mode(const std::string& name) {
  if (name == "none") return ClipMode::kNone;
  if (name == "grad") return ClipMode::kGradNorm;
  if (name == "update") return ClipMode::kUpdateNorm;
  throw std::invalid_argument("unknown clipping mode '" + name + "' (known: none, grad, update)");
}

std::string TrainOptions::validate() const {
  std::vector<std::string> e;
  if (num_train < 1) e.push_back("num_train must be >= 1");
  if (num_validation < 0 || num_test < 0) e.push_back("num_validation and num_test must be >= 0");
  if (const std::string d = descriptors.validate(); !d.empty()) e.push_back(d);
  if (const std::string n = network.validate(); !n.empty()) e.push_back(n);
  if (const std::string r = core::validate(rule); !r.empty()) e.push_back(r);
  if (!(lr() > 0) || !(lr_final > 0) || !std::isfinite(lr()) || !std::isfinite(lr_final))
    e.push_back("lr and lr_final must be finite and > 0");
  if (schedule != "exponential" && schedule != "cosine" && schedule != "constant")
    e.push_back("schedule must be exponential, cosine or constant, got '" + schedule + "'");
  if (epochs < 1) e.push_back("epochs must be >= 1");
  if (batch_size < 1) e.push_back("batch_size must be >= 1");
  if (!(energy_weight_start >= 0) || !(energy_weight_limit >= 0) || !(force_weight_start >= 0) ||
      !(force_weight_limit >= 0))
    e.push_back("loss weights must be >= 0");
  if (energy_weight_start + force_weight_start <= 0) e.push_back("some loss weight must be > 0");
  if (clip != ClipMode::kNone && !(clip_value > 0)) e.push_back("clip_value must be > 0");
  if (huber && (!(huber_delta_energy > 0) || !(huber_delta_force > 0)))
    e.push_back("Huber deltas must be > 0");
  if (patience < 0) e.push_back("patience must be >= 0");
  if (eval_every < 1) e.push_back("eval_every must be >= 1");
  if (num_threads < 0) e.push_back("num_threads must be >= 0");
  if (checkpoint_every < 0) e.push_back("checkpoint_every must be >= 0");
  if (resume && checkpoint.empty()) e.push_back("resume needs a checkpoint path");
  std::string out;
  for (const auto& s : e) out += (out.empty() ? "" : "; ") + s;
  return out;
}

std::string TrainOptions::describe() const {
  std::ostringstream os;
  os << "train " << num_train << " / val " << num_validation << " / test " << num_test << ", seed "
     << seed << ", net ";
  for (int h : network.hidden) os << h << "-";
  os << "1 " << core::to_string(network.activation) << ", " << core::describe(rule);
  os << ", lr " << lr();
  if (schedule != "constant") os << "->" << lr_final;
  if (schedule != "exponential") os << " " << schedule;
  os << ", " << epochs << " epochs x batch " << batch_size << ", p_e " << energy_weight_start
     << "->" << energy_weight_limit << ", p_f " << force_weight_start << "->" << force_weight_limit
     << ", clip " << to_string(clip);
  if (clip != ClipMode::kNone) os << " " << clip_value;
  if (huber) os << ", huber " << huber_delta_energy << "/" << huber_delta_force;
  os << ", rc " << descriptors.cutoff_radius << " " << to_string(descriptors.cutoff);
  return os.str();
}

std::map<std::string, ds::AttrValue> TrainOptions::identity() const {
  auto list = [](const auto& v) {
    std::ostringstream os;
    os.precision(17);
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
    return ds::AttrValue::string(os.str());
  };
  auto num = [](double v) { return ds::AttrValue::number(v); };
  auto integer = [](std::int64_t v) { return ds::AttrValue::integer(v); };
  auto text = [](std::string v) { return ds::AttrValue::string(std::move(v)); };
  std::map<std::string, ds::AttrValue> id = {
      {"num_train", integer(num_train)},
      {"num_validation", integer(num_validation)},
      {"num_test", integer(num_test)},
      {"seed", integer(static_cast<std::int64_t>(seed))},
      {"cutoff_radius", num(descriptors.cutoff_radius)},
      {"cutoff", text(to_string(descriptors.cutoff))},
      {"num_radial", integer(descriptors.num_radial)},
      {"rs_min", num(descriptors.rs_min)},
      {"rs_max", num(descriptors.rs_max)},
      {"angular", integer(static_cast<int>(descriptors.angular))},
      {"zetas", list(descriptors.zetas)},
      {"angular_etas", list(descriptors.angular_etas)},
      {"hidden", list(network.hidden)},
      {"activation", text(core::to_string(network.activation))},
      {"init", text(core::to_string(network.init))},
      {"lr_final", num(lr_final)},
      {"schedule", text(schedule)},
      {"epochs", integer(epochs)},
      {"batch_size", integer(batch_size)},
      {"energy_weight_start", num(energy_weight_start)},
      {"energy_weight_limit", num(energy_weight_limit)},
      {"force_weight_start", num(force_weight_start)},
      {"force_weight_limit", num(force_weight_limit)},
      {"clip", text(to_string(clip))},
      {"clip_value", num(clip_value)},
      {"huber", integer(huber ? 1 : 0)},
      {"huber_delta_energy", num(huber_delta_energy)},
      {"huber_delta_force", num(huber_delta_force)},
      {"patience", integer(patience)},
      {"eval_every", integer(eval_every)},
      {"divergence_loss", num(divergence_loss)},
  };
  // The rule, generated from its field list: the kind, then every field.
  id["rule"] = text(core::rule_kind(rule));
  for (const std::string& f : core::field_names(rule))
    id["rule." + f] = num(core::get_field(rule, f));
  return id;
}

core::RuleOptions TrainOptions::default_rule() {
  core::AdamOptions adam;
  adam.lr = 5e-3;
  return adam;
}

void split_frames(std::int64_t n, int num_train, int num_validation, int num_test,
                  std::uint64_t seed, std::vector<int>* train, std::vector<int>* validation,
                  std::vector<int>* test) {
  if (num_train + num_validation > n)
    throw std::invalid_argument("split_frames: " + std::to_string(num_train) + " training + " +
                                std::to_string(num_validation) + " validation frames, but only " +
                                std::to_string(n) + " frames");
  std::vector<int> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = static_cast<int>(i);
  std::mt19937_64 rng(seed);
  for (std::int64_t i = n - 1; i > 0; --i)
    std::swap(idx[static_cast<std::size_t>(i)],
              idx[static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(i + 1))]);
  const auto nt = static_cast<std::size_t>(num_train),
             nv = static_cast<std::size_t>(num_validation);
  const std::size_t ns =
      std::min<std::size_t>(static_cast<std::size_t>(num_test), idx.size() - nt - nv);
  train->assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(nt));
  validation->assign(idx.begin() + static_cast<std::ptrdiff_t>(nt),
                     idx.begin() + static_cast<std::ptrdiff_t>(nt + nv));
  test->assign(idx.begin() + static_cast<std::ptrdiff_t>(nt + nv),
               idx.begin() + static_cast<std::ptrdiff_t>(nt + nv + ns));
}

Structure structure_of(const ds::MolecularDataset& data, std::int64_t frame) {
  Structure s;
  s.atomic_numbers.assign(data.atomic_numbers.begin(), data.atomic_numbers.end());
  const auto a = data.num_atoms();
  s.positions = Eigen::Map<const RowMatrixXd>(data.positions.row(frame).data(), a, 3);
  return s;
}

namespace {

Metrics metrics_of(const Eigen::VectorXd& de, const Eigen::VectorXd& df) {
  Metrics m;
  m.frames = de.size();
  if (de.size() > 0) {
    m.energy_mae = de.cwiseAbs().mean();
    m.energy_rmse = std::sqrt(de.squaredNorm() / static_cast<double>(de.size()));
  }
  if (df.size() > 0) {
    m.force_mae = df.cwiseAbs().mean();
    m.force_rmse = std::sqrt(df.squaredNorm() / static_cast<double>(df.size()));
  }
  return m;
}

// Metrics of prepared frames at params p (parallel over frames, errors stored per frame).
Metrics prepared_metrics(const Potential& pot, const Eigen::VectorXd& p,
                         const std::vector<PreparedFrame>& frames, int threads) {
  const auto nf = static_cast<Eigen::Index>(frames.size());
  if (nf == 0) return {};
  const int a = frames.front().num_atoms();
  Eigen::VectorXd de(nf), df(nf * 3 * a);
#pragma omp parallel num_threads(threads)
  {
    Potential::Workspace ws = pot.make_workspace(a);
#pragma omp for schedule(static)
    for (Eigen::Index f = 0; f < nf; ++f) {
      const PreparedFrame& fr = frames[static_cast<std::size_t>(f)];
      de[f] = pot.predict(p, fr, ws) - fr.energy;
      df.segment(f * 3 * a, 3 * a) = ws.forces - fr.forces;
    }
  }
  return metrics_of(de, df);
}

std::vector<PreparedFrame> prepare_frames(const Potential& pot, const ds::MolecularDataset& data,
                                          const std::vector<int>& idx, int threads) {
  std::vector<PreparedFrame> out(idx.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(idx.size()); ++k) {
    const int f = idx[static_cast<std::size_t>(k)];
    Eigen::VectorXd forces;
    if (data.has_forces()) forces = data.forces.row(f).transpose();
    out[static_cast<std::size_t>(k)] = pot.prepare(structure_of(data, f), data.energies[f], forces);
  }
  return out;
}

// The training core on explicit frame lists.
TrainResult train_frames(const ds::MolecularDataset& data, const std::vector<int>& train_idx,
                         const std::vector<int>& val_idx, const std::vector<int>& test_idx,
                         const TrainOptions& o,
                         const std::function<void(const Progress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const int threads = core::resolve_threads(o.num_threads);
  TrainResult res;
  res.train_frames = train_idx;
  res.validation_frames = val_idx;
  res.test_frames = test_idx;
  std::vector<int> z(data.atomic_numbers.begin(), data.atomic_numbers.end());
  Potential pot(standard_descriptor_set(z, o.descriptors), o.network);
  pot.init_parameters(o.seed);
  // Standardisation and shifts from the training frames.
  {
    const std::vector<int> el = pot.element_indices(z);
    std::vector<RowMatrixXd> g(train_idx.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(train_idx.size()); ++k) {
      const Structure s = structure_of(data, train_idx[static_cast<std::size_t>(k)]);
      RowMatrixXd dummy;
      compute_descriptors(pot.descriptors(), s, neighbor_list(s, pot.descriptors().cutoff_radius),
                          false, g[static_cast<std::size_t>(k)], dummy);
    }
    std::vector<const RowMatrixXd*> gv;
    std::vector<const std::vector<int>*> ev;
    for (const auto& m : g) {
      gv.push_back(&m);
      ev.push_back(&el);
    }
    pot.standardizer = Standardizer::fit(gv, ev, pot.num_elements());
    std::vector<std::vector<int>> els(train_idx.size(), el);
    Eigen::VectorXd e(static_cast<Eigen::Index>(train_idx.size()));
    for (std::size_t k = 0; k < train_idx.size(); ++k)
      e[static_cast<Eigen::Index>(k)] = data.energies[train_idx[k]];
    pot.fit_shifts(els, e);
  }
  const std::vector<PreparedFrame> train_set = prepare_frames(pot, data, train_idx, threads);
  const std::vector<PreparedFrame> val_set = prepare_frames(pot, data, val_idx, threads);
  const int atoms = static_cast<int>(z.size());
  const Eigen::Index np = pot.num_parameters();
  const auto ntrain = static_cast<std::int64_t>(train_set.size());
  const std::int64_t batches_per_epoch = (ntrain + o.batch_size - 1) / o.batch_size;
  const std::int64_t total_steps = batches_per_epoch * o.epochs;

  // The rule's lr is the schedule's start: the learning rate is stated once.
  const double lr = o.lr();
  core::OptimizerOptions oo;
  if (o.schedule == "cosine") {
    oo.schedule = core::Schedule::cosine(lr, std::max<std::int64_t>(1, total_steps), o.lr_final);
  } else if (o.schedule == "constant") {
    oo.schedule = core::Schedule::constant(lr);
  } else {
    const double gamma = std::pow(
        o.lr_final / lr, 1.0 / static_cast<double>(std::max<std::int64_t>(1, total_steps)));
    oo.schedule = core::Schedule::exponential(lr, gamma);
  }
  if (o.clip == ClipMode::kGradNorm) oo.clip_grad_norm = o.clip_value;
  if (o.clip == ClipMode::kUpdateNorm) oo.clip_update_norm = o.clip_value;
  oo.non_finite = core::NonFinitePolicy::kSkip;
  core::Optimizer<double> opt(o.rule, static_cast<std::size_t>(np), oo);

  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<int> order(train_set.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
  Eigen::VectorXd best = pot.params;
  double best_score = std::numeric_limits<double>::infinity();
  int best_epoch = 0, bad_epochs = 0, start_epoch = 0;
  const std::string best_path = o.checkpoint.empty() ? "" : o.checkpoint + ".best.h5";
  const std::string curve_path = o.checkpoint.empty() ? "" : o.checkpoint + ".curve.h5";
  const std::string signature = o.describe();
  const std::map<std::string, ds::AttrValue> identity = o.identity();
  // The learning curve so far (kept beside the checkpoint, so a resumed run returns it whole).
  std::vector<double> c_epoch, c_loss, c_lr, c_vem, c_vfm, c_time;
  double time_offset = 0;  // wall time of the epochs run before a resume

  if (o.resume && std::filesystem::exists(o.checkpoint)) {
    const ds::Checkpoint<double> ck = ds::read_checkpoint<double>(o.checkpoint);
    auto cfg = [&](const std::string& k) -> const ds::AttrValue& {
      auto it = ck.config.find(k);
      if (it == ck.config.end())
        throw ds::DataError(o.checkpoint, "/config", "attribute " + k + " is missing");
      return it->second;
    };
    if (ck.model.kind != "chem_bp" || ck.model.params.size() != np)
      throw ds::DataError(o.checkpoint, "/model", "not a checkpoint of this chem model");
    // The checkpoint's options, field by field (checkpoints written before the fields were
    // stored carry only the description, compared as text).
    bool fields = false;
    if (ck.config.count("options.optimizer") != 0 && ck.config.count("options.rule") == 0) {
      throw ds::DataError(o.checkpoint, "/config",
                          "written by an older adamant (options.optimizer = " +
                              ck.config.at("options.optimizer").to_string() +
                              ", no options.rule): its optimizer cannot be matched to these "
                              "options; start a new run");
    }
    for (const auto& [name, value] : identity) {
      const auto it = ck.config.find("options." + name);
      if (it == ck.config.end()) continue;
      fields = true;
      const ds::AttrValue& was = it->second;
      const bool same = was.kind == value.kind && was.s == value.s && was.i == value.i &&
                        (was.f == value.f || (std::isnan(was.f) && std::isnan(value.f)));
      if (!same)
        throw ds::DataError(o.checkpoint, "/config",
                            "written with " + name + " = " + was.to_string() +
                                ", these options have " + name + " = " + value.to_string() +
                                " (resume with the options of the run, or start a new one)");
    }
    if (!fields && cfg("options").to_string() != signature)
      throw ds::DataError(o.checkpoint, "/config",
                          "written with other options: '" + cfg("options").to_string() +
                              "', now '" + signature + "'");
    pot.params = ck.model.params;
    opt.set_state(ck.optimizer);
    ds::restore_rng_state(rng, ck.rng_state);
    start_epoch = static_cast<int>(ck.step);
    best_epoch = static_cast<int>(cfg("best_epoch").i);
    bad_epochs = static_cast<int>(cfg("bad_epochs").i);
    best_score = cfg("best_score").f;
    const ds::ModelParameters bm = ds::read_model(best_path);
    if (bm.params.size() != np || bm.attributes.count("epoch") == 0 ||
        bm.attributes.at("epoch").i != best_epoch)
      throw ds::DataError(best_path, "/model", "does not match checkpoint " + o.checkpoint);
    best = bm.params;
    const ds::Table curve = ds::read_table(curve_path);
    std::vector<std::vector<double>*> cols = {&c_epoch, &c_loss, &c_lr, &c_vem, &c_vfm, &c_time};
    const char* names[] = {"epoch", "loss", "lr", "val_energy_mae", "val_force_mae", "wall_time"};
    for (int c = 0; c < 6; ++c) {
      const Eigen::VectorXd& v = curve.column(names[c]);
      // The curve is written just before the checkpoint: it may hold more epochs, never fewer.
      if (v.size() < start_epoch)
        throw ds::DataError(curve_path, std::string("/table/") + names[c],
                            "holds " + std::to_string(v.size()) + " epochs, checkpoint " +
                                o.checkpoint + " is at epoch " + std::to_string(start_epoch));
      cols[static_cast<std::size_t>(c)]->assign(v.data(), v.data() + start_epoch);
    }
    time_offset = c_time.empty() ? 0.0 : c_time.back();
  }
  // The frames of each minibatch are blocks of one sum: this process computes its share of them
  // (all of them without MPI) and every process gets the same sum, added in frame order.
  const core::BlockSum local_blocks;
  const core::BlockSum& blocks = o.block_sum ? *o.block_sum : local_blocks;
  auto save_checkpoint = [&](int epoch) {
    if (o.checkpoint.empty() || !blocks.root()) return;
    ds::Table curve;
    auto column = [](const std::vector<double>& v) {
      return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
    };
    curve.add("epoch", column(c_epoch));
    curve.add("loss", column(c_loss));
    curve.add("lr", column(c_lr));
    curve.add("val_energy_mae", column(c_vem));
    curve.add("val_force_mae", column(c_vfm));
    curve.add("wall_time", column(c_time));
    ds::write_table(curve_path, curve);
    ds::ModelParameters bm;
    bm.kind = "chem_bp_best";
    bm.attributes["epoch"] = ds::AttrValue::integer(best_epoch);
    bm.params = best;
    ds::write_model(best_path, bm);
    ds::Checkpoint<double> ck;
    ck.model.kind = "chem_bp";
    ck.model.params = pot.params;
    ck.rule = core::rule_name(o.rule);
    ck.optimizer = opt.state();
    ck.step = epoch;
    ck.rng_state = ds::rng_state_words(rng);
    ck.config["options"] = ds::AttrValue::string(signature);  // for people; identity below
    for (const auto& [name, value] : identity) ck.config["options." + name] = value;
    ck.config["best_epoch"] = ds::AttrValue::integer(best_epoch);
    ck.config["bad_epochs"] = ds::AttrValue::integer(bad_epochs);
    ck.config["best_score"] = ds::AttrValue::number(best_score);
    ds::write_checkpoint(o.checkpoint, ck);
  };

  const auto bs = static_cast<std::size_t>(o.batch_size);
  // one row per frame: its gradient, and its loss in the last column (summed with it)
  RowMatrixXd grads(static_cast<Eigen::Index>(bs), np + 1);
  Eigen::VectorXd sum(np + 1);
  Eigen::VectorXd grad(np);
  std::vector<Potential::Workspace> wss;
  for (int t = 0; t < threads; ++t) wss.push_back(pot.make_workspace(atoms));
  LossWeights limit;
  limit.energy = o.energy_weight_limit;
  limit.force = o.force_weight_limit;

  int epoch = start_epoch;
  for (; epoch < o.epochs; ++epoch) {
    // Each epoch's order is a function of the generator state alone (shuffled from the identity),
    // so a run resumed from a checkpoint (which stores that state) draws the same batches.
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
    for (std::size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[static_cast<std::size_t>(rng() % (i + 1))]);
    double epoch_loss = 0;
    for (std::size_t b0 = 0; b0 < order.size(); b0 += bs) {
      const std::size_t nb = std::min(bs, order.size() - b0);
      const double ratio = opt.current_lr() / lr;
      LossWeights w;
      w.energy = o.energy_weight_limit + (o.energy_weight_start - o.energy_weight_limit) * ratio;
      w.force = o.force_weight_limit + (o.force_weight_start - o.force_weight_limit) * ratio;
      w.huber = o.huber;
      w.huber_delta_energy = o.huber_delta_energy;
      w.huber_delta_force = o.huber_delta_force;
      const std::pair<std::size_t, std::size_t> mine = blocks.range(nb);
      const std::size_t f0 = mine.first, f1 = mine.second;
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(f1 - f0); ++k) {
        double* g = grads.row(k).data();
        std::fill(g, g + np, 0.0);
        const PreparedFrame& fr =
            train_set[static_cast<std::size_t>(order[b0 + f0 + static_cast<std::size_t>(k)])];
        g[np] = pot.evaluate_frame(pot.params, fr, w,
                                   wss[static_cast<std::size_t>(omp_get_thread_num())], g)
                    .loss;
      }
      blocks.sum(grads.data(), nb, static_cast<std::size_t>(np) + 1, sum.data());
      grad = sum.head(np) / static_cast<double>(nb);
      const double bl = sum[np];
      epoch_loss += bl;
      opt.step(pot.params, grad);
    }
    epoch_loss /= static_cast<double>(ntrain);
    const bool diverged =
        !std::isfinite(epoch_loss) || epoch_loss > o.divergence_loss || !pot.params.allFinite();
    Progress pr;
    pr.epoch = epoch + 1;
    pr.epochs = o.epochs;
    pr.loss = epoch_loss;
    pr.lr = opt.current_lr();
    bool evaluated = false;
    if (!diverged && (((epoch + 1) % o.eval_every) == 0 || epoch + 1 == o.epochs)) {
      evaluated = true;
      if (!val_set.empty()) {
        pr.validation = prepared_metrics(pot, pot.params, val_set, threads);
        // Validation score: the loss with the limit weights, squared errors.
        const double score = limit.energy * std::pow(pr.validation.energy_rmse / atoms, 2) +
                             limit.force * std::pow(pr.validation.force_rmse, 2);
        if (score < best_score) {
          best_score = score;
          best = pot.params;
          best_epoch = epoch + 1;
          bad_epochs = 0;
        } else {
          bad_epochs += o.eval_every;
        }
      } else {
        best = pot.params;
        best_epoch = epoch + 1;
      }
    }
    pr.elapsed = elapsed();
    c_epoch.push_back(epoch + 1);
    c_loss.push_back(epoch_loss);
    c_lr.push_back(pr.lr);
    c_vem.push_back(evaluated ? pr.validation.energy_mae : std::nan(""));
    c_vfm.push_back(evaluated ? pr.validation.force_mae : std::nan(""));
    c_time.push_back(time_offset + pr.elapsed);
    if (progress) progress(pr);
    if (diverged) {
      res.diverged = true;
      ++epoch;
      break;
    }
    if (o.checkpoint_every > 0 && (epoch + 1) % o.checkpoint_every == 0) save_checkpoint(epoch + 1);
    if (o.patience > 0 && !val_set.empty() && bad_epochs >= o.patience) {
      res.stopped_early = true;
      ++epoch;
      break;
    }
  }
  res.epochs_run = epoch;
  if (!res.diverged) save_checkpoint(epoch);
  res.best_epoch = best_epoch;
  auto col = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  };
  res.curve.add("epoch", col(c_epoch));
  res.curve.add("loss", col(c_loss));
  res.curve.add("lr", col(c_lr));
  res.curve.add("val_energy_mae", col(c_vem));
  res.curve.add("val_force_mae", col(c_vfm));
  res.curve.add("wall_time", col(c_time));
  if (!res.diverged) {
    pot.params = best;
    res.train = prepared_metrics(pot, pot.params, train_set, threads);
    res.validation = prepared_metrics(pot, pot.params, val_set, threads);
    if (!test_idx.empty()) res.test = evaluate(pot, data, test_idx, nullptr, nullptr, threads);
  } else {
    const double nan = std::nan("");
    for (Metrics* m : {&res.train, &res.validation, &res.test}) *m = Metrics{nan, nan, nan, nan, 0};
  }
  res.potential = std::move(pot);
  res.wall_seconds = elapsed();
  return res;
}

}  // namespace

TrainResult train(const ds::MolecularDataset& data, const TrainOptions& o,
                  const std::function<void(const Progress&)>& progress) {
  if (const std::string why = o.validate(); !why.empty())
    throw std::invalid_argument("chem::train: " + why);
  if (!data.has_forces()) throw std::invalid_argument("chem::train: the data set has no forces");
  std::vector<int> tr, va, te;
  split_frames(data.num_frames(), o.num_train, o.num_validation, o.num_test, o.seed, &tr, &va, &te);
  return train_frames(data, tr, va, te, o, progress);
}

Metrics evaluate(const Potential& pot, const ds::MolecularDataset& data,
                 const std::vector<int>& frames, Eigen::VectorXd* energies, RowMatrixXd* forces,
                 int num_threads) {
  std::vector<int> idx = frames;
  if (idx.empty())
    for (std::int64_t f = 0; f < data.num_frames(); ++f) idx.push_back(static_cast<int>(f));
  for (int f : idx)
    if (f < 0 || f >= data.num_frames())
      throw std::invalid_argument("chem::evaluate: frame index out of range");
  const auto nf = static_cast<Eigen::Index>(idx.size());
  const auto a = data.num_atoms();
  Eigen::VectorXd pe(nf);
  RowMatrixXd pf(nf, 3 * a);
  const int threads = core::resolve_threads(num_threads);
  // An unknown element throws here, not inside the parallel region (where it would terminate).
  (void)pot.element_indices(
      std::vector<int>(data.atomic_numbers.begin(), data.atomic_numbers.end()));
#pragma omp parallel num_threads(threads)
  {
    Calculator calc(pot);
    RowMatrixXd f;
#pragma omp for schedule(dynamic)
    for (Eigen::Index k = 0; k < nf; ++k) {
      pe[k] = calc.compute(structure_of(data, idx[static_cast<std::size_t>(k)]), f);
      pf.row(k) = Eigen::Map<const Eigen::RowVectorXd>(f.data(), 3 * a);
    }
  }
  Eigen::VectorXd de(nf), df;
  for (Eigen::Index k = 0; k < nf; ++k)
    de[k] = pe[k] - data.energies[idx[static_cast<std::size_t>(k)]];
  if (data.has_forces()) {
    df.resize(nf * 3 * a);
    for (Eigen::Index k = 0; k < nf; ++k)
      df.segment(k * 3 * a, 3 * a) =
          (pf.row(k) - data.forces.row(idx[static_cast<std::size_t>(k)])).transpose();
  }
  if (energies) *energies = pe;
  if (forces) *forces = pf;
  return metrics_of(de, df);
}

// ---- clipping study ----

std::string StudyOptions::validate() const {
  if (seeds.empty()) return "at least one seed";
  if (num_md_train < 1 || num_contacts_train < 0 || num_test < 1)
    return "frame counts must be >= 1";
  if (epochs < 1) return "epochs must be >= 1";
  if (!(lr > 0) || !(clip_value > 0) || !(update_fraction > 0))
    return "lr, clip_value and update_fraction must be > 0";
  return "";
}

StudyResult clipping_study(const ds::MolecularDataset& md, const ds::MolecularDataset& contacts,
                           const StudyOptions& so,
                           const std::function<void(const std::string&)>& progress) {
  if (const std::string why = so.validate(); !why.empty())
    throw std::invalid_argument("chem::clipping_study: " + why);
  if (md.atomic_numbers != contacts.atomic_numbers)
    throw std::invalid_argument(
        "chem::clipping_study: the MD and close-contact sets hold different molecules");
  if (!md.has_forces() || !contacts.has_forces())
    throw std::invalid_argument("chem::clipping_study: both data sets need forces");
  if (so.num_md_train + so.num_test > md.num_frames() ||
      so.num_contacts_train > contacts.num_frames())
    throw std::invalid_argument("chem::clipping_study: not enough frames");
  // One data set: the MD frames, then the close contacts.
  ds::MolecularDataset all;
  all.atomic_numbers = md.atomic_numbers;
  const auto nm = md.num_frames(), nc = contacts.num_frames();
  all.positions.resize(nm + nc, md.positions.cols());
  all.positions << md.positions, contacts.positions;
  all.forces.resize(nm + nc, md.forces.cols());
  all.forces << md.forces, contacts.forces;
  all.energies.resize(nm + nc);
  all.energies << md.energies, contacts.energies;
  StudyResult out;
  const char* methods[] = {"none", "clip-grad", "clip-update", "huber"};
  // Every run trains the same network shape; clip-update's threshold is a fraction of lr·√P.
  TrainOptions base;
  base.network.hidden = {16, 16};
  const Potential shape(standard_descriptor_set(all.atomic_numbers, base.descriptors),
                        base.network);
  const double update_clip =
      so.update_fraction * so.lr * std::sqrt(static_cast<double>(shape.num_parameters()));
  for (std::uint64_t seed : so.seeds) {
    std::vector<int> tr, va, te, ctr, cva, cte;
    split_frames(nm, so.num_md_train, 0, so.num_test, seed, &tr, &va, &te);
    split_frames(nc, so.num_contacts_train, 0, 0, seed + 1000, &ctr, &cva, &cte);
    for (int c : ctr) tr.push_back(static_cast<int>(nm) + c);
    for (int m = 0; m < 4; ++m) {
      TrainOptions o = base;
      o.seed = seed;
      o.epochs = so.epochs;
      o.set_lr(so.lr);
      o.schedule = "constant";  // the study is about the raw step
      o.batch_size = 8;
      o.energy_weight_start = o.energy_weight_limit = 1.0;
      o.force_weight_start = o.force_weight_limit = 10.0;
      o.num_threads = so.num_threads;
      if (m == 1) o.clip = ClipMode::kGradNorm;
      if (m == 2) o.clip = ClipMode::kUpdateNorm;
      o.clip_value = m == 2 ? update_clip : so.clip_value;
      if (m == 3) o.huber = true;
      if (progress) progress(std::string(methods[m]) + " seed " + std::to_string(seed));
      TrainResult r = train_frames(all, tr, {}, te, o, {});
      StudyRow row;
      row.method = methods[m];
      row.seed = seed;
      row.diverged = r.diverged;
      row.epochs_run = r.epochs_run;
      const Eigen::VectorXd& loss = r.curve.column("loss");
      row.final_loss = loss.size() ? loss[loss.size() - 1] : std::nan("");
      row.test = r.test;
      Eigen::VectorXd curve = Eigen::VectorXd::Constant(so.epochs, std::nan(""));
      curve.head(loss.size()) = loss;
      out.curves.add(std::string(methods[m]) + "_seed" + std::to_string(seed), curve);
      out.rows.push_back(row);
    }
  }
  Eigen::VectorXd ep(so.epochs);
  for (int e = 0; e < so.epochs; ++e) ep[e] = e + 1;
  out.curves.names.insert(out.curves.names.begin(), "epoch");
  out.curves.columns.insert(out.curves.columns.begin(), ep);
  return out;
}

namespace {
int method_index(const std::string& m) {
  const char* methods[] = {"none", "clip-grad", "clip-update", "huber"};
  for (int i = 0; i < 4; ++i)
    if (m == methods[i]) return i;
  return -1;
}
}  // namespace

ds::Table StudyResult::table() const {
  ds::Table t;
  const auto n = static_cast<Eigen::Index>(rows.size());
  Eigen::VectorXd mi(n), sd(n), dv(n), ep(n), fl(n), em(n), fm(n), er(n), fr(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const StudyRow& r = rows[static_cast<std::size_t>(i)];
    mi[i] = method_index(r.method);
    sd[i] = static_cast<double>(r.seed);
    dv[i] = r.diverged;
    ep[i] = r.epochs_run;
    fl[i] = r.final_loss;
    em[i] = r.test.energy_mae * 1e3;
    fm[i] = r.test.force_mae * 1e3;
    er[i] = r.test.energy_rmse * 1e3;
    fr[i] = r.test.force_rmse * 1e3;
  }
  t.add("method", mi);
  t.add("seed", sd);
  t.add("diverged", dv);
  t.add("epochs_run", ep);
  t.add("final_loss", fl);
  t.add("energy_mae_meV", em);
  t.add("force_mae_meV_per_A", fm);
  t.add("energy_rmse_meV", er);
  t.add("force_rmse_meV_per_A", fr);
  t.metadata["methods"] = ds::AttrValue::string("0 none, 1 clip-grad, 2 clip-update, 3 huber");
  return t;
}

std::string StudyResult::report() const {
  std::ostringstream os;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s %5s %9s %14s %16s %12s\n", "method", "runs", "diverged",
                "E MAE (meV)", "F MAE (meV/A)", "final loss");
  os << buf;
  for (const char* m : {"none", "clip-grad", "clip-update", "huber"}) {
    int runs = 0, div = 0, ok = 0;
    double em = 0, fm = 0, fl = 0;
    for (const auto& r : rows) {
      if (r.method != m) continue;
      ++runs;
      if (r.diverged) {
        ++div;
        continue;
      }
      ++ok;
      em += r.test.energy_mae * 1e3;
      fm += r.test.force_mae * 1e3;
      fl += r.final_loss;
    }
    if (runs == 0) continue;
    const double nan = std::nan("");
    std::snprintf(buf, sizeof buf, "%-12s %5d %9d %14.1f %16.1f %12.4g\n", m, runs, div,
                  ok ? em / ok : nan, ok ? fm / ok : nan, ok ? fl / ok : nan);
    os << buf;
  }
  return os.str();
}

}  // namespace adamant::chem
