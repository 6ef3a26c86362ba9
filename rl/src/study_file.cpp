// The variance study's file (study.hpp, schema "rl_study"): writer, reader, and its summary for
// `adamant data info`.

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/rl/study.hpp"

namespace adamant::rl {

namespace ds = adamant::datasets;

namespace {

constexpr const char* kSchema = "rl_study";

StudyFile read(const ds::Reader& r) {
  if (ds::schema_of(r) != kSchema) {
    r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) + "', expected '" + kSchema +
                    "' (a study written by 'adamant rl study')");
  }
  StudyFile f;
  f.study = ds::read_table(r, "study");
  f.curves = ds::read_table(r, "curves");
  if (f.study.metadata.count("configurations") == 0)
    r.fail("/study", "has no attribute configurations");
  f.configurations = ds::split_names(f.study.metadata.at("configurations").s);
  if (static_cast<std::int64_t>(f.configurations.size()) != f.study.rows()) {
    r.fail("/study", "lists " + std::to_string(f.configurations.size()) +
                         " configurations but has " + std::to_string(f.study.rows()) + " rows");
  }
  StudyConfig& c = f.config;
  c.env_id = r.attr_string("config", "env_id");
  c.seeds = static_cast<int>(r.attr_int("config", "seeds"));
  c.first_seed = static_cast<std::uint64_t>(r.attr_int("config", "first_seed"));
  c.total_steps = r.attr_int("config", "total_steps");
  c.episodes_per_update = static_cast<int>(r.attr_int("config", "episodes_per_update"));
  c.gamma = r.attr_double("config", "gamma");
  c.sgd_lr = r.attr_double("config", "sgd_lr");
  c.adam_lr = r.attr_double("config", "adam_lr");
  c.vf_coef = r.attr_double("config", "vf_coef");
  c.probe_every = static_cast<int>(r.attr_int("config", "probe_every"));
  c.probe_batches = static_cast<int>(r.attr_int("config", "probe_batches"));
  c.curve_points = static_cast<int>(r.attr_int("config", "curve_points"));
  c.hidden.clear();
  for (std::int64_t h : r.read_i64("config/hidden", {ds::kAnyExtent}))
    c.hidden.push_back(static_cast<int>(h));
  if (const std::string why = c.validate(); !why.empty()) r.fail("config", why);
  return f;
}

// `adamant data info`'s summary (datasets/schema.hpp).
[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary(kSchema, [](const std::string&, const ds::Reader& r) {
      const StudyFile f = read(r);
      std::ostringstream os;
      os << "rl_study: REINFORCE on " << f.config.env_id << ", " << f.configurations.size()
         << " configurations × " << f.config.seeds << " seeds, " << f.config.total_steps
         << " steps per run";
      const Eigen::VectorXd& mean = f.study.column("final_return_mean");
      const Eigen::VectorXd& rel = f.study.column("relative_update_variance");
      for (std::size_t i = 0; i < f.configurations.size(); ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        os << "\n  " << f.configurations[i] << ": final return " << ds::summary_number(mean[k])
           << ", tr Cov[d]/|d|^2 " << ds::summary_number(rel[k]);
      }
      return os.str();
    });

}  // namespace

void write_study(const std::string& path, const StudyResult& result) {
  const StudyConfig& s = result.config;
  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  ds::write_table(w, "study", result.table());
  ds::write_table(w, "curves", result.curves());
  w.group("config");
  w.attr("config", "env_id", s.env_id);
  w.attr("config", "seeds", s.seeds);
  w.attr("config", "first_seed", static_cast<std::int64_t>(s.first_seed));
  w.attr("config", "total_steps", s.total_steps);
  w.attr("config", "episodes_per_update", s.episodes_per_update);
  w.attr("config", "gamma", s.gamma);
  w.attr("config", "sgd_lr", s.sgd_lr);
  w.attr("config", "adam_lr", s.adam_lr);
  w.attr("config", "vf_coef", s.vf_coef);
  w.attr("config", "probe_every", s.probe_every);
  w.attr("config", "probe_batches", s.probe_batches);
  w.attr("config", "curve_points", s.curve_points);
  const std::vector<std::int64_t> hidden(s.hidden.begin(), s.hidden.end());
  w.write("config/hidden", hidden.data(), {static_cast<std::int64_t>(hidden.size())});
  w.commit();
}

StudyFile read_study(const std::string& path) {
  return ds::guarded_read(path, [&]() -> StudyFile {
    ds::Reader r(path);
    return read(r);
  });
}

}  // namespace adamant::rl
