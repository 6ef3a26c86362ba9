// Malformed input: every broken file gives a DataError naming the file and the object — never a
// crash, never another exception. Two corpora: files generated here with the Writer (into a
// temporary directory), and the committed tests/data/malformed/*.h5 written by h5py
// (tests/data/make_malformed.py), whose valid_*.h5 files must read. Plus every truncation of a
// valid file.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "datasets_test_util.hpp"

namespace ad = adamant::datasets;
namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Every reader, by schema name.
void read_as(const std::string& kind, const std::string& file) {
  if (kind == "prices")
    (void)ad::read_prices(file);
  else if (kind == "molecules")
    (void)ad::read_molecules(file);
  else if (kind == "table")
    (void)ad::read_table(file);
  else if (kind == "episodes")
    (void)ad::read_episodes(file);
  else if (kind == "trajectories")
    (void)ad::read_trajectories(file);
  else if (kind == "model")
    (void)ad::read_model(file);
  else if (kind == "checkpoint")
    (void)ad::read_checkpoint<double>(file);
  else if (kind == "checkpoint_f32")
    (void)ad::read_checkpoint<float>(file);
  else if (kind == "describe")
    (void)ad::describe(file);
  else
    FAIL() << "unknown reader " << kind;
}

const char* const kAllReaders[] = {"prices",       "molecules", "table",      "episodes",
                                   "trajectories", "model",     "checkpoint", "checkpoint_f32"};

struct Case {
  std::string file;     ///< file name
  std::string reader;   ///< read_as kind
  std::string object;   ///< the object the message must name ("" for whole-file problems)
  std::string message;  ///< a part of the message
};

void expect_case(const std::string& dir, const Case& c) {
  SCOPED_TRACE(c.file);
  const std::string f = dir + "/" + c.file;
  ASSERT_TRUE(fs::exists(f)) << f;
  EXPECT_DATA_ERROR(read_as(c.reader, f), f + ": " + (c.object.empty() ? "" : c.object + ": "),
                    c.message);
}

// ---- the committed corpus (h5py) ----

const std::string kCorpus = std::string(ADAMANT_TEST_DATA_DIR) + "/malformed";

TEST(MalformedCorpus, EveryBrokenFileGivesDataErrorNamingFileAndObject) {
  const std::vector<Case> cases = {
      {"truncated.h5", "molecules", "", "not an HDF5 file or truncated"},
      {"not_hdf5.h5", "prices", "", "not an HDF5 file or truncated"},
      {"empty.h5", "checkpoint", "", "not an HDF5 file or truncated"},
      {"prices_missing_dataset.h5", "prices", "/prices",
       "missing (expected a float dataset of "
       "shape (4, 3))"},
      {"prices_wrong_rank.h5", "prices", "/prices", "expected rank 2, shape (4, 3), got rank 1"},
      {"prices_wrong_shape.h5", "prices", "/prices", "expected shape (4, 3), got (4, 2)"},
      {"prices_int_dtype.h5", "prices", "/prices",
       "expected a float dataset of shape (4, 3), "
       "got int64"},
      {"prices_string_dtype.h5", "prices", "/prices", "got string"},
      {"prices_dates_not_increasing.h5", "prices", "/dates",
       "dates must be strictly increasing: date 2 (2020-01-03) does not come after date 1 "
       "(2020-01-06)"},
      {"prices_bad_date.h5", "prices", "/dates", "date 1 \"2020-02-30\" is not an ISO-8601 date"},
      {"prices_duplicate_tickers.h5", "prices", "/tickers", "duplicate ticker \"AAPL\""},
      {"prices_nonpositive.h5", "prices", "/prices",
       "price 0 at row 2 (2020-01-06), column 1 "
       "(MSFT)"},
      {"molecules_nan_positions.h5", "molecules", "/positions",
       "non-finite value nan at index (4, 2, 1)"},
      {"molecules_inconsistent_frames.h5", "molecules", "/energies",
       "inconsistent frame counts: positions has 6 frames, energies 5"},
      {"molecules_bad_atomic_number.h5", "molecules", "/atomic_numbers",
       "atom 2 has atomic number 0, expected 1..118"},
      {"molecules_forces_wrong_shape.h5", "molecules", "/forces",
       "expected shape (6, 3, 3), got (6, 3, 2)"},
      {"molecules_float_atomic_numbers.h5", "molecules", "/atomic_numbers",
       "expected an integer dataset of shape (*,)"},
      {"molecules_wrong_schema.h5", "molecules", "/", "adamant_schema is \"prices\""},
      {"checkpoint_slot_wrong_length.h5", "checkpoint", "/optimizer/slots/exp_avg_sq",
       "has 4 entries, expected 5 (one per parameter"},
      {"checkpoint_float32.h5", "checkpoint", "/model/params",
       "expected float64 (a Checkpoint<double>), got float32"},
      {"table_ragged_columns.h5", "table", "/table/loss", "expected shape (5,), got (4,)"},
      {"episodes_flag_mid_episode.h5", "episodes", "/episodes/episode_0000/terminated",
       "step 1 of 3 is flagged"},
  };
  for (const Case& c : cases) expect_case(kCorpus, c);
}

TEST(MalformedCorpus, EveryReaderOnEveryFileThrowsOnlyDataError) {
  // Whatever the reader, a file that is not its schema (or broken) is a DataError; describe()
  // reads every HDF5 file and rejects the rest with a DataError.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::string f = entry.path().string();
    const std::string name = entry.path().filename();
    if (entry.path().extension() != ".h5") continue;
    ++files;
    for (const char* reader : kAllReaders) {
      SCOPED_TRACE(name + " as " + reader);
      try {
        read_as(reader, f);
      } catch (const ad::DataError& e) {
        EXPECT_EQ(e.file(), f);
        EXPECT_EQ(std::string(e.what()).rfind(f + ": ", 0), 0u) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not a DataError: " << e.what();
      }
    }
    const bool hdf5 = name != "not_hdf5.h5" && name != "empty.h5" && name != "truncated.h5";
    if (hdf5)
      EXPECT_NO_THROW(read_as("describe", f)) << name;
    else
      EXPECT_DATA_ERROR(read_as("describe", f), f + ": not an HDF5 file or truncated");
  }
  EXPECT_GE(files, 25);
}

TEST(MalformedCorpus, DescribeStopsAtALinkBackToAParent) {
  // /table/back is a hard link to "/": describe() lists the root once and says so on revisit.
  const std::string d = ad::describe(kCorpus + "/loop_link_to_parent.h5");
  EXPECT_NE(d.find("/table/back"), std::string::npos) << d;
  EXPECT_NE(d.find("the same group as one listed above"), std::string::npos) << d;
  EXPECT_EQ(d.find("/table/back/table"), std::string::npos) << d;
}

TEST(MalformedCorpus, ValidFilesWrittenWithH5pyRead) {
  const ad::PricePanel p = ad::read_prices(kCorpus + "/valid_prices.h5");
  EXPECT_EQ(p.tickers, (std::vector<std::string>{"AAPL", "MSFT", "XOM"}));
  EXPECT_EQ(p.dates.back(), "2020-01-07");
  EXPECT_TRUE(std::isnan(p.prices(0, 0)));
  EXPECT_EQ(p.prices(3, 2), 70.8);
  EXPECT_EQ(p.metadata.at("source"), "make_malformed.py");
  const ad::PricePanel fixed = ad::read_prices(kCorpus + "/valid_prices_fixed_strings.h5");
  EXPECT_EQ(fixed.dates, p.dates);
  EXPECT_EQ(fixed.tickers, p.tickers);

  const ad::MolecularDataset m = ad::read_molecules(kCorpus + "/valid_molecules.h5");
  EXPECT_EQ(m.atomic_numbers, (std::vector<std::int32_t>{8, 1, 1}));
  EXPECT_EQ(m.num_frames(), 6);
  EXPECT_TRUE(m.has_forces());
  EXPECT_EQ(m.metadata.at("method").s, "GFN2-xTB");

  const ad::Checkpoint<double> c = ad::read_checkpoint<double>(kCorpus + "/valid_checkpoint.h5");
  EXPECT_EQ(c.rule, "adam");
  EXPECT_EQ(c.step, 10);
  EXPECT_EQ(c.optimizer.slot_names, (std::vector<std::string>{"exp_avg", "exp_avg_sq"}));
  EXPECT_EQ(c.rng_state, (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(c.config.at("lr").f, 1e-3);
  const ad::Checkpoint<float> c32 = ad::read_checkpoint<float>(kCorpus + "/checkpoint_float32.h5");
  EXPECT_EQ(c32.model.params.size(), 5);

  const ad::Table t = ad::read_table(kCorpus + "/valid_table.h5");
  EXPECT_EQ(t.names, (std::vector<std::string>{"step", "loss"}));
  EXPECT_TRUE(std::isnan(t.column("loss")[2]));

  const ad::EpisodeSet e = ad::read_episodes(kCorpus + "/valid_episodes.h5");
  ASSERT_EQ(e.episodes.size(), 1u);
  EXPECT_EQ(e.episodes[0].seed, 42);
  EXPECT_EQ(e.episodes[0].terminated.back(), 1);
}

// ---- generated here, with the Writer ----

class MalformedGenerated : public ad::testing::TempDirTest {
 protected:
  /// Writes a file with `fill`, then expects `reader` to fail naming `object` and `message`.
  void expect(const std::string& name, const std::function<void(ad::Writer&)>& fill,
              const std::string& reader, const std::string& object, const std::string& message) {
    {
      ad::Writer w(path(name));
      fill(w);
      w.commit();
    }
    expect_case(dir_.string(), {name, reader, object, message});
  }
};

void prices_labels(ad::Writer& w, std::vector<std::string> dates = {"2020-01-01", "2020-01-02"},
                   std::vector<std::string> tickers = {"A", "B", "C"}) {
  w.attr("/", "adamant_schema", "prices");
  w.write_strings("dates", dates);
  w.write_strings("tickers", tickers);
}

void molecule_base(ad::Writer& w, std::int64_t frames, bool energies = true) {
  const std::vector<std::int32_t> z = {6, 1, 1, 1, 1};
  std::vector<double> pos(static_cast<std::size_t>(frames * 15));
  for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = 0.01 * static_cast<double>(i);
  const std::vector<double> e(static_cast<std::size_t>(frames), -4.0);
  w.write("atomic_numbers", z.data(), {5});
  w.write("positions", pos.data(), {frames, 5, 3});
  if (energies) w.write("energies", e.data(), {frames});
}

TEST_F(MalformedGenerated, Prices) {
  const std::vector<double> ok(6, 1.0), nan_ok = {kNaN, 1, 2, 3, 4, 5};
  const std::vector<std::int32_t> ints(6, 1);
  expect(
      "missing.h5", [](ad::Writer& w) { prices_labels(w); }, "prices", "/prices",
      "missing (expected a float dataset of shape (2, 3))");
  expect(
      "rank.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        w.write("prices", ok.data(), {6});
      },
      "prices", "/prices", "expected rank 2, shape (2, 3), got rank 1, shape (6,)");
  expect(
      "shape.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        w.write("prices", ok.data(), {3, 2});
      },
      "prices", "/prices", "expected shape (2, 3), got (3, 2)");
  expect(
      "int.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        w.write("prices", ints.data(), {2, 3});
      },
      "prices", "/prices", "got int32");
  expect(
      "string.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        w.write_strings("prices", {"1", "2"});
      },
      "prices", "/prices", "got string");
  expect(
      "dates_numbers.h5", [&](ad::Writer& w) { w.write("dates", ok.data(), {2}); }, "prices",
      "/dates", "expected a string dataset of shape (*,), got float64");
  expect(
      "dates_order.h5",
      [&](ad::Writer& w) {
        prices_labels(w, {"2020-01-02", "2020-01-02"});
        w.write("prices", ok.data(), {2, 3});
      },
      "prices", "/dates", "strictly increasing");
  expect(
      "dates_format.h5",
      [&](ad::Writer& w) {
        prices_labels(w, {"2020-01-02", "02/01/2020"});
        w.write("prices", ok.data(), {2, 3});
      },
      "prices", "/dates", "\"02/01/2020\" is not an ISO-8601 date YYYY-MM-DD");
  expect(
      "tickers.h5",
      [&](ad::Writer& w) {
        prices_labels(w, {"2020-01-01", "2020-01-02"}, {"A", "B", "A"});
        w.write("prices", ok.data(), {2, 3});
      },
      "prices", "/tickers", "duplicate ticker \"A\" (columns 0 and 2)");
  expect(
      "negative.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        std::vector<double> v = nan_ok;
        v[4] = -1;
        w.write("prices", v.data(), {2, 3});
      },
      "prices", "/prices", "price -1 at row 1 (2020-01-02), column 1 (B)");
  expect(
      "group.h5",
      [&](ad::Writer& w) {
        prices_labels(w);
        w.group("prices");
      },
      "prices", "/prices", "is a group, expected a float dataset");
}

TEST_F(MalformedGenerated, Molecules) {
  expect(
      "nan.h5",
      [](ad::Writer& w) {
        const std::vector<std::int32_t> z = {6, 1};
        std::vector<double> pos(12, 0.5);
        pos[7] = kNaN;
        const std::vector<double> e = {1, 2};
        w.write("atomic_numbers", z.data(), {2});
        w.write("positions", pos.data(), {2, 2, 3});
        w.write("energies", e.data(), {2});
      },
      "molecules", "/positions", "non-finite value nan at index (1, 0, 1)");
  expect(
      "frames.h5",
      [](ad::Writer& w) {
        molecule_base(w, 2000, false);
        const std::vector<double> e(1999, -4.0);
        w.write("energies", e.data(), {1999});
      },
      "molecules", "/energies",
      "inconsistent frame counts: positions has 2000 frames, energies 1999");
  expect(
      "forces_frames.h5",
      [](ad::Writer& w) {
        molecule_base(w, 4);
        const std::vector<double> f(5 * 15, 0.0);
        w.write("forces", f.data(), {5, 5, 3});
      },
      "molecules", "/forces", "inconsistent frame counts: positions has 4 frames, forces 5");
  expect(
      "forces_inf.h5",
      [](ad::Writer& w) {
        molecule_base(w, 4);
        std::vector<double> f(4 * 15, 0.0);
        f[59] = -std::numeric_limits<double>::infinity();
        w.write("forces", f.data(), {4, 5, 3});
      },
      "molecules", "/forces", "non-finite value -inf at index (3, 4, 2)");
  expect(
      "atoms.h5",
      [](ad::Writer& w) {
        const std::vector<std::int32_t> z = {6, 1, 1};
        const std::vector<double> pos(2 * 4 * 3, 0.0), e = {1, 2};
        w.write("atomic_numbers", z.data(), {3});
        w.write("positions", pos.data(), {2, 4, 3});
        w.write("energies", e.data(), {2});
      },
      "molecules", "/positions", "expected shape (*, 3, 3), got (2, 4, 3)");
  expect(
      "z.h5",
      [](ad::Writer& w) {
        const std::vector<std::int64_t> z = {6, 200};
        w.write("atomic_numbers", z.data(), {2});
      },
      "molecules", "/atomic_numbers", "atom 1 has atomic number 200, expected 1..118");
  expect(
      "z_uint64.h5",
      [](ad::Writer& w) {
        const std::vector<std::uint64_t> z = {6, 1};
        w.write("atomic_numbers", z.data(), {2});
      },
      "molecules", "/atomic_numbers", "got uint64");
  expect(
      "flat.h5",
      [](ad::Writer& w) {
        const std::vector<std::int32_t> z = {6};
        const std::vector<double> pos(6, 0.0);
        w.write("atomic_numbers", z.data(), {1});
        w.write("positions", pos.data(), {2, 3});
      },
      "molecules", "/positions", "expected rank 3");
  expect(
      "no_energies.h5", [](ad::Writer& w) { molecule_base(w, 3, false); }, "molecules", "/energies",
      "missing (expected a float dataset of shape (3,))");
}

TEST_F(MalformedGenerated, CheckpointsTablesEpisodesTrajectoriesModels) {
  const std::vector<double> p5(5, 0.5), p4(4, 0.5);
  auto checkpoint = [&](ad::Writer& w, const std::vector<double>& second_slot) {
    w.attr("/", "adamant_schema", "checkpoint");
    w.attr("/", "step", 3);
    w.group("model");
    w.attr("model", "kind", "linear");
    w.write("model/params", p5.data(), {5});
    w.group("optimizer");
    w.attr("optimizer", "rule", "adam");
    w.attr("optimizer", "step", 3);
    w.attr("optimizer", "skipped_steps", 0);
    w.write("optimizer/slots/exp_avg", p5.data(), {5});
    w.write("optimizer/slots/exp_avg_sq", second_slot.data(),
            {static_cast<std::int64_t>(second_slot.size())});
    w.attr("optimizer/slots", "names", "exp_avg,exp_avg_sq");
    w.group("optimizer/scalars");
    w.attr("optimizer/scalars", "names", "");
  };
  expect(
      "slot_length.h5", [&](ad::Writer& w) { checkpoint(w, p4); }, "checkpoint",
      "/optimizer/slots/exp_avg_sq", "has 4 entries, expected 5 (one per parameter");
  expect(
      "slot_unlisted.h5",
      [&](ad::Writer& w) {
        checkpoint(w, p5);
        w.write("optimizer/slots/v_max", p5.data(), {5});
      },
      "checkpoint", "/optimizer/slots/v_max", "is not listed");
  expect(
      "no_rule.h5",
      [&](ad::Writer& w) {
        checkpoint(w, p5);
        w.attr("optimizer", "rule", std::int64_t{3});
      },
      "checkpoint", "/optimizer", "attribute 'rule': expected a string, got int64");
  expect(
      "nan_slot.h5",
      [&](ad::Writer& w) {
        std::vector<double> bad = p5;
        bad[2] = kNaN;
        checkpoint(w, bad);
      },
      "checkpoint", "/optimizer/slots/exp_avg_sq", "non-finite value nan at index 2");
  expect(
      "scalar_shape.h5",
      [&](ad::Writer& w) {
        checkpoint(w, p5);
        w.attr("optimizer/scalars", "names", "mu_product");
        w.write("optimizer/scalars/mu_product", p5.data(), {5});
      },
      "checkpoint", "/optimizer/scalars/mu_product", "expected a scalar, got shape (5,)");
  expect(
      "rng_signed.h5",
      [&](ad::Writer& w) {
        checkpoint(w, p5);
        const std::vector<std::int64_t> words = {1, 2};
        w.write("rng/state", words.data(), {2});
      },
      "checkpoint", "/rng/state", "expected an unsigned integer dataset");

  expect(
      "table_columns.h5",
      [&](ad::Writer& w) {
        w.write("table/a", p5.data(), {5});
        w.attr("table", "columns", "a,b");
      },
      "table", "/table/b", "missing");
  expect(
      "table_2d.h5",
      [&](ad::Writer& w) {
        w.write("table/a", p4.data(), {2, 2});
        w.attr("table", "columns", "a");
      },
      "table", "/table/a", "expected rank 1");

  expect(
      "episodes_obs.h5",
      [&](ad::Writer& w) {
        w.attr("/", "env_id", "CartPole-v1");
        const std::vector<float> obs(3 * 4, 0.f);
        const std::vector<std::int64_t> act = {0, 1, 0};
        const std::vector<std::uint8_t> flags = {0, 0, 1};
        const std::string at = "episodes/episode_0000";
        w.write(at + "/observations", obs.data(), {3, 4});  // needs 4 rows for 3 steps
        w.write(at + "/actions", act.data(), {3});
        w.write(at + "/rewards", p5.data(), {3});
        w.write(at + "/terminated", flags.data(), {3});
        w.write(at + "/truncated", flags.data(), {3});
      },
      "episodes", "/episodes/episode_0000/observations", "expected shape (4, *), got (3, 4)");
  expect(
      "episodes_name.h5",
      [&](ad::Writer& w) {
        w.attr("/", "env_id", "CartPole-v1");
        w.group("episodes/run_1");
      },
      "episodes", "/episodes/run_1", "unexpected member");
  expect(
      "episodes_env.h5", [&](ad::Writer& w) { w.group("episodes"); }, "episodes", "/",
      "missing attribute 'env_id'");

  expect(
      "traj_attrs.h5",
      [&](ad::Writer& w) {
        w.write("trajectories/gda/iterates", p4.data(), {2, 2});
        w.attr("trajectories/gda", "game", "bilinear");
      },
      "trajectories", "/trajectories/gda", "missing attribute 'method'");
  expect(
      "traj_metrics.h5",
      [&](ad::Writer& w) {
        w.write("trajectories/gda/iterates", p4.data(), {2, 2});
        w.attr("trajectories/gda", "game", "bilinear");
        w.attr("trajectories/gda", "method", "gda");
        w.write("trajectories/gda/metrics/distance", p5.data(), {5});
        w.attr("trajectories/gda/metrics", "columns", "distance");
      },
      "trajectories", "/trajectories/gda/metrics", "has 5 rows, expected one per iterate (2)");

  expect(
      "model_kind.h5", [&](ad::Writer& w) { w.write("model/params", p5.data(), {5}); }, "model",
      "/model", "missing attribute 'kind'");
  expect(
      "model_nan.h5",
      [&](ad::Writer& w) {
        std::vector<double> bad = p5;
        bad[4] = kNaN;
        w.write("model/params", bad.data(), {5});
        w.attr("model", "kind", "linear");
      },
      "model", "/model/params", "non-finite value nan at index 4");
}

TEST_F(MalformedGenerated, EveryTruncationOfAValidFile) {
  // Cut a valid molecules file (with a compressed dataset) at 24 points: every prefix is refused
  // with a DataError (HDF5 compares the stored end of file with the real size).
  ad::MolecularDataset m;
  m.atomic_numbers = {6, 1, 1, 1, 1};
  m.positions = ad::RowMatrixXd::Random(600, 15);
  m.energies = Eigen::VectorXd::Random(600);
  m.forces = ad::RowMatrixXd::Random(600, 15);
  const std::string full = path("full.h5");
  ad::write_molecules(full, m);
  std::ifstream in(full, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100000u);
  for (int k = 0; k < 24; ++k) {
    const std::size_t cut = bytes.size() * static_cast<std::size_t>(k) / 24 + (k % 3) * 7;
    const std::string f = path("cut_" + std::to_string(k) + ".h5");
    std::ofstream(f, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(bytes.size()));
    EXPECT_DATA_ERROR(ad::read_molecules(f), f + ": not an HDF5 file or truncated");
  }
  EXPECT_EQ(ad::read_molecules(full).energies, m.energies);
}

}  // namespace
