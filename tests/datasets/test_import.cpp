// Text imports (import.hpp): CSV prices and extended XYZ, their error messages (file, line,
// column / frame), the element table and the extended-XYZ export round trip. Inputs are written
// to a temporary directory by each test, next to the expectations they feed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/import.hpp"

namespace ad = adamant::datasets;
namespace fs = std::filesystem;

namespace {

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("adamant_import_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& text) const {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

/// The message of the DataError `f` throws ("" when it throws nothing).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ad::DataError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR(expr, text)                                                  \
  do {                                                                            \
    const std::string msg_ = error_of([&] { (void)(expr); });                     \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: '" << msg_ << "'"; \
  } while (0)

// ---- elements ----

TEST(Elements, AllSymbolsRoundTrip) {
  EXPECT_EQ(ad::atomic_number("H"), 1);
  EXPECT_EQ(ad::atomic_number("C"), 6);
  EXPECT_EQ(ad::atomic_number("Fe"), 26);
  EXPECT_EQ(ad::atomic_number("Og"), 118);
  EXPECT_STREQ(ad::element_symbol(8), "O");
  EXPECT_STREQ(ad::element_symbol(79), "Au");
  for (int z = 1; z <= 118; ++z) EXPECT_EQ(ad::atomic_number(ad::element_symbol(z)), z) << z;
  EXPECT_THROW(ad::atomic_number("Xx"), std::invalid_argument);
  EXPECT_THROW(ad::atomic_number("h"), std::invalid_argument);  // symbols are case-sensitive
  EXPECT_THROW(ad::atomic_number(""), std::invalid_argument);
  EXPECT_THROW(ad::element_symbol(0), std::invalid_argument);
  EXPECT_THROW(ad::element_symbol(119), std::invalid_argument);
}

// ---- CSV prices ----

TEST_F(ImportTest, PricesWithMissingCells) {
  const std::string p = file("p.csv",
                             "\xEF\xBB\xBF"
                             "date,AAA,\"B,B\",CCC\r\n"
                             "1990-01-02,1.5,,2\r\n"
                             "1990-01-03, 1.25 ,NaN,NA\r\n"
                             "\r\n"
                             "1990-01-04,1e1,null,+3.5\r\n");
  const ad::PricePanel panel = ad::import_prices_csv(p);
  ASSERT_EQ(panel.tickers, (std::vector<std::string>{"AAA", "B,B", "CCC"}));
  ASSERT_EQ(panel.dates, (std::vector<std::string>{"1990-01-02", "1990-01-03", "1990-01-04"}));
  ASSERT_EQ(panel.prices.rows(), 3);
  ASSERT_EQ(panel.prices.cols(), 3);
  EXPECT_EQ(panel.prices(0, 0), 1.5);
  EXPECT_TRUE(std::isnan(panel.prices(0, 1)));
  EXPECT_EQ(panel.prices(0, 2), 2.0);
  EXPECT_EQ(panel.prices(1, 0), 1.25);
  EXPECT_TRUE(std::isnan(panel.prices(1, 1)));
  EXPECT_TRUE(std::isnan(panel.prices(1, 2)));
  EXPECT_EQ(panel.prices(2, 0), 10.0);
  EXPECT_TRUE(std::isnan(panel.prices(2, 1)));
  EXPECT_EQ(panel.prices(2, 2), 3.5);
  EXPECT_EQ(panel.metadata.at("source"), "p.csv");
}

TEST_F(ImportTest, PricesErrorsNameFileLineAndColumn) {
  const std::string head = "date,AAPL,MSFT\n1990-01-02,1,2\n";
  EXPECT_ERROR(ad::import_prices_csv(file("a.csv", head + "1990-01-03,abc,2\n")),
               "a.csv:3: column AAPL: 'abc' is not a number");
  EXPECT_ERROR(ad::import_prices_csv(file("b.csv", head + "1990-01-03,1,2x\n")),
               "b.csv:3: column MSFT: '2x' is not a number");
  EXPECT_ERROR(ad::import_prices_csv(file("c.csv", head + "1990-01-02,1,2\n")),
               "c.csv:3: column date: 1990-01-02 does not come after the previous date");
  EXPECT_ERROR(ad::import_prices_csv(file("d.csv", head + "1990-01-01,1,2\n")),
               "d.csv:3: column date");
  EXPECT_ERROR(ad::import_prices_csv(file("e.csv", head + "1990-02-30,1,2\n")),
               "e.csv:3: column date: '1990-02-30' is not a date (YYYY-MM-DD)");
  EXPECT_ERROR(ad::import_prices_csv(file("f.csv", head + "1990-01-03,1\n")),
               "f.csv:3: row: expected 3 fields (date and 2 tickers), found 2");
  EXPECT_ERROR(ad::import_prices_csv(file("g.csv", head + "1990-01-03,-1,2\n")),
               "g.csv:3: column AAPL: price -1 is not positive");
  EXPECT_ERROR(ad::import_prices_csv(file("h.csv", head + "1990-01-03,inf,2\n")),
               "h.csv:3: column AAPL: 'inf' is not finite");
  EXPECT_ERROR(ad::import_prices_csv(file("i.csv", head + "1990-01-03,1e999,2\n")),
               "out of the range");
  EXPECT_ERROR(ad::import_prices_csv(file("j.csv", "date,A,A\n1990-01-02,1,2\n")),
               "j.csv:1: header: ticker 'A' appears twice (columns 2 and 3)");
  EXPECT_ERROR(ad::import_prices_csv(file("k.csv", "day,A\n1990-01-02,1\n")),
               "k.csv:1: header: the first column must be 'date', found 'day'");
  EXPECT_ERROR(ad::import_prices_csv(file("l.csv", "")), "empty");
  EXPECT_ERROR(ad::import_prices_csv(file("m.csv", "date,A\n")), "no rows");
  EXPECT_ERROR(ad::import_prices_csv(file("n.csv", "date,A\n1990-01-02,\"1\n")),
               "n.csv:2: row: unterminated quote");
  EXPECT_ERROR(ad::import_prices_csv(file("o.csv", "date\n1990-01-02\n")), "no ticker columns");
  EXPECT_ERROR(ad::import_prices_csv(path("missing.csv")), "missing.csv");
}

// ---- extended XYZ ----

const char* kTwoFrames =
    "3\n"
    "Properties=species:S:1:pos:R:3:forces:R:3 energy=-10.5 method=\"GFN2-xTB\" seed=7 "
    "pbc=\"F F F\"\n"
    "O 0.0 0.0 0.1 0.5 -0.5 0.25\n"
    "H 0.75 0.0 -0.5 1e-3 0 0\n"
    "H -0.75 0.0 -0.5 0 0 -2\n"
    "3\n"
    "Properties=species:S:1:pos:R:3:forces:R:3 energy=-10.25 method=\"GFN2-xTB\" seed=8 "
    "pbc=\"F F F\"\n"
    "O 0.0 0.0 0.2 0.5 -0.5 0.25\n"
    "H 0.8 0.0 -0.5 1e-3 0 0\n"
    "H -0.8 0.0 -0.5 0 0 -3\n";

TEST_F(ImportTest, ExtxyzFramesEnergiesForcesMetadata) {
  const ad::MolecularDataset d = ad::import_extxyz(file("w.xyz", kTwoFrames));
  ASSERT_EQ(d.num_frames(), 2);
  ASSERT_EQ(d.num_atoms(), 3);
  EXPECT_EQ(d.atomic_numbers, (std::vector<std::int32_t>{8, 1, 1}));
  EXPECT_EQ(d.energies[0], -10.5);
  EXPECT_EQ(d.energies[1], -10.25);
  EXPECT_EQ(d.positions(1, 2), 0.2);
  EXPECT_EQ(d.positions(1, 3), 0.8);
  ASSERT_TRUE(d.has_forces());
  EXPECT_EQ(d.forces(0, 3), 1e-3);
  EXPECT_EQ(d.forces(1, 8), -3.0);
  // Constant info keys become metadata; per-frame ones (seed) do not.
  EXPECT_EQ(d.metadata.at("method").s, "GFN2-xTB");
  EXPECT_EQ(d.metadata.count("seed"), 0u);
  EXPECT_EQ(d.metadata.count("pbc"), 0u);
  EXPECT_EQ(d.metadata.at("source").s, "w.xyz");
}

TEST_F(ImportTest, ExtxyzWithoutForcesAndDefaultProperties) {
  const ad::MolecularDataset d =
      ad::import_extxyz(file("n.xyz", "2\nenergy=1.5\nH 0 0 0\nH 0 0 0.74\n\n"));
  EXPECT_EQ(d.num_frames(), 1);
  EXPECT_FALSE(d.has_forces());
  EXPECT_EQ(d.positions(0, 5), 0.74);
}

TEST_F(ImportTest, ExtxyzExportRoundTripIsExact) {
  ad::MolecularDataset d = ad::import_extxyz(file("w.xyz", kTwoFrames));
  d.positions(0, 0) = 0.1 + 0.2;  // needs 17 digits
  d.forces(1, 4) = -1.0 / 3.0;
  d.energies[1] = -1234.5678901234567;
  const std::string out = path("out.xyz");
  ad::export_extxyz(out, d);
  const ad::MolecularDataset e = ad::import_extxyz(out);
  EXPECT_EQ(e.atomic_numbers, d.atomic_numbers);
  EXPECT_EQ(e.positions, d.positions);
  EXPECT_EQ(e.forces, d.forces);
  EXPECT_EQ(e.energies, d.energies);
  EXPECT_EQ(e.metadata.at("method").s, "GFN2-xTB");
  EXPECT_FALSE(fs::exists(out + ".tmp"));
}

TEST_F(ImportTest, ExtxyzErrorsNameFileLineAndFrame) {
  const std::string f1 = "2\nenergy=1\nH 0 0 0\nH 0 0 1\n";
  EXPECT_ERROR(ad::import_extxyz(file("a.xyz", f1 + "2\nenergy=1\nH 0 0 0\nXx 0 0 1\n")),
               "a.xyz:8: frame 2: atom 2: 'Xx' is not an element symbol");
  EXPECT_ERROR(ad::import_extxyz(file("b.xyz", f1 + "2\nenergy=1\nH 0 0 0\nO 0 0 1\n")),
               "b.xyz:8: frame 2: atom 2: is O, in frame 1 it is H");
  EXPECT_ERROR(ad::import_extxyz(file("c.xyz", f1 + "3\nenergy=1\n")),
               "c.xyz:5: frame 2: has 3 atoms, frame 1 (line 1) has 2");
  EXPECT_ERROR(ad::import_extxyz(file("d.xyz", f1 + "2\npbc=\"F F F\"\nH 0 0 0\nH 0 0 1\n")),
               "d.xyz:6: frame 2: no energy=<eV>");
  EXPECT_ERROR(ad::import_extxyz(file("e.xyz", f1 + "2\nenergy=1\nH 0 0 0\n")),
               "frame 2: the file ends after 1 of 2 atom lines");
  EXPECT_ERROR(ad::import_extxyz(file("f.xyz", f1 + "2\nenergy=1\nH 0 0 0\nH 0 zero 1\n")),
               "f.xyz:8: frame 2: atom 2: position 'zero' is not a finite number");
  EXPECT_ERROR(ad::import_extxyz(file("g.xyz", f1 + "2\nenergy=1\nH 0 0 0\nH 0 0 1 2\n")),
               "g.xyz:8: frame 2: atom 2: expected 4 columns");
  EXPECT_ERROR(ad::import_extxyz(file("h.xyz", "two\n")),
               "h.xyz:1: frame 1: expected the number of atoms");
  EXPECT_ERROR(ad::import_extxyz(file("i.xyz", "1\nenergy=1 pbc=\"T T T\"\nH 0 0 0\n")),
               "i.xyz:2: frame 1: periodic frames");
  EXPECT_ERROR(ad::import_extxyz(file("j.xyz", "1\nenergy=nan\nH 0 0 0\n")),
               "j.xyz:2: frame 1: energy='nan' is not a finite number");
  EXPECT_ERROR(ad::import_extxyz(file("k.xyz", "1\nenergy=1 Properties=species:S:1:pos:R\n")),
               "not a list of name:type:count triples");
  EXPECT_ERROR(ad::import_extxyz(file("l.xyz", f1 + "2\nProperties=species:S:1:pos:R:3:forces:R:3 "
                                                    "energy=1\nH 0 0 0 0 0 0\nH 0 0 1 0 0 0\n")),
               "l.xyz:6: frame 2: has a forces:R:3 column, frame 1 does not");
  EXPECT_ERROR(ad::import_extxyz(file("m.xyz", "1\nenergy=1 method=\"x\nH 0 0 0\n")),
               "m.xyz:2: frame 1: comment line: unterminated quote");
  EXPECT_ERROR(ad::import_extxyz(file("n.xyz", "")), "no frames");
  EXPECT_ERROR(ad::import_extxyz(path("missing.xyz")), "missing.xyz");
}

TEST_F(ImportTest, ExportRejectsInvalidDataAndLeavesNoFile) {
  ad::MolecularDataset d = ad::import_extxyz(file("w.xyz", kTwoFrames));
  d.atomic_numbers[0] = 0;
  const std::string out = path("bad.xyz");
  EXPECT_THROW(ad::export_extxyz(out, d), std::invalid_argument);  // like the schema writers
  EXPECT_FALSE(fs::exists(out));
  EXPECT_THROW(ad::export_extxyz((dir_ / "no" / "such" / "dir.xyz").string(),
                                 ad::import_extxyz(file("w2.xyz", kTwoFrames))),
               ad::DataError);
}

}  // namespace
