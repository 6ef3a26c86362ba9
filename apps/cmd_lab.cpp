// `adamant lab`: claims the literature makes about Adam, each an experiment with a table, a
// figure and checks (adamant::lab, docs/lab.md).

#include <chrono>
#include <cstdio>
#include <iostream>

#include "adamant/lab/lab.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

// Runs one experiment: prints its claim, table and checks, writes its files; true when every
// check passed.
bool run_one(const lab::Experiment& e, const std::string& file, const std::string& dir,
             bool no_save) {
  const auto t0 = std::chrono::steady_clock::now();
  const lab::Result r = e.run();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("== %s: %s\n\nclaim (%s):\n  %s\n\n", r.name.c_str(), r.title.c_str(),
              r.source.c_str(), r.claim.c_str());
  for (const std::string& l : r.table) std::printf("%s\n", l.c_str());
  std::printf("\nchecks:\n");
  for (const lab::Check& c : r.checks) std::printf("  %s\n", c.describe().c_str());
  std::printf("%s in %.2f s\n", r.passed() ? "all checks passed" : "SOME CHECKS FAILED", secs);
  const Output out = output_paths(file, dir, "lab_" + r.name, no_save);
  if (!out.h5.empty()) {
    lab::write_result(out.h5, r);
    e.plot(r, out.png);
    std::printf("wrote %s and %s\n", out.h5.c_str(), out.png.c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
  return r.passed();
}

}  // namespace

int run_lab(Args& args) {
  const std::string name = args.action();
  const bool list = args.flag("list", "list the experiments and exit");
  const std::string file = args.str("output", "", "write FILE.h5 and FILE.png beside it", 'o');
  const std::string dir = args.str("out", "", "write DIR/lab_<name>.h5 and its PNG");
  const bool no_save = args.flag("no-save", "write no files");
  if (args.help()) {
    std::string names;
    for (const lab::Experiment& e : lab::experiments())
      names += "\n  " + std::string(e.name) + std::string(18 - std::string(e.name).size(), ' ') +
               e.title;
    std::cout << args.usage(
        "adamant lab NAME | all | --list\n\n"
        "Runs an experiment that turns a claim about Adam into numbers (docs/lab.md): prints\n"
        "the claim and its source, a table and the checks (exit status 1 when one fails), and\n"
        "writes lab_<name>.h5 (schema 'lab': the data, the checks) and lab_<name>.png. 'all'\n"
        "runs every experiment (with --out DIR). Experiments:" +
        names);
    return 0;
  }
  args.finish();
  if (list) {
    for (const lab::Experiment& e : lab::experiments()) std::printf("%-18s %s\n", e.name, e.title);
    return 0;
  }
  if (name.empty()) throw UsageError("name an experiment (adamant lab --list shows them) or 'all'");
  if (name == "all") {
    if (!file.empty()) throw UsageError("'all' writes one file per experiment: use --out DIR");
    bool ok = true;
    for (const lab::Experiment& e : lab::experiments()) ok = run_one(e, "", dir, no_save) && ok;
    return ok ? 0 : 1;
  }
  const lab::Experiment* e = nullptr;
  try {
    e = &lab::find(name);
  } catch (const std::invalid_argument& ex) {
    throw UsageError(ex.what());
  }
  return run_one(*e, file, dir, no_save) ? 0 : 1;
}

}  // namespace adamant::cli
