#pragma once
// adamant::lab: what the literature says Adam does, each claim an experiment on the core
// optimizers (float64, seeded, a few seconds at most) with a table, a figure, an HDF5 file and
// checks that turn the claim into numbers: a check fails when the behaviour is not there.
// docs/lab.md says for each where the claim comes from and what the numbers show.
//
//   const lab::Result r = lab::find("sign_step").run();
//   for (const lab::Check& c : r.checks) ... c.passed() ...
//   lab::write_result("sign_step.h5", r);   // schema "lab"
//   lab::find("sign_step").plot(r, "sign_step.png");

#include <string>
#include <utility>
#include <vector>

#include "adamant/datasets/schema.hpp"

namespace adamant::lab {

/// One quantitative assertion: `value` `relation` `bound`, e.g. "max |step/α − 1| <= 1e-12".
struct Check {
  std::string what;
  double value = 0;
  std::string relation;  ///< "<=" or ">="
  double bound = 0;
  bool passed() const;
  /// "what: value <= bound  ok" / "... FAILED".
  std::string describe() const;
};

/// What an experiment measured.
struct Result {
  std::string name, title, claim, source;
  /// The printed table, one line each (header first).
  std::vector<std::string> table;
  /// The data behind the table and the figure: (group, table) pairs, written as they are.
  std::vector<std::pair<std::string, datasets::Table>> data;
  std::vector<Check> checks;
  bool passed() const;
  /// The table of `group`; throws std::out_of_range naming it when absent.
  const datasets::Table& group(const std::string& g) const;
};

struct Experiment {
  const char* name;
  const char* title;
  Result (*run)();
  /// Draws the result's figure (a PNG, written atomically).
  void (*plot)(const Result& r, const std::string& png);
};

/// Every experiment, in the order of docs/lab.md.
const std::vector<Experiment>& experiments();
/// The experiment called `name`; throws std::invalid_argument listing the names.
const Experiment& find(const std::string& name);

/// Writes a result (schema "lab": attributes name, title, claim, source; a group per data
/// table; /checks with what, value, relation, bound, passed). Atomic.
void write_result(const std::string& path, const Result& r);
/// Reads what write_result wrote; throws datasets::DataError naming the file and object.
Result read_result(const std::string& path);

}  // namespace adamant::lab
