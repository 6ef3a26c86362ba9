// h5.hpp: Reader / Writer round trips for every element type, the checks a read makes (shape,
// type class, finiteness) and their messages, silence of HDF5's error stack, compression of
// large datasets, and atomic writing — an abandoned Writer leaves nothing, a destination is
// untouched until commit(), and a writer killed at any moment (SIGKILL from a forked child)
// leaves the old file or the new one, never a torn one.
//
// What a crash can leave: the destination is always complete, but a writer killed before
// commit() leaves its temporary file "<path>.tmp-<pid>-<k>" beside it (nothing else can remove
// it); such files are safe to delete. The tests below check that this is the only leftover.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "datasets_test_util.hpp"

namespace ad = adamant::datasets;
using ad::testing::contains;
using ad::testing::same_bits;

namespace {

class H5Test : public ad::testing::TempDirTest {};
class AtomicTest : public ad::testing::TempDirTest {};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_F(H5Test, RoundTripEveryTypeBitExact) {
  const std::string p = path("all.h5");
  const std::vector<double> f64 = {1.5, -0.0, kNaN, kInf, -kInf, 1e-310, 0.1, 3.0};
  const std::vector<float> f32 = {1.5f, -0.0f, std::nanf(""), 1e-40f, 0.1f, -7.25f};
  const std::vector<std::int32_t> i32 = {-2147483647 - 1, 0, 2147483647};
  const std::vector<std::int64_t> i64 = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                         std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::uint64_t> u64 = {0, 1, std::numeric_limits<std::uint64_t>::max()};
  const std::vector<std::uint8_t> u8 = {0, 1, 255};
  const std::vector<std::string> strings = {"", "AAPL", "Ångström · Δt = 0.5 fs", "a b,c"};
  const double scalar = 2.5;
  {
    ad::Writer w(p);
    w.write("f64", f64.data(), {2, 4});
    w.write("g/f32", f32.data(), {3, 2});  // the parent group is created
    w.write("g/h/i32", i32.data(), {3});
    w.write("i64", i64.data(), {4});
    w.write("u64", u64.data(), {3});
    w.write("u8", u8.data(), {3});
    w.write("scalar", &scalar, {});
    w.write("empty", f64.data(), {0, 3});
    w.write_strings("strings", strings);
    w.group("empty_group");
    w.attr("/", "title", "héllo");
    w.attr("/", "count", std::int64_t{-42});
    w.attr("/", "small", 7);
    w.attr("g", "ratio", 0.25);
    w.attr("f64", "unit", std::string("eV"));
    w.attr("f64", "unit", std::string("Hartree"));  // replaces
    w.commit();
  }
  ad::Reader r(p);
  EXPECT_EQ(r.path(), p);
  EXPECT_EQ(r.members(), (std::vector<std::string>{"empty", "empty_group", "f64", "g", "i64",
                                                   "scalar", "strings", "u64", "u8"}));
  EXPECT_EQ(r.members("g"), (std::vector<std::string>{"f32", "h"}));
  EXPECT_TRUE(r.has("g/h/i32"));
  EXPECT_TRUE(r.has("/g/h/i32"));
  EXPECT_FALSE(r.has("g/x/i32"));
  EXPECT_FALSE(r.has("f64/x"));
  EXPECT_TRUE(r.is_group("g/h"));
  EXPECT_FALSE(r.is_group("f64"));
  EXPECT_EQ(r.shape("f64"), (ad::Shape{2, 4}));
  EXPECT_EQ(r.shape("scalar"), ad::Shape{});
  EXPECT_EQ(r.dtype("f64"), "float64");
  EXPECT_EQ(r.dtype("g/f32"), "float32");
  EXPECT_EQ(r.dtype("g/h/i32"), "int32");
  EXPECT_EQ(r.dtype("u64"), "uint64");
  EXPECT_EQ(r.dtype("u8"), "uint8");
  EXPECT_EQ(r.dtype("strings"), "string");

  ad::Shape shape;
  const auto f64r = r.read_f64("f64", {2, ad::kAnyExtent}, ad::Finite::kAny, &shape);
  EXPECT_EQ(shape, (ad::Shape{2, 4}));
  ASSERT_EQ(f64r.size(), f64.size());
  EXPECT_TRUE(same_bits(f64r.data(), f64.data(), f64.size()));
  const auto f32r = r.read_f32("g/f32", {3, 2}, ad::Finite::kAny);
  ASSERT_EQ(f32r.size(), f32.size());
  EXPECT_TRUE(same_bits(f32r.data(), f32.data(), f32.size()));
  const auto i32r = r.read_i64("g/h/i32", {3});
  EXPECT_EQ(std::vector<std::int64_t>(i32.begin(), i32.end()), i32r);
  EXPECT_EQ(r.read_i64("i64", {4}), i64);
  EXPECT_EQ(r.read_u64("u64", {3}), u64);
  EXPECT_EQ(r.read_u64("u8", {3}), (std::vector<std::uint64_t>{0, 1, 255}));
  EXPECT_EQ(r.read_i64("u8", {3}), (std::vector<std::int64_t>{0, 1, 255}));
  EXPECT_EQ(r.read_f64("scalar", {}), std::vector<double>{2.5});
  EXPECT_TRUE(r.read_f64("empty", {0, 3}).empty());
  EXPECT_EQ(r.read_strings("strings", 4), strings);
  EXPECT_TRUE(r.members("empty_group").empty());
  // float32 on disk reads exactly as double; float64 rounds to float.
  const auto widened = r.read_f64("g/f32", {}, ad::Finite::kAny);
  for (std::size_t i = 0; i < f32.size(); ++i)
    if (!std::isnan(f32[i])) {
      EXPECT_EQ(widened[i], static_cast<double>(f32[i]));
    }
  EXPECT_EQ(r.read_f32("scalar", {}), std::vector<float>{2.5f});

  EXPECT_EQ(r.attr_string("/", "title"), "héllo");
  EXPECT_EQ(r.attr_int("/", "count"), -42);
  EXPECT_EQ(r.attr_int("/", "small"), 7);
  EXPECT_EQ(r.attr_double("g", "ratio"), 0.25);
  EXPECT_EQ(r.attr_double("/", "count"), -42.0);  // integers read as numbers too
  EXPECT_EQ(r.attr_string("f64", "unit"), "Hartree");
  EXPECT_TRUE(r.has_attr("f64", "unit"));
  EXPECT_FALSE(r.has_attr("f64", "units"));
  EXPECT_FALSE(r.has_attr("nowhere", "unit"));
  const auto attrs = r.attrs("/");
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs.at("title").kind, ad::AttrValue::Kind::kString);
  EXPECT_EQ(attrs.at("count").kind, ad::AttrValue::Kind::kInt);
  EXPECT_EQ(attrs.at("count").to_string(), "-42");
  EXPECT_EQ(r.attrs("g").at("ratio").kind, ad::AttrValue::Kind::kFloat);
  EXPECT_EQ(r.attrs("g").at("ratio").to_string(), "0.25");
}

TEST_F(H5Test, ShapeMessagesNameFileObjectExpectedAndGot) {
  const std::string p = path("prices.h5");
  std::vector<double> v(7126 * 19, 1.0);
  {
    ad::Writer w(p);
    w.write("prices", v.data(), {7126, 19});
    w.commit();
  }
  ad::Reader r(p);
  EXPECT_DATA_ERROR(r.read_f64("prices", {7126, 20}),
                    p + ": /prices: expected shape (7126, 20), got (7126, 19)");
  EXPECT_DATA_ERROR(r.read_f64("prices", {7126}), p + ": /prices: expected rank 1",
                    "got rank 2, shape (7126, 19)");
  EXPECT_DATA_ERROR(r.read_f64("prices", {ad::kAnyExtent, 20}), "expected shape (*, 20)");
  EXPECT_EQ(r.read_f64("prices", {ad::kAnyExtent, 19}).size(), v.size());
  EXPECT_EQ(ad::to_string(ad::Shape{9}), "(9,)");
  EXPECT_EQ(ad::to_string(ad::Shape{}), "()");
}

TEST_F(H5Test, TypeClassAndFiniteChecks) {
  const std::string p = path("t.h5");
  const std::vector<std::int64_t> ints = {1, 2, 3};
  const std::vector<std::uint64_t> big = {1, 2, std::numeric_limits<std::uint64_t>::max()};
  const std::vector<double> with_nan = {1, 2, 3, 4, kNaN, 6};
  const std::vector<double> with_inf = {1, 2, 3, 4, 5, -kInf};
  const std::vector<double> huge = {1e300};
  {
    ad::Writer w(p);
    w.write("ints", ints.data(), {3});
    w.write("big", big.data(), {3});
    w.write("nan", with_nan.data(), {2, 3});
    w.write("inf", with_inf.data(), {6});
    w.write("huge", huge.data(), {1});
    w.write_strings("names", {"a", "b", "c"});
    w.group("grp");
    w.attr("/", "s", "text");
    w.attr("/", "x", 1.5);
    w.commit();
  }
  ad::Reader r(p);
  EXPECT_DATA_ERROR(r.read_f64("ints", {3}), p + ": /ints: expected a float dataset", "got int64");
  EXPECT_DATA_ERROR(r.read_f32("names", {3}), "/names: expected a float", "got string");
  EXPECT_DATA_ERROR(r.read_i64("nan", {}), "/nan: expected an integer", "got float64");
  EXPECT_DATA_ERROR(r.read_i64("big", {3}), "/big: expected an integer", "got uint64");
  EXPECT_DATA_ERROR(r.read_u64("ints", {3}), "/ints: expected an unsigned integer", "got int64");
  EXPECT_DATA_ERROR(r.read_strings("ints"), "/ints: expected a string dataset", "got int64");
  EXPECT_DATA_ERROR(r.read_strings("names", 4), "/names: expected shape (4,), got (3,)");
  EXPECT_DATA_ERROR(r.read_f64("nan", {2, 3}), p + ": /nan: non-finite value nan at index (1, 1)");
  EXPECT_DATA_ERROR(r.read_f32("inf", {6}), "/inf: non-finite value -inf at index 5");
  EXPECT_EQ(r.read_f64("nan", {2, 3}, ad::Finite::kAny).size(), 6u);
  // float64 beyond float32's range becomes inf on the way in, and is caught.
  EXPECT_DATA_ERROR(r.read_f32("huge", {1}), "/huge: non-finite value inf");
  EXPECT_TRUE(std::isinf(r.read_f32("huge", {1}, ad::Finite::kAny)[0]));
  // Missing objects, groups where datasets are expected, attribute kinds.
  EXPECT_DATA_ERROR(r.read_f64("a/b/c", {}), p + ": /a/b/c: missing (expected a float dataset)");
  EXPECT_DATA_ERROR(r.read_f64("grp", {}), "/grp: is a group, expected a float dataset");
  EXPECT_DATA_ERROR(r.shape("nothing"), "/nothing: missing");
  EXPECT_DATA_ERROR(r.members("ints"), "/ints: is not a group");
  EXPECT_DATA_ERROR(r.members("nothing"), "/nothing: missing");
  EXPECT_DATA_ERROR(r.attr_int("/", "s"),
                    p + ": /: attribute 's': expected an integer, got string");
  EXPECT_DATA_ERROR(r.attr_string("/", "x"), "attribute 'x': expected a string, got float64");
  EXPECT_DATA_ERROR(r.attr_string("/", "nope"), "/: missing attribute 'nope'");
  EXPECT_DATA_ERROR(r.attrs("nothing"), "/nothing: missing");
}

TEST_F(H5Test, NotHdf5EmptyMissingAndDirectory) {
  const std::string text = text_file("notes.h5", "these are not the bytes you are looking for\n");
  const std::string empty = text_file("empty.h5", "");
  EXPECT_DATA_ERROR(ad::Reader{text}, text + ": not an HDF5 file or truncated");
  EXPECT_DATA_ERROR(ad::Reader{empty}, empty + ": not an HDF5 file or truncated");
  EXPECT_DATA_ERROR(ad::Reader{path("absent.h5")}, "absent.h5: cannot open: No such file");
  EXPECT_DATA_ERROR(ad::Reader{dir_.string()}, "is a directory");
}

TEST_F(H5Test, HDF5PrintsNothingOnErrors) {
  const std::string text = text_file("notes.h5", "plain text");
  const std::string p = path("ok.h5");
  {
    ad::Writer w(p);
    w.write_strings("s", {"x"});
    w.commit();
  }
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  (void)ad::testing::data_error([&] { ad::Reader r(text); });
  {
    ad::Reader r(p);
    (void)ad::testing::data_error([&] { r.read_f64("missing/deeply/nested", {}); });
    (void)ad::testing::data_error([&] { r.read_f64("s", {}); });
    (void)ad::testing::data_error([&] { r.attr_int("s", "none"); });
    EXPECT_FALSE(r.has("x/y/z"));
  }
  (void)ad::testing::data_error([&] { ad::Writer w(path("no/such/dir/x.h5")); });
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "");
  EXPECT_EQ(out, "");
}

TEST_F(H5Test, LargeDatasetsAreChunkedAndCompressed) {
  // 8 MB of a smooth signal; deflate (after byte shuffling) shrinks it a lot.
  const std::string p = path("big.h5");
  std::vector<double> v(1 << 20);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 1000);
  {
    ad::Writer w(p);
    w.write("v", v.data(), {1024, 1024});
    w.commit();
  }
  EXPECT_LT(std::filesystem::file_size(p), v.size() * sizeof(double) / 8);
  ad::Reader r(p);
  EXPECT_EQ(r.read_f64("v", {1024, 1024}), v);
}

TEST_F(H5Test, WriterErrors) {
  const std::string p = path("w.h5");
  const double x = 1;
  {
    ad::Writer w(p);
    w.write("x", &x, {1});
    EXPECT_DATA_ERROR(w.write("x", &x, {1}), p + ": /x: already exists");
    EXPECT_DATA_ERROR(w.group("x"), "/x: exists and is not a group");
    EXPECT_DATA_ERROR(w.attr("nowhere", "a", 1), "/nowhere: missing");
    EXPECT_THROW(w.write_strings("s", {std::string("a\0b", 3)}), std::invalid_argument);
    w.commit();
    EXPECT_THROW(w.commit(), std::logic_error);
    EXPECT_THROW(w.write("y", &x, {1}), std::logic_error);
  }
  EXPECT_TRUE(ad::Reader(p).has("x"));
  EXPECT_DATA_ERROR(ad::Writer(path("no/such/dir/x.h5")),
                    path("no/such/dir/x.h5") + ": cannot create the temporary file",
                    "No such file or directory");
  EXPECT_EQ(entries(), std::vector<std::string>{"w.h5"});
}

// ---- atomic writing ----

TEST_F(AtomicTest, AbandonedWriterLeavesNothing) {
  const double x = 1;
  {
    ad::Writer w(path("a.h5"));
    w.write("x", &x, {1});
    EXPECT_EQ(entries().size(), 1u);  // the temporary file
    EXPECT_TRUE(contains(w.temporary_path(), "a.h5.tmp-" + std::to_string(::getpid()) + "-"));
  }
  EXPECT_TRUE(entries().empty());
  try {  // an exception thrown while writing: the same
    ad::Writer w(path("b.h5"));
    w.write("x", &x, {1});
    w.write("x", &x, {1});
  } catch (const ad::DataError&) {
  }
  EXPECT_TRUE(entries().empty());
}

TEST_F(AtomicTest, DestinationUntouchedUntilCommit) {
  const std::string p = path("data.h5");
  const double one = 1, two = 2;
  {
    ad::Writer w(p);
    w.write("v", &one, {1});
    w.commit();
  }
  {
    ad::Writer w(p);
    w.write("v", &two, {1});
    w.write("extra", &two, {1});
    EXPECT_EQ(ad::Reader(p).read_f64("v", {1}), std::vector<double>{1});
    EXPECT_FALSE(ad::Reader(p).has("extra"));
    EXPECT_EQ(entries().size(), 2u);
    w.commit();
    EXPECT_EQ(w.temporary_path(), "");
  }
  EXPECT_EQ(ad::Reader(p).read_f64("v", {1}), std::vector<double>{2});
  EXPECT_EQ(entries(), std::vector<std::string>{"data.h5"});
  {  // abandoned rewrite: the old file stays
    ad::Writer w(p);
    const double three = 3;
    w.write("v", &three, {1});
  }
  EXPECT_EQ(ad::Reader(p).read_f64("v", {1}), std::vector<double>{2});
  EXPECT_EQ(entries(), std::vector<std::string>{"data.h5"});
}

/// A molecular dataset whose every energy is `version` (big enough that a write takes a while).
ad::MolecularDataset versioned(int version, std::int64_t frames, std::int64_t atoms) {
  ad::MolecularDataset m;
  std::mt19937_64 rng(static_cast<std::uint64_t>(version) + 11);
  std::uniform_real_distribution<double> u(-3, 3);
  m.atomic_numbers.assign(static_cast<std::size_t>(atoms), 6);
  m.positions.resize(frames, 3 * atoms);
  m.forces.resize(frames, 3 * atoms);
  for (Eigen::Index i = 0; i < m.positions.size(); ++i) {
    m.positions.data()[i] = u(rng);
    m.forces.data()[i] = u(rng);
  }
  m.energies = Eigen::VectorXd::Constant(frames, version);
  m.metadata["version"].kind = ad::AttrValue::Kind::kInt;
  m.metadata["version"].i = version;
  return m;
}

TEST_F(AtomicTest, ExitBeforeCommitLeavesOldFileAndOnlyATemporary) {
  const std::string p = path("mol.h5");
  const ad::MolecularDataset v0 = versioned(0, 50, 20), v1 = versioned(1, 50, 20);
  ad::write_molecules(p, v0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A process that dies between writing and commit() (no destructors run).
    try {
      ad::Writer w(p);
      w.write("energies", v1.energies.data(), {v1.num_frames()});
      ::_exit(0);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(ad::read_molecules(p).energies, v0.energies);
  const auto names = entries();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "mol.h5");
  EXPECT_EQ(names[1].rfind("mol.h5.tmp-" + std::to_string(pid) + "-", 0), 0u) << names[1];
}

TEST_F(AtomicTest, KilledWriterNeverTearsTheDestination) {
  // A child rewrites the file in a loop (versions 1 and 2, ~1 MB each, compressed and fsynced,
  // some 50 ms a write) and is SIGKILLed after a varying delay — counted from its start, or from
  // its first completed commit — so that kills land before, inside and between writes. In every
  // trial the destination must hold a complete, valid file equal to one of the versions, and
  // the only possible leftover is the child's temporary file.
  const std::string p = path("mol.h5");
  const std::int64_t frames = 300, atoms = 70;
  const ad::MolecularDataset versions[3] = {
      versioned(0, frames, atoms), versioned(1, frames, atoms), versioned(2, frames, atoms)};
  ad::write_molecules(p, versions[0]);
  struct Trial {
    bool after_first_commit;
    int delay_us;
  };
  const Trial trials[] = {{false, 0},     {false, 500},   {false, 2000}, {false, 5000},
                          {false, 10000}, {false, 20000}, {true, 0},     {true, 1000},
                          {true, 5000},   {true, 15000},  {true, 30000}, {true, 60000}};
  int with_temporary = 0;
  std::set<int> seen;
  for (const Trial& trial : trials) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child tells the parent when it starts and after each commit.
      ::close(fds[0]);
      const char c = 'x';
      try {
        for (int k = 0;; ++k) {
          if (::write(fds[1], &c, 1) != 1) ::_exit(4);
          ad::write_molecules(p, versions[1 + k % 2]);
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    ::close(fds[1]);
    char c = 0;
    ASSERT_EQ(::read(fds[0], &c, 1), 1);  // started
    if (trial.after_first_commit) {
      ASSERT_EQ(::read(fds[0], &c, 1), 1);  // first commit done
    }
    ::usleep(static_cast<useconds_t>(trial.delay_us));
    ::kill(pid, SIGKILL);
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer child failed (status " << status << ")";

    SCOPED_TRACE("delay " + std::to_string(trial.delay_us) + " us");
    ad::MolecularDataset got;
    ASSERT_NO_THROW(got = ad::read_molecules(p));
    const int version = static_cast<int>(got.energies[0]);
    ASSERT_TRUE(version >= 0 && version <= 2);
    seen.insert(version);
    const ad::MolecularDataset& want = versions[version];
    EXPECT_EQ(got.energies, want.energies);
    EXPECT_EQ(got.positions, want.positions);
    EXPECT_EQ(got.forces, want.forces);
    const std::string prefix = "mol.h5.tmp-" + std::to_string(pid) + "-";
    for (const std::string& name : entries()) {
      if (name == "mol.h5") continue;
      EXPECT_EQ(name.rfind(prefix, 0), 0u) << "unexpected leftover " << name;
      ++with_temporary;
      std::filesystem::remove(path(name));
    }
  }
  // Kills landed inside writes (a temporary file was left) and after commits (new versions).
  EXPECT_GT(with_temporary, 0);
  EXPECT_GT(seen.size(), 1u);
}

}  // namespace
