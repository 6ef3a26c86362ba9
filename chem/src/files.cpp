// The files chem's commands write (train.hpp, md.hpp; docs/schema.md): the fitted model with its
// learning curve, the MD trajectory with its energies, and the clipping study ("chem_study", with
// its `adamant data info` summary).

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "adamant/chem/md.hpp"
#include "adamant/chem/train.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"

namespace adamant::chem {

namespace ds = adamant::datasets;

namespace {

constexpr const char* kStudySchema = "chem_study";

// "runs/model.h5" → "runs/model" + suffix.
std::string beside(const std::string& h5_path, const std::string& suffix) {
  const bool h5 = h5_path.size() > 3 && h5_path.compare(h5_path.size() - 3, 3, ".h5") == 0;
  return (h5 ? h5_path.substr(0, h5_path.size() - 3) : h5_path) + suffix;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

StudyFile read_study_file(const ds::Reader& r) {
  if (ds::schema_of(r) != kStudySchema) {
    r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) + "', expected '" +
                    kStudySchema + "' (a study written by 'adamant chem study')");
  }
  StudyFile f;
  f.study = ds::read_table(r, "study");
  f.curves = ds::read_table(r, "curves");
  for (const char* c : {"method", "seed", "diverged", "energy_mae_meV", "force_mae_meV_per_A"}) {
    bool found = false;
    for (const std::string& n : f.study.names) found = found || n == c;
    if (!found) r.fail("/study", std::string("has no column ") + c);
  }
  return f;
}

// `adamant data info`'s summary (datasets/schema.hpp).
[[maybe_unused]] const bool kStudySummaryRegistered =
    ds::register_schema_summary(kStudySchema, [](const std::string&, const ds::Reader& r) {
      const StudyFile f = read_study_file(r);
      static const char* const kMethods[4] = {"none", "clip-grad", "clip-update", "huber"};
      std::ostringstream os;
      os << "chem_study: " << f.study.rows() << " runs, " << f.curves.rows() << " epochs";
      const Eigen::VectorXd& method = f.study.column("method");
      const Eigen::VectorXd& diverged = f.study.column("diverged");
      const Eigen::VectorXd& fmae = f.study.column("force_mae_meV_per_A");
      for (int m = 0; m < 4; ++m) {
        int runs = 0, div = 0, ok = 0;
        double sum = 0;
        for (Eigen::Index i = 0; i < method.size(); ++i) {
          if (method[i] != m) continue;
          ++runs;
          if (diverged[i] != 0) {
            ++div;
          } else {
            ++ok;
            sum += fmae[i];
          }
        }
        if (runs == 0) continue;
        os << "\n  " << kMethods[m] << ": " << runs << (runs == 1 ? " run, " : " runs, ") << div
           << " diverged";
        if (ok > 0) os << ", force MAE " << ds::summary_number(sum / ok) << " meV/Å";
      }
      return os.str();
    });

}  // namespace

std::string save_fit(const std::string& h5_path, const TrainResult& r, const TrainOptions& o,
                     const std::string& data_path) {
  save_potential(h5_path, r.potential,
                 {{"data", data_path},
                  {"options", o.describe()},
                  {"test_energy_mae_meV", number(1e3 * r.test.energy_mae)},
                  {"test_force_mae_meV_per_A", number(1e3 * r.test.force_mae)}});
  const std::string curve = beside(h5_path, "_curve.h5");
  ds::write_table(curve, r.curve, "curve");
  return curve;
}

std::vector<std::string> write_md(const std::string& h5_path, const MdResult& r,
                                  const std::string& method) {
  std::vector<std::string> written;
  ds::MolecularDataset traj = r.trajectory;
  traj.metadata["method"] = ds::AttrValue::string(method);
  if (traj.validate().empty()) {
    ds::write_molecules(h5_path, traj);
    written.push_back(h5_path);
  }
  ds::Table t;
  t.add("time_fs", r.time);
  t.add("potential", r.potential);
  t.add("kinetic", r.kinetic);
  t.add("total", r.total);
  t.add("temperature", r.temperature);
  const std::string energies = beside(h5_path, "_energies.h5");
  ds::write_table(energies, t, "energies");
  written.push_back(energies);
  return written;
}

void write_study(const std::string& path, const StudyResult& result) {
  ds::Writer w(path);
  ds::write_schema(w, kStudySchema);
  ds::write_table(w, "study", result.table());
  ds::write_table(w, "curves", result.curves);
  w.commit();
}

StudyFile read_study(const std::string& path) {
  return ds::guarded_read(path, [&]() -> StudyFile {
    ds::Reader r(path);
    return read_study_file(r);
  });
}

}  // namespace adamant::chem
