// schema.hpp: write → read round trips of every schema (bit-exact, NaN kept), what validation
// enforces (each rule with a case that breaks it), files without schema attributes (as other
// tools write them), schema / version mismatches, and describe().

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "datasets_test_util.hpp"

namespace ad = adamant::datasets;
namespace ac = adamant::core;
using ad::testing::contains;
using ad::testing::same_bits;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

class SchemaTest : public ad::testing::TempDirTest {};

ad::AttrValue str(const std::string& s) {
  ad::AttrValue v;
  v.s = s;
  return v;
}
ad::AttrValue integer(std::int64_t i) {
  ad::AttrValue v;
  v.kind = ad::AttrValue::Kind::kInt;
  v.i = i;
  return v;
}
ad::AttrValue real(double f) {
  ad::AttrValue v;
  v.kind = ad::AttrValue::Kind::kFloat;
  v.f = f;
  return v;
}

void expect_same_attrs(const std::map<std::string, ad::AttrValue>& a,
                       const std::map<std::string, ad::AttrValue>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [k, v] : a) {
    ASSERT_EQ(b.count(k), 1u) << k;
    const ad::AttrValue& w = b.at(k);
    EXPECT_EQ(static_cast<int>(v.kind), static_cast<int>(w.kind)) << k;
    EXPECT_EQ(v.s, w.s) << k;
    EXPECT_EQ(v.i, w.i) << k;
    EXPECT_TRUE(same_bits(&v.f, &w.f, 1)) << k;
  }
}

// ---- prices ----

ad::PricePanel small_panel() {
  ad::PricePanel p;
  p.dates = {"2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"};
  p.tickers = {"AAPL", "MSFT", "BRK.B"};
  p.prices.resize(5, 3);
  p.prices << kNaN, 100.5, 200, kNaN, 101.25, 201, 10.125, 0.1, 202, 10.5, 103, 203, 11, 104, kNaN;
  p.metadata = {{"source", "test"}, {"licence", "MIT"}};
  return p;
}

TEST_F(SchemaTest, PricesRoundTripKeepsNaNAndBits) {
  const std::string f = path("prices.h5");
  const ad::PricePanel p = small_panel();
  ASSERT_EQ(p.validate(), "");
  ad::write_prices(f, p);
  const ad::PricePanel q = ad::read_prices(f);
  EXPECT_EQ(q.dates, p.dates);
  EXPECT_EQ(q.tickers, p.tickers);
  ASSERT_EQ(q.prices.rows(), 5);
  ASSERT_EQ(q.prices.cols(), 3);
  EXPECT_TRUE(same_bits(q.prices.data(), p.prices.data(), 15));
  EXPECT_EQ(q.metadata, p.metadata);
  ad::Reader r(f);
  EXPECT_EQ(ad::schema_of(r), "prices");
  EXPECT_EQ(r.attr_int("/", "adamant_schema_version"), ad::kSchemaVersion);
  EXPECT_EQ(r.dtype("prices"), "float64");
}

TEST_F(SchemaTest, PricesValidation) {
  auto problem = [](auto&& edit) {
    ad::PricePanel p = small_panel();
    edit(p);
    return p.validate();
  };
  EXPECT_TRUE(contains(problem([](auto& p) { p.dates[2] = "2020-1-03"; }),
                       "/dates: date 2 \"2020-1-03\" is not an ISO-8601 date YYYY-MM-DD"));
  for (const char* bad : {"2020-13-01", "2021-02-29", "1900-02-29", "2020/01/03", "2020-01-00",
                          "2020-04-31", "20200103xx", "2020-01-0a"})
    EXPECT_TRUE(contains(problem([&](auto& p) { p.dates[2] = bad; }), "is not an ISO-8601 date"))
        << bad;
  EXPECT_EQ(problem([](auto& p) {
              p.dates = {"1996-02-29", "2000-02-29", "2020-01-03", "2020-01-06", "2020-12-31"};
            }),
            "");
  EXPECT_TRUE(contains(problem([](auto& p) { p.dates[3] = "2020-01-03"; }),
                       "/dates: dates must be strictly increasing: date 3 (2020-01-03) does not "
                       "come after date 2 (2020-01-03)"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.dates[1] = "2019-12-31"; }), "strictly increasing"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.tickers[2] = "AAPL"; }),
                       "/tickers: duplicate ticker \"AAPL\" (columns 0 and 2)"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.tickers[1] = ""; }), "/tickers: ticker 1 is empty"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.prices(1, 1) = 0; }),
                       "/prices: price 0 at row 1 (2020-01-02), column 1 (MSFT): prices must be "
                       "> 0, or NaN where missing"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.prices(4, 0) = -3; }), "price -3 at row 4"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.prices(0, 2) = kInf; }), "price inf at row 0"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.prices.conservativeResize(5, 2); }),
                       "/prices: expected shape (5, 3) (dates × tickers), got (5, 2)"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.dates.clear(); }), "/dates: no dates"));
  EXPECT_TRUE(contains(problem([](auto& p) { p.metadata["adamant_schema"] = "x"; }), "reserved"));
  // Writers refuse what readers would reject, and write nothing.
  ad::PricePanel bad = small_panel();
  bad.tickers[1] = "AAPL";
  EXPECT_THROW(ad::write_prices(path("bad.h5"), bad), std::invalid_argument);
  EXPECT_TRUE(entries().empty());
}

// ---- molecules ----

ad::MolecularDataset water_frames(std::int64_t frames, bool forces) {
  ad::MolecularDataset m;
  m.atomic_numbers = {8, 1, 1};
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n(0, 0.1);
  m.positions.resize(frames, 9);
  for (Eigen::Index i = 0; i < m.positions.size(); ++i) m.positions.data()[i] = n(rng);
  m.energies.resize(frames);
  for (Eigen::Index i = 0; i < frames; ++i) m.energies[i] = -2079.5 + n(rng);
  if (forces) {
    m.forces.resize(frames, 9);
    for (Eigen::Index i = 0; i < m.forces.size(); ++i) m.forces.data()[i] = n(rng) * 10;
  }
  m.metadata = {{"method", str("GFN2-xTB")}, {"seed", integer(5)}, {"temperature_K", real(500)}};
  return m;
}

TEST_F(SchemaTest, MoleculesRoundTripWithAndWithoutForces) {
  for (bool forces : {true, false}) {
    const std::string f = path(forces ? "with.h5" : "without.h5");
    const ad::MolecularDataset m = water_frames(40, forces);
    ASSERT_EQ(m.validate(), "");
    ad::write_molecules(f, m);
    const ad::MolecularDataset q = ad::read_molecules(f);
    EXPECT_EQ(q.atomic_numbers, m.atomic_numbers);
    EXPECT_EQ(q.positions, m.positions);
    EXPECT_EQ(q.energies, m.energies);
    EXPECT_EQ(q.has_forces(), forces);
    EXPECT_EQ(q.forces, m.forces);
    EXPECT_EQ(q.num_frames(), 40);
    EXPECT_EQ(q.num_atoms(), 3);
    expect_same_attrs(q.metadata, m.metadata);
    ad::Reader r(f);
    EXPECT_EQ(r.shape("positions"), (ad::Shape{40, 3, 3}));
    EXPECT_EQ(r.dtype("atomic_numbers"), "int32");
  }
}

TEST_F(SchemaTest, MoleculesValidation) {
  auto problem = [](auto&& edit) {
    ad::MolecularDataset m = water_frames(10, true);
    edit(m);
    return m.validate();
  };
  EXPECT_TRUE(contains(problem([](auto& m) { m.atomic_numbers[1] = 0; }),
                       "/atomic_numbers: atom 1 has atomic number 0, expected 1..118"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.atomic_numbers[2] = 119; }), "119"));
  EXPECT_TRUE(
      contains(problem([](auto& m) { m.energies.conservativeResize(9); }),
               "/energies: inconsistent frame counts: positions has 10 frames, energies 9"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.forces.conservativeResize(11, 9); }),
                       "/forces: inconsistent frame counts: positions has 10 frames, forces 11"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.forces.conservativeResize(10, 6); }),
                       "/forces: expected 9 columns"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.positions.conservativeResize(10, 6); }),
                       "/positions: expected 9 columns"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.positions(3, 4) = kNaN; }),
                       "/positions: non-finite value nan at frame 3, atom 1, coordinate y"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.energies[7] = -kInf; }),
                       "/energies: non-finite value -inf at frame 7"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.forces(9, 8) = kNaN; }),
                       "/forces: non-finite value nan at frame 9, atom 2, coordinate z"));
  EXPECT_TRUE(contains(problem([](auto& m) { m.atomic_numbers.clear(); }), "no atoms"));
  ad::MolecularDataset bad = water_frames(10, true);
  bad.positions(0, 0) = kNaN;
  EXPECT_THROW(ad::write_molecules(path("bad.h5"), bad), std::invalid_argument);
  EXPECT_TRUE(entries().empty());
}

TEST_F(SchemaTest, MoleculesWithoutSchemaAttributesAsOtherToolsWriteThem) {
  // The layout of ../shared/datasets/*_gfn2xtb.h5 (h5py): no adamant_schema attribute, float32
  // positions are accepted too, and any integer width for atomic numbers.
  const std::string f = path("xtb.h5");
  const std::vector<std::int64_t> z = {6, 6, 8, 1, 1, 1, 1, 1, 1};
  std::vector<float> pos(2 * 9 * 3);
  for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = 0.125f * static_cast<float>(i);
  const std::vector<double> energies = {-309.5, -309.25};
  {
    ad::Writer w(f);
    w.write("atomic_numbers", z.data(), {9});
    w.write("positions", pos.data(), {2, 9, 3});
    w.write("energies", energies.data(), {2});
    w.attr("/", "method", "GFN2-xTB");
    w.attr("/", "seed", 1);
    w.commit();
  }
  const ad::MolecularDataset m = ad::read_molecules(f);
  EXPECT_EQ(m.num_atoms(), 9);
  EXPECT_EQ(m.num_frames(), 2);
  EXPECT_FALSE(m.has_forces());
  EXPECT_EQ(m.positions(1, 26), 0.125 * 53);
  EXPECT_EQ(m.metadata.at("method").s, "GFN2-xTB");
  EXPECT_EQ(m.metadata.at("seed").i, 1);
  const std::string d = ad::describe(f);
  EXPECT_TRUE(contains(d, "schema: molecules (no adamant_schema attribute")) << d;
  EXPECT_TRUE(contains(d,
                       "summary: molecules: 2 frames × 9 atoms (C2H6O), energies -309.5 … "
                       "-309.25 eV, no forces"))
      << d;
}

TEST_F(SchemaTest, SchemaAndVersionMismatchesAreRefused) {
  const std::string f = path("prices.h5");
  ad::write_prices(f, small_panel());
  EXPECT_DATA_ERROR(ad::read_molecules(f), f + ": /: attribute adamant_schema is \"prices\", "
                                               "expected \"molecules\"");
  EXPECT_DATA_ERROR(ad::read_checkpoint<double>(f), "expected \"checkpoint\"");
  EXPECT_DATA_ERROR(ad::read_episodes(f), "expected \"episodes\"");
  const std::string g = path("future.h5");
  {
    ad::Writer w(g);
    w.attr("/", "adamant_schema", "prices");
    w.attr("/", "adamant_schema_version", 2);
    w.commit();
  }
  EXPECT_DATA_ERROR(ad::read_prices(g), g + ": /: attribute adamant_schema_version is 2, this "
                                            "adamant reads versions 1 to 1");
}

// ---- tables ----

ad::Table curve() {
  ad::Table t;
  t.add("step", Eigen::VectorXd::LinSpaced(6, 0, 5));
  Eigen::VectorXd loss(6);
  loss << 1.0, 0.5, kNaN, 0.25, kInf, -0.0;
  t.add("loss", loss);
  t.add("lr", Eigen::VectorXd::Constant(6, 1e-3));
  t.metadata = {{"optimizer", str("adam")}, {"seed", integer(0)}};
  return t;
}

TEST_F(SchemaTest, TableRoundTripAnyGroupAnyValues) {
  const ad::Table t = curve();
  ASSERT_EQ(t.validate(), "");
  const std::string f = path("curve.h5");
  ad::write_table(f, t);
  for (const ad::Table& q : {ad::read_table(f), ad::read_table(f, "/table/")}) {
    EXPECT_EQ(q.names, t.names);  // the order of `columns`, not name order
    ASSERT_EQ(q.columns.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_TRUE(same_bits(q.columns[i].data(), t.columns[i].data(), 6));
    EXPECT_EQ(q.rows(), 6);
    expect_same_attrs(q.metadata, t.metadata);
  }
  EXPECT_EQ(ad::schema_of(ad::Reader(f)), "table");
  // Several tables in one file, under any group, through one Writer.
  const std::string g = path("many.h5");
  {
    ad::Writer w(g);
    ad::write_table(w, "runs/adam", t);
    ad::write_table(w, "runs/empty", ad::Table{});
    w.commit();
  }
  ad::Reader r(g);
  EXPECT_EQ(ad::read_table(r, "runs/adam").names, t.names);
  EXPECT_EQ(ad::read_table(r, "runs/empty").rows(), 0);
  EXPECT_DATA_ERROR(ad::read_table(r, "runs/sgd"), g + ": /runs/sgd: missing");
  EXPECT_DATA_ERROR(ad::read_table(r, "runs/adam/loss"), "/runs/adam/loss: is a dataset");
}

TEST_F(SchemaTest, TableWithoutColumnsAttributeUsesNameOrder) {
  const std::string f = path("h5py.h5");
  const std::vector<double> b = {1, 2}, a = {3, 4};
  {
    ad::Writer w(f);
    w.write("table/b", b.data(), {2});
    w.write("table/a", a.data(), {2});
    w.commit();
  }
  const ad::Table t = ad::read_table(f);
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.column("b")[1], 2);
}

TEST_F(SchemaTest, TableErrors) {
  ad::Table t = curve();
  EXPECT_THROW(t.add("loss", Eigen::VectorXd::Zero(6)), std::invalid_argument);
  EXPECT_THROW(t.add("extra", Eigen::VectorXd::Zero(5)), std::invalid_argument);
  EXPECT_THROW(t.add("a,b", Eigen::VectorXd::Zero(6)), std::invalid_argument);
  EXPECT_THROW(t.add("a/b", Eigen::VectorXd::Zero(6)), std::invalid_argument);
  EXPECT_THROW(t.add("", Eigen::VectorXd::Zero(6)), std::invalid_argument);
  EXPECT_THROW((void)t.column("nope"), std::out_of_range);
  t.columns[1].conservativeResize(5);
  EXPECT_TRUE(contains(t.validate(), "/table/loss: has 5 rows, column \"step\" has 6"));
  const std::string f = path("ragged.h5");
  const std::vector<double> x3 = {1, 2, 3}, x2 = {1, 2};
  {
    ad::Writer w(f);
    w.write("table/x", x3.data(), {3});
    w.write("table/y", x2.data(), {2});
    w.attr("table", "columns", "x,y");
    w.commit();
  }
  EXPECT_DATA_ERROR(ad::read_table(f), f + ": /table/y: expected shape (3,), got (2,)");
}

// ---- episodes ----

ad::EpisodeSet cartpole_like() {
  ad::EpisodeSet s;
  s.env_id = "CartPole-v1";
  for (int k = 0; k < 3; ++k) {
    ad::Episode e;
    const int t = 5 + 3 * k;
    e.observations.resize(t + 1, 4);
    for (Eigen::Index i = 0; i < e.observations.size(); ++i)
      e.observations.data()[i] = 0.01f * static_cast<float>(i) - 0.3f;
    for (int i = 0; i < t; ++i) e.discrete_actions.push_back(i % 2);
    e.rewards = Eigen::VectorXd::Ones(t);
    e.terminated.assign(static_cast<std::size_t>(t), 0);
    e.truncated.assign(static_cast<std::size_t>(t), 0);
    (k == 2 ? e.truncated : e.terminated).back() = 1;
    e.seed = k == 1 ? -1 : 100 + k;
    s.episodes.push_back(e);
  }
  return s;
}

void expect_same_episodes(const ad::EpisodeSet& a, const ad::EpisodeSet& b) {
  EXPECT_EQ(a.env_id, b.env_id);
  ASSERT_EQ(a.episodes.size(), b.episodes.size());
  for (std::size_t k = 0; k < a.episodes.size(); ++k) {
    const ad::Episode &x = a.episodes[k], &y = b.episodes[k];
    EXPECT_EQ(x.observations, y.observations);
    EXPECT_EQ(x.discrete_actions, y.discrete_actions);
    EXPECT_EQ(x.continuous_actions, y.continuous_actions);
    EXPECT_EQ(x.rewards, y.rewards);
    EXPECT_EQ(x.terminated, y.terminated);
    EXPECT_EQ(x.truncated, y.truncated);
    EXPECT_EQ(x.seed, y.seed);
  }
}

TEST_F(SchemaTest, EpisodesRoundTripDiscreteAndContinuous) {
  const ad::EpisodeSet d = cartpole_like();
  ASSERT_EQ(d.validate(), "");
  ad::write_episodes(path("d.h5"), d);
  expect_same_episodes(ad::read_episodes(path("d.h5")), d);

  ad::EpisodeSet c;
  c.env_id = "Pendulum-v1";
  for (int k = 0; k < 2; ++k) {
    ad::Episode e;
    e.observations = Eigen::MatrixXf::Random(11, 3);
    e.continuous_actions = Eigen::MatrixXf::Random(10, 1);
    e.rewards = Eigen::VectorXd::LinSpaced(10, -16.2, -0.1);
    e.terminated.assign(10, 0);
    e.truncated.assign(10, 0);
    e.truncated.back() = 1;
    e.seed = k;
    c.episodes.push_back(e);
  }
  ad::Episode empty;  // reset then nothing: one observation, no steps
  empty.observations = Eigen::MatrixXf::Zero(1, 3);
  empty.continuous_actions.resize(0, 1);
  c.episodes.push_back(empty);
  ASSERT_EQ(c.validate(), "");
  ad::write_episodes(path("c.h5"), c);
  expect_same_episodes(ad::read_episodes(path("c.h5")), c);
  ad::Reader r(path("c.h5"));
  EXPECT_EQ(r.members("episodes"),
            (std::vector<std::string>{"episode_0000", "episode_0001", "episode_0002"}));
  EXPECT_EQ(r.dtype("episodes/episode_0000/observations"), "float32");
  EXPECT_EQ(r.dtype("episodes/episode_0000/terminated"), "uint8");
}

TEST_F(SchemaTest, EpisodesValidation) {
  auto problem = [](auto&& edit) {
    ad::EpisodeSet s = cartpole_like();
    edit(s);
    return s.validate();
  };
  EXPECT_TRUE(
      contains(problem([](auto& s) { s.episodes[1].observations.conservativeResize(8, 4); }),
               "/episodes/episode_0001/observations: has 8 rows, expected 9"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.episodes[0].discrete_actions.pop_back(); }),
                       "/episodes/episode_0000/actions: has 4 entries, expected 5"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.episodes[0].terminated[1] = 1; }),
                       "/episodes/episode_0000/terminated: step 1 of 5 is flagged"));
  EXPECT_TRUE(
      contains(problem([](auto& s) { s.episodes[2].truncated.back() = 2; }), "expected 0 or 1"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.episodes[2].rewards[3] = kNaN; }),
                       "/episodes/episode_0002/rewards: non-finite value nan at step 3"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.episodes[1].observations(2, 1) = INFINITY; }),
                       "/episodes/episode_0001/observations: non-finite value at row 2, column 1"));
  EXPECT_TRUE(contains(problem([](auto& s) {
                         auto& o = s.episodes[2].observations;
                         o.conservativeResize(o.rows(), 5);
                         o.col(4).setZero();
                       }),
                       "/episodes/episode_0002/observations: has 5 columns, episode 0 has 4"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.env_id.clear(); }), "env_id is empty"));
  EXPECT_TRUE(contains(problem([](auto& s) { s.episodes[0].seed = -5; }), "seed is -5"));
}

TEST_F(SchemaTest, EpisodesNumberedWithoutGaps) {
  const std::string f = path("gap.h5");
  ad::EpisodeSet s = cartpole_like();
  ad::write_episodes(f, s);
  // Rebuild the file with episode_0001 missing (copying through the Reader / Writer API).
  const std::string g = path("gap2.h5");
  {
    ad::Reader r(f);
    ad::Writer w(g);
    w.attr("/", "adamant_schema", "episodes");
    w.attr("/", "env_id", "CartPole-v1");
    for (const char* e : {"episode_0000", "episode_0002"}) {
      const std::string at = std::string("episodes/") + e;
      const auto obs = r.read_f32(at + "/observations", {});
      const auto act = r.read_i64(at + "/actions", {});
      const auto rew = r.read_f64(at + "/rewards", {});
      const auto term = r.read_u64(at + "/terminated", {});
      std::vector<std::uint8_t> t8(term.begin(), term.end()), z(term.size(), 0);
      w.write(at + "/observations", obs.data(), r.shape(at + "/observations"));
      w.write(at + "/actions", act.data(), r.shape(at + "/actions"));
      w.write(at + "/rewards", rew.data(), r.shape(at + "/rewards"));
      w.write(at + "/terminated", t8.data(), r.shape(at + "/terminated"));
      w.write(at + "/truncated", z.data(), r.shape(at + "/terminated"));
    }
    w.commit();
  }
  EXPECT_DATA_ERROR(ad::read_episodes(g), g + ": /episodes: episodes must be numbered 0..1",
                    "episode_0001 is missing");
}

// ---- trajectories ----

TEST_F(SchemaTest, TrajectoriesRoundTrip) {
  std::map<std::string, ad::Trajectory> runs;
  ad::Trajectory& a = runs["simultaneous"];
  a.game = "bilinear";
  a.method = "simultaneous_gda";
  a.iterates.resize(4, 2);
  a.iterates << 1, 1, 1.1, 0.9, 1.3, 0.7, kInf, kNaN;  // diverged: kept as it is
  a.metrics.add("distance", Eigen::Vector4d(1.41, 1.42, 1.5, kInf));
  a.metrics.add("hamiltonian", Eigen::Vector4d(1, 1.1, 1.2, 1.3));
  ad::Trajectory& b = runs["extragradient"];
  b.game = "bilinear";
  b.method = "extragradient";
  b.iterates = ad::RowMatrixXd::Zero(3, 2);
  ASSERT_EQ(a.validate(), "");
  ASSERT_EQ(b.validate(), "");
  const std::string f = path("traj.h5");
  ad::write_trajectories(f, runs);
  const auto got = ad::read_trajectories(f);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& [name, t] : runs) {
    const ad::Trajectory& q = got.at(name);
    EXPECT_EQ(q.game, t.game);
    EXPECT_EQ(q.method, t.method);
    ASSERT_EQ(q.iterates.size(), t.iterates.size());
    EXPECT_TRUE(same_bits(q.iterates.data(), t.iterates.data(), t.iterates.size()));
    EXPECT_EQ(q.metrics.names, t.metrics.names);
    for (std::size_t i = 0; i < t.metrics.columns.size(); ++i)
      EXPECT_TRUE(same_bits(q.metrics.columns[i].data(), t.metrics.columns[i].data(), 4));
  }
  ad::Trajectory bad = a;
  bad.metrics.columns[0].conservativeResize(3);
  bad.metrics.columns[1].conservativeResize(3);
  EXPECT_TRUE(contains(bad.validate(), "has 3 rows, expected one per iterate (4)"));
  bad = a;
  bad.method.clear();
  EXPECT_TRUE(contains(bad.validate(), "method is empty"));
  EXPECT_THROW(ad::write_trajectories(path("x.h5"), {{"a/b", b}}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(path("x.h5")));
}

// ---- models ----

TEST_F(SchemaTest, ModelRoundTripAndMlpSpec) {
  ac::MlpSpec spec;
  spec.layer_sizes = {3, 16, 16, 1};
  spec.hidden = ac::Activation::kSiLU;
  ac::Mlp<double> mlp(spec);
  ad::ModelParameters m;
  m.kind = "mlp";
  m.attributes = ad::mlp_attributes(spec);
  m.attributes["note"] = str("demo");
  m.params.resize(mlp.num_parameters());
  mlp.init_parameters(m.params, 42);
  const std::string f = path("model.h5");
  ad::write_model(f, m);
  const ad::ModelParameters q = ad::read_model(f);
  EXPECT_EQ(q.kind, "mlp");
  EXPECT_EQ(q.params, m.params);
  expect_same_attrs(q.attributes, m.attributes);
  EXPECT_EQ(q.attributes.at("layer_sizes").s, "3,16,16,1");
  const ac::MlpSpec s = ad::mlp_spec_from(q, f);
  EXPECT_EQ(s.layer_sizes, spec.layer_sizes);
  EXPECT_EQ(s.hidden, ac::Activation::kSiLU);
  EXPECT_EQ(s.output, ac::Activation::kIdentity);

  ad::ModelParameters bad = q;
  bad.params.conservativeResize(10);
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), f + ": /model/params: has 10 parameters", "has 353");
  bad = q;
  bad.attributes["layer_sizes"] = str("3,x,1");
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), "/model: attribute layer_sizes \"3,x,1\"");
  bad.attributes["layer_sizes"] = str("3,0,1");
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), "/model:");
  bad = q;
  bad.attributes["hidden"] = str("gelu");
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), "/model:", "gelu");
  bad = q;
  bad.attributes.erase("output");
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), "/model: missing attribute 'output'");
  bad = q;
  bad.kind = "bp";
  EXPECT_DATA_ERROR(ad::mlp_spec_from(bad, f), "kind is \"bp\", expected \"mlp\"");
  bad = q;
  bad.params[3] = kNaN;
  EXPECT_THROW(ad::write_model(path("nan.h5"), bad), std::invalid_argument);
}

// ---- describe ----

TEST_F(SchemaTest, DescribeEverySchema) {
  const std::string prices = path("prices.h5");
  ad::write_prices(prices, small_panel());
  const std::string d = ad::describe(prices);
  EXPECT_TRUE(contains(d, "schema: prices (version 1)")) << d;
  EXPECT_TRUE(contains(d, "  /prices ")) << d;
  EXPECT_TRUE(contains(d, " dataset (5, 3) float64\n")) << d;
  EXPECT_TRUE(contains(d, "@source = \"test\"")) << d;
  EXPECT_TRUE(contains(d,
                       "summary: prices: 3 tickers × 5 dates, 2020-01-01 … 2020-01-07, "
                       "20.0% missing"))
      << d;

  ad::write_molecules(path("mol.h5"), water_frames(4, true));
  EXPECT_TRUE(
      contains(ad::describe(path("mol.h5")), "summary: molecules: 4 frames × 3 atoms (H2O)"));
  ad::write_table(path("t.h5"), curve());
  EXPECT_TRUE(
      contains(ad::describe(path("t.h5")), "summary: table: 3 columns × 6 rows (step, loss, lr)"));
  ad::write_table(path("t2.h5"), curve(), "curve");  // a table in a group of another name
  EXPECT_TRUE(contains(ad::describe(path("t2.h5")),
                       "summary: table curve: 3 columns × 6 rows (step, loss, lr)"));
  ad::write_episodes(path("e.h5"), cartpole_like());
  EXPECT_TRUE(contains(ad::describe(path("e.h5")),
                       "summary: episodes: 3 of CartPole-v1, 24 steps (length 5 … 11), mean "
                       "return 8"));
  std::map<std::string, ad::Trajectory> runs;
  runs["eg"].game = "dirac_gan";
  runs["eg"].method = "extragradient";
  runs["eg"].iterates = ad::RowMatrixXd::Zero(11, 2);
  ad::write_trajectories(path("tr.h5"), runs);
  EXPECT_TRUE(contains(ad::describe(path("tr.h5")),
                       "trajectories: 1 runs\n  eg: extragradient on dirac_gan, 10 steps in "
                       "dimension 2"));
  ad::ModelParameters m;
  m.kind = "linear";
  m.params = Eigen::VectorXd::Ones(7);
  ad::write_model(path("m.h5"), m);
  EXPECT_TRUE(
      contains(ad::describe(path("m.h5")), "summary: model: linear, 7 parameters (float64)"));

  // An invalid file is still described; the summary says what is wrong.
  const std::string bad = path("bad.h5");
  {
    ad::Writer w(bad);
    w.attr("/", "adamant_schema", "prices");
    w.write_strings("dates", {"2020-01-02", "2020-01-01"});
    w.write_strings("tickers", {"A"});
    w.commit();
  }
  const std::string b = ad::describe(bad);
  EXPECT_TRUE(contains(b, " dataset (2,) string\n")) << b;
  EXPECT_TRUE(contains(b, "summary: INVALID prices file: " + bad +
                              ": /dates: dates must be "
                              "strictly increasing"))
      << b;
  // Files of no schema are listed; non-HDF5 files are an error.
  {
    ad::Writer w(path("plain.h5"));
    w.write_strings("x", {"y"});
    w.commit();
  }
  EXPECT_TRUE(contains(ad::describe(path("plain.h5")), "schema: none"));
  EXPECT_DATA_ERROR(ad::describe(text_file("x.txt", "hello")), "not an HDF5 file");
}

TEST_F(SchemaTest, DescribeListsLargeGroupsBriefly) {
  ad::EpisodeSet s = cartpole_like();
  while (s.episodes.size() < 30) s.episodes.push_back(s.episodes[0]);
  ad::write_episodes(path("e.h5"), s);
  const std::string d = ad::describe(path("e.h5"));
  EXPECT_TRUE(contains(d, "/episodes/episode_0009")) << d;
  EXPECT_FALSE(contains(d, "/episodes/episode_0010")) << d;
  EXPECT_TRUE(contains(d, "/episodes/... and 20 more")) << d;
  EXPECT_TRUE(contains(d, "summary: episodes: 30 of CartPole-v1")) << d;
}

}  // namespace
