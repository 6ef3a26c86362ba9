// libFuzzer target for adamant's text imports (fuzz/README.md): each input is written to a
// temporary file and read both as a prices CSV (import_prices_csv) and as extended XYZ
// (import_extxyz); whatever import_extxyz accepts is exported again with export_extxyz and must
// import back to the same numbers. Only DataError may reject an input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/import.hpp"
#include "fuzz_common.hpp"

namespace ds = adamant::datasets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const adamant::fuzz::TempFile file(".txt");
  static const adamant::fuzz::TempFile out(".xyz");
  file.write(data, size);
  adamant::fuzz::expect_data_error([&] { (void)ds::import_prices_csv(file.path()); });
  adamant::fuzz::expect_data_error([&] {
    const ds::MolecularDataset d = ds::import_extxyz(file.path());
    ds::export_extxyz(out.path(), d);
    const ds::MolecularDataset e = ds::import_extxyz(out.path());
    if (e.atomic_numbers != d.atomic_numbers || e.positions != d.positions ||
        e.energies != d.energies || e.forces != d.forces)
      adamant::fuzz::fail("export_extxyz -> import_extxyz changed the data");
  });
  return 0;
}
