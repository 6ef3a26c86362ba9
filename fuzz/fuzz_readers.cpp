// libFuzzer target for adamant's HDF5 readers (fuzz/README.md).
//
// Each input is written to a temporary file (HDF5 reads files) and handed to read_prices,
// read_molecules, read_checkpoint<double>, read_checkpoint<float> and describe, inside one
// guarded read (datasets/h5.hpp: a crash of libhdf5 becomes a DataError). A reader may
// reject the input only with DataError; any other exception escapes (libFuzzer reports it as a
// crash: "deadly signal" after std::terminate), and ASan/UBSan report memory errors. After the
// five, no HDF5 identifier may be left open.
//
// Built two ways from this one source: with -fsanitize=fuzzer (clang, ADAMANT_FUZZ=ON) for
// fuzzing, and with fuzz/replay_main.cpp (any compiler) to replay a corpus in ctest.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "fuzz_common.hpp"

namespace ds = adamant::datasets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const adamant::fuzz::TempFile file(".h5");
  file.write(data, size);
  // One guarded read around all five (each is guarded on its own too; nested, they share this
  // one child process, which keeps a fork per input instead of five).
  adamant::fuzz::expect_data_error([&] {
    ds::guarded_read(file.path(), [&] {
      adamant::fuzz::expect_data_error([&] { (void)ds::read_prices(file.path()); });
      adamant::fuzz::expect_data_error([&] { (void)ds::read_molecules(file.path()); });
      adamant::fuzz::expect_data_error([&] { (void)ds::read_checkpoint<double>(file.path()); });
      adamant::fuzz::expect_data_error([&] { (void)ds::read_checkpoint<float>(file.path()); });
      adamant::fuzz::expect_data_error([&] { (void)ds::describe(file.path()); });
    });
  });
  adamant::fuzz::expect_no_open_hdf5_objects();
  return 0;
}
