// Guarded reads (h5.hpp): a read runs first in a child process, then here; a crash of libhdf5 on
// a corrupt file becomes a DataError naming the file and the object. The crash reproducers the
// fuzzers found (tests/data/hdf5_crashes, fuzz/README.md) are read by every reader here.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "datasets_test_util.hpp"

namespace ad = adamant::datasets;
namespace fs = std::filesystem;
using adamant::datasets::testing::TempDirTest;

namespace {

class GuardedRead : public TempDirTest {
 protected:
  /// Appends this process's id to `log` (one line per call).
  static void note_pid(const std::string& log) {
    std::ofstream(log, std::ios::app) << ::getpid() << "\n";
  }
  static std::vector<std::string> lines(const std::string& log) {
    std::vector<std::string> out;
    std::ifstream in(log);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
};

TEST_F(GuardedRead, ReturnsTheResultOfTheReadRunInThisProcessAfterTheChild) {
  const std::string log = path("pids.txt");
  const int v = ad::guarded_read(path("x.h5"), [&] {
    note_pid(log);
    return 42;
  });
  EXPECT_EQ(v, 42);
  const auto pids = lines(log);
  ASSERT_EQ(pids.size(), 2u);  // the child's run, then this process's
  EXPECT_NE(pids[0], std::to_string(::getpid()));
  EXPECT_EQ(pids[1], std::to_string(::getpid()));
}

TEST_F(GuardedRead, ExceptionsComeFromTheReadInThisProcessWithTheirOwnType) {
  EXPECT_THROW(ad::guarded_read(path("x.h5"), []() -> int { throw ad::DataError("f", "o", "m"); }),
               ad::DataError);
  EXPECT_THROW(
      ad::guarded_read(path("x.h5"), []() -> int { throw std::invalid_argument("not data"); }),
      std::invalid_argument);
}

TEST_F(GuardedRead, NestedReadsShareTheOuterReadsChild) {
  const std::string log = path("pids.txt");
  ad::guarded_read(path("x.h5"), [&] {
    note_pid(log);
    ad::guarded_read(path("y.h5"), [&] { note_pid(log); });
  });
  const auto pids = lines(log);
  ASSERT_EQ(pids.size(), 4u);  // outer + nested in the child, outer + nested here: no second fork
  EXPECT_EQ(pids[0], pids[1]);
  EXPECT_EQ(pids[2], pids[3]);
  EXPECT_EQ(std::set<std::string>(pids.begin(), pids.end()).size(), 2u);
}

TEST_F(GuardedRead, AChildThatDiesOutsideLibhdf5IsNotTakenForACorruptFile) {
  // No Reader call was running: the fault is adamant's own, and rehearse() leaves it to the read
  // in this process to show (here: nothing to show, the fault is only in the dry run).
  EXPECT_NO_THROW(ad::detail::rehearse(path("x.h5"), [] { std::abort(); }));
}

TEST_F(GuardedRead, CanBeSwitchedOffForDebugging) {
  const std::string log = path("pids.txt");
  ::setenv("ADAMANT_HDF5_GUARD", "0", 1);
  ad::guarded_read(path("x.h5"), [&] { note_pid(log); });
  ::unsetenv("ADAMANT_HDF5_GUARD");
  EXPECT_EQ(lines(log).size(), 1u);
}

const fs::path kCrashes = fs::path(ADAMANT_TEST_DATA_DIR) / "hdf5_crashes";

std::vector<std::string> crash_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kCrashes))
    if (e.path().extension() == ".h5") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// Sets ADAMANT_HDF5_GUARD_TIMEOUT for one test (a reproducer makes libhdf5 loop).
struct GuardTimeout {
  explicit GuardTimeout(const char* seconds) { ::setenv("ADAMANT_HDF5_GUARD_TIMEOUT", seconds, 1); }
  ~GuardTimeout() { ::unsetenv("ADAMANT_HDF5_GUARD_TIMEOUT"); }
};

TEST(GuardedReadCrashes, ALoopInLibhdf5IsCutOffAfterTheTimeout) {
  const GuardTimeout timeout("1");
  const std::string f = (kCrashes / "gheap_loop_attr_read.h5").string();
  try {
    (void)ad::read_prices(f);
    ADD_FAILURE() << "no DataError";
  } catch (const ad::DataError& e) {
    EXPECT_EQ(e.file(), f);
    EXPECT_EQ(e.object(), "/");
    EXPECT_NE(std::string(e.what()).find("attribute 'adamant_schema': reading it made no progress "
                                         "for 1 s"),
              std::string::npos)
        << e.what();
  }
  ::setenv("ADAMANT_HDF5_GUARD_TIMEOUT", "soon", 1);
  EXPECT_THROW((void)ad::read_prices(f), std::invalid_argument);
}

TEST(GuardedReadCrashes, EveryReaderTurnsEveryReproducerIntoADataErrorNamingTheFile) {
  const GuardTimeout timeout("1");
  const auto files = crash_files();
  ASSERT_GE(files.size(), 5u);
  int contained = 0;  // how many reached a crash of libhdf5 in this build
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    for (auto read : {+[](const std::string& p) { (void)ad::read_prices(p); },
                      +[](const std::string& p) { (void)ad::read_molecules(p); },
                      +[](const std::string& p) { (void)ad::read_checkpoint<double>(p); },
                      +[](const std::string& p) { (void)ad::read_table(p); },
                      +[](const std::string& p) { (void)ad::read_model(p); },
                      +[](const std::string& p) { (void)ad::describe(p); }}) {
      try {
        read(f);
      } catch (const ad::DataError& e) {
        EXPECT_EQ(e.file(), f);
        const std::string m = e.what();
        if (m.find("the HDF5 library crashed reading it") != std::string::npos) {
          ++contained;
          EXPECT_FALSE(e.object().empty()) << m;
          EXPECT_EQ(e.object().front(), '/') << m;
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not a DataError: " << e.what();
      }
    }
  }
  // Each file was kept because libhdf5 crashed on it in the fuzz build; most crash in any build.
  EXPECT_GE(contained, 1);
}

}  // namespace
