// `adamant data`: inspect adamant HDF5 files and convert between them and text formats.
//
//   adamant data info FILE                          what a file holds (datasets::describe)
//   adamant data import-prices CSV -o OUT.h5        a date,TICKER,... CSV → prices schema
//   adamant data import-xyz XYZ -o OUT.h5           extended XYZ (ASE) → molecules schema
//   adamant data export-xyz IN.h5 -o OUT.xyz        molecules schema → extended XYZ
//   adamant data convert IN.h5 -o OUT.h5            a prices/molecules file (e.g. one written by
//                                                   h5py without schema attributes) rewritten
//                                                   in the adamant schema, validated, compressed
//
// Every write is atomic (a temporary file renamed into place); errors name the file and exit 1.

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/import.hpp"
#include "adamant/datasets/schema.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

namespace ds = adamant::datasets;

std::string output(Args& args, const std::string& what) {
  return args.str("output", "", "the file to write (" + what + "); required", 'o');
}

void require_output(const std::string& out, const std::string& what) {
  if (out.empty()) throw UsageError("missing -o " + what);
}

std::string shape_of(const ds::PricePanel& p) {
  return "prices, " + std::to_string(p.dates.size()) + " dates x " +
         std::to_string(p.tickers.size()) + " tickers, " + p.dates.front() + " to " +
         p.dates.back();
}

std::string shape_of(const ds::MolecularDataset& d) {
  return "molecules, " + std::to_string(d.num_frames()) + " frames x " +
         std::to_string(d.num_atoms()) + " atoms" + (d.has_forces() ? ", with forces" : "");
}

int info(Args& args) {
  const std::string file = args.positional("FILE", "an HDF5 file");
  if (args.help()) {
    std::cout << args.usage(
        "Prints what FILE holds: its schema (prices, molecules, checkpoint, ...), every group\n"
        "and dataset with shape and dtype, the attributes, and a summary for known schemas.\n"
        "Exits 1 when a file of a known schema breaks its rules (the summary says INVALID), so\n"
        "scripts can use it to validate a file.");
    return 0;
  }
  args.finish();
  std::string invalid;
  std::cout << ds::describe(file, &invalid);
  if (invalid.empty()) return 0;
  std::cerr << "adamant data: error: " << invalid << "\n";
  return 1;
}

int import_prices(Args& args) {
  const std::string csv = args.positional("CSV", "prices: a header date,TICKER,... then rows");
  const std::string out = output(args, "OUT.h5");
  const std::string source =
      args.str("source", "", "metadata 'source' (default: the CSV's file name)");
  const std::string licence = args.str("licence", "", "metadata 'licence' (default: none)");
  if (args.help()) {
    std::cout << args.usage(
        "Imports daily prices from CSV into the adamant prices schema (dates, tickers,\n"
        "prices (T, N) float64). A header `date,TICKER1,TICKER2,...`, then one row per date\n"
        "(YYYY-MM-DD, strictly increasing); an empty cell, NaN, NA or null is a missing price.");
    return 0;
  }
  args.finish();
  require_output(out, "OUT.h5");
  ds::PricePanel panel = ds::import_prices_csv(csv);
  if (!source.empty()) panel.metadata["source"] = source;
  if (!licence.empty()) panel.metadata["licence"] = licence;
  ds::write_prices(out, panel);
  std::cout << "wrote " << out << ": " << shape_of(panel) << "\n";
  return 0;
}

int import_xyz(Args& args) {
  const std::string xyz = args.positional("XYZ", "extended XYZ with energy= and forces (ASE)");
  const std::string out = output(args, "OUT.h5");
  const std::string method = args.str("method", "", "metadata 'method', e.g. GFN2-xTB");
  const std::string source =
      args.str("source", "", "metadata 'source' (default: the XYZ's file name)");
  if (args.help()) {
    std::cout << args.usage(
        "Imports an extended XYZ file (as ase.io.write(..., format='extxyz') writes it: energy=\n"
        "in each comment line, Properties=species:S:1:pos:R:3[:forces:R:3]) into the molecules\n"
        "schema. Every frame must hold the same atoms in the same order; comment-line keys with\n"
        "the same value in every frame are kept as metadata.");
    return 0;
  }
  args.finish();
  require_output(out, "OUT.h5");
  ds::MolecularDataset data = ds::import_extxyz(xyz);
  if (!method.empty()) data.metadata["method"] = ds::AttrValue::string(method);
  if (!source.empty()) data.metadata["source"] = ds::AttrValue::string(source);
  ds::write_molecules(out, data);
  std::cout << "wrote " << out << ": " << shape_of(data) << "\n";
  return 0;
}

int export_xyz(Args& args) {
  const std::string in = args.positional("IN.h5", "a molecules file");
  const std::string out = output(args, "OUT.xyz");
  if (args.help()) {
    std::cout << args.usage(
        "Exports a molecules file as extended XYZ (energy, forces and metadata in the comment\n"
        "lines, numbers in shortest round-trip form), readable by ase.io.read(..., ':').");
    return 0;
  }
  args.finish();
  require_output(out, "OUT.xyz");
  const ds::MolecularDataset data = ds::read_molecules(in);
  ds::export_extxyz(out, data);
  std::cout << "wrote " << out << ": " << shape_of(data) << "\n";
  return 0;
}

int convert(Args& args) {
  const std::string in = args.positional("IN.h5", "a prices or molecules file");
  const std::string out = output(args, "OUT.h5");
  std::string schema =
      args.str("schema", "auto", "prices, molecules, or auto (from the file's contents)");
  const std::string source = args.str("source", "", "metadata 'source' (default: kept)");
  if (args.help()) {
    std::cout << args.usage(
        "Reads a prices or molecules file (one written by h5py with the documented layout but\n"
        "without the adamant_schema attributes is fine), validates it and writes it in the\n"
        "adamant schema (schema attributes, compressed datasets), keeping its metadata.");
    return 0;
  }
  args.finish();
  require_output(out, "OUT.h5");
  if (schema == "auto") {
    schema = ds::guarded_read(in, [&] {
      const ds::Reader r(in);
      const std::string s = ds::schema_of(r);
      if (!s.empty()) return s;
      if (r.has("atomic_numbers") && r.has("positions")) return std::string("molecules");
      if (r.has("prices") && r.has("tickers")) return std::string("prices");
      r.fail("/",
             "cannot tell the schema (no adamant_schema attribute, neither atomic_numbers + "
             "positions nor prices + tickers); pass --schema");
    });
  }
  if (schema == "prices") {
    ds::PricePanel panel = ds::read_prices(in);
    if (!source.empty()) panel.metadata["source"] = source;
    ds::write_prices(out, panel);
    std::cout << "wrote " << out << ": " << shape_of(panel) << "\n";
  } else if (schema == "molecules") {
    ds::MolecularDataset data = ds::read_molecules(in);
    if (!source.empty()) data.metadata["source"] = ds::AttrValue::string(source);
    ds::write_molecules(out, data);
    std::cout << "wrote " << out << ": " << shape_of(data) << "\n";
  } else {
    throw UsageError("convert handles the prices and molecules schemas, not '" + schema + "'");
  }
  return 0;
}

const std::vector<Action>& actions() {
  static const std::vector<Action> all = {
      {"info", "print what an HDF5 file holds (schema, datasets, attributes)", info},
      {"import-prices", "CSV of daily prices -> prices schema", import_prices},
      {"import-xyz", "extended XYZ (ASE) -> molecules schema", import_xyz},
      {"export-xyz", "molecules schema -> extended XYZ (ASE-readable)", export_xyz},
      {"convert", "rewrite a prices/molecules file in the adamant schema", convert},
  };
  return all;
}

}  // namespace

int run_data(Args& args) { return run_action(args, "data", actions()); }

}  // namespace adamant::cli
