// numpy-exact random numbers: every stream recorded from numpy 1.24 must come out bit for bit.
//   numpy_pcg64.h5            SeedSequence state words, raw uint64, random(), uniform(-0.05, 0.05)
//                             and integers(2) for seeds up to and above 2^63
//   numpy_generator_extra.h5  standard_normal (ziggurat), integers over many ranges (32-bit and
//                             64-bit Lemire), interleaved calls (the 32-bit buffer), vector
//                             uniform, SeedSequence of long entropy (make_numpy_extra.py)

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/rl/random.hpp"

namespace {

using adamant::datasets::kAnyExtent;
using adamant::datasets::Reader;
using adamant::rl::Generator;
using adamant::rl::Pcg64;
using adamant::rl::Pcg64State;
using adamant::rl::SeedSequence;

const std::string kGolden = ADAMANT_GOLDEN_DIR;

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

std::uint64_t seed_of(const std::string& group) {
  // Group names are "seed_<decimal>" (the attribute may exceed int64).
  return std::stoull(group.substr(group.find('_') + 1));
}

TEST(NumpyPcg64, EveryRecordedSeedBitExact) {
  Reader r(kGolden + "/numpy_pcg64.h5");
  const auto groups = r.members("/");
  ASSERT_GE(groups.size(), 8u);
  for (const auto& g : groups) {
    SCOPED_TRACE(g);
    const std::uint64_t seed = seed_of(g);
    const SeedSequence ss(seed);

    const auto words = r.read_u64(g + "/seedsequence_state_uint32x8", {8});
    const auto state = ss.generate_state_u32(8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(state[i], words[i]) << "word " << i;
    // uint64 state = pairs of uint32 words, little-endian.
    const auto state64 = ss.generate_state_u64(4);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(state64[i], words[2 * i] | (words[2 * i + 1] << 32));
    }

    const auto raw = r.read_u64(g + "/raw_uint64", {kAnyExtent});
    Pcg64 bg(ss);
    for (std::size_t i = 0; i < raw.size(); ++i) ASSERT_EQ(bg.next_u64(), raw[i]) << i;

    const auto rnd = r.read_f64(g + "/random", {kAnyExtent});
    Generator gr(seed);
    for (std::size_t i = 0; i < rnd.size(); ++i) ASSERT_EQ(bits(gr.random()), bits(rnd[i])) << i;

    const auto uni = r.read_f64(g + "/uniform_m0.05_0.05", {kAnyExtent});
    Generator gu(seed);
    for (std::size_t i = 0; i < uni.size(); ++i) {
      ASSERT_EQ(bits(gu.uniform(-0.05, 0.05)), bits(uni[i])) << i;
    }

    const auto ints = r.read_i64(g + "/integers_0_2", {kAnyExtent});
    Generator gi(seed);
    for (std::size_t i = 0; i < ints.size(); ++i) ASSERT_EQ(gi.integers(0, 2), ints[i]) << i;
  }
}

TEST(NumpyPcg64, Next32UsesBothHalvesLowFirst) {
  Pcg64 a(5), b(5);
  for (int i = 0; i < 10; ++i) {
    const std::uint64_t v = a.next_u64();
    EXPECT_EQ(b.next_u32(), static_cast<std::uint32_t>(v));
    EXPECT_EQ(b.next_u32(), static_cast<std::uint32_t>(v >> 32));
  }
}

TEST(NumpyPcg64, StateRoundTripsThroughWords) {
  Generator g(77);
  g.integers(0, 2);  // leaves a buffered half
  const Pcg64State s = g.state();
  EXPECT_TRUE(s.has_uint32);
  const Pcg64State back = Pcg64State::from_words(s.to_words());
  EXPECT_EQ(back, s);
  Generator h(1);
  h.set_state(back);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(h.integers(0, 1000), g.integers(0, 1000));
  auto w = s.to_words();
  w[3] &= ~std::uint64_t{1};  // an even increment is no PCG state
  EXPECT_THROW(Pcg64State::from_words(w), std::invalid_argument);
}

TEST(NumpyGenerator, StandardNormalMatchesNumpyZiggurat) {
  Reader r(kGolden + "/numpy_generator_extra.h5");
  for (const auto& g : r.members("normal")) {
    SCOPED_TRACE(g);
    const std::uint64_t seed = seed_of(g);
    const auto first = r.read_f64("normal/" + g + "/first", {kAnyExtent});
    Generator gen(seed);
    for (std::size_t i = 0; i < first.size(); ++i) {
      ASSERT_EQ(bits(gen.standard_normal()), bits(first[i])) << i;
    }
    // 200000 draws (≈ 1400 wedge rejections and ≈ 50 tail draws): the in-order sum and the
    // number of tail values must agree exactly.
    Generator big(seed);
    double sum = 0;
    std::int64_t tail = 0;
    for (int i = 0; i < 200000; ++i) {
      const double x = big.standard_normal();
      sum += x;
      tail += (x > 3.6541528853610088 || x < -3.6541528853610088) ? 1 : 0;
    }
    EXPECT_EQ(bits(sum), bits(r.read_f64("normal/" + g + "/sum_200000", {})[0]));
    EXPECT_EQ(tail, r.read_i64("normal/" + g + "/tail_count", {})[0]);
    EXPECT_GT(tail, 0);
  }
}

TEST(NumpyGenerator, IntegersOverManyRanges) {
  Reader r(kGolden + "/numpy_generator_extra.h5");
  const auto ranges = r.read_i64("integers/ranges", {kAnyExtent, 2});
  const std::size_t k = ranges.size() / 2;
  for (const auto& name : r.members("integers")) {
    if (name == "ranges") continue;
    SCOPED_TRACE(name);
    const auto want = r.read_i64("integers/" + name, {kAnyExtent});
    ASSERT_EQ(want.size() % k, 0u);
    Generator g(seed_of(name));
    for (std::size_t i = 0; i < want.size(); ++i) {
      const std::int64_t lo = ranges[2 * (i % k)], hi = ranges[2 * (i % k) + 1];
      ASSERT_EQ(g.integers(lo, hi), want[i])
          << "call " << i << " integers(" << lo << ", " << hi << ")";
    }
  }
}

TEST(NumpyGenerator, InterleavedCallsShareTheBufferedHalf) {
  Reader r(kGolden + "/numpy_generator_extra.h5");
  for (const auto& name : r.members("mixed")) {
    SCOPED_TRACE(name);
    const auto want = r.read_f64("mixed/" + name, {kAnyExtent});
    Generator g(seed_of(name));
    for (std::size_t i = 0; i + 5 <= want.size(); i += 5) {
      ASSERT_EQ(static_cast<double>(g.integers(0, 3)), want[i]) << i;
      ASSERT_EQ(bits(g.random()), bits(want[i + 1])) << i;
      ASSERT_EQ(bits(g.standard_normal()), bits(want[i + 2])) << i;
      ASSERT_EQ(bits(g.uniform(-2, 2)), bits(want[i + 3])) << i;
      ASSERT_EQ(static_cast<double>(g.integers(0, 1000)), want[i + 4]) << i;
    }
  }
}

TEST(NumpyGenerator, VectorUniformIsElementwiseScalarUniform) {
  Reader r(kGolden + "/numpy_generator_extra.h5");
  const double pi = 3.141592653589793;
  for (const auto& name : r.members("uniform_vec")) {
    SCOPED_TRACE(name);
    const auto want = r.read_f64("uniform_vec/" + name, {kAnyExtent, 2});
    Generator g(seed_of(name));
    for (std::size_t i = 0; i < want.size(); i += 2) {
      ASSERT_EQ(bits(g.uniform(-pi, pi)), bits(want[i])) << i;
      ASSERT_EQ(bits(g.uniform(-1.0, 1.0)), bits(want[i + 1])) << i;
    }
  }
}

TEST(NumpySeedSequence, LongEntropyAndBigIntegers) {
  Reader r(kGolden + "/numpy_generator_extra.h5");
  const auto cases = r.members("seedseq");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& name : cases) {
    SCOPED_TRACE(name);
    const std::string g = "seedseq/" + name;
    const auto w64 = r.read_u64(g + "/entropy_words", {kAnyExtent});
    std::vector<std::uint32_t> words(w64.begin(), w64.end());
    const SeedSequence ss(words);
    const auto pool = r.read_u64(g + "/pool", {4});
    for (int i = 0; i < 4; ++i) EXPECT_EQ(ss.pool()[i], pool[i]);
    const auto s32 = r.read_u64(g + "/state_u32_8", {8});
    const auto got32 = ss.generate_state_u32(8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(got32[i], s32[i]);
    const auto s64 = r.read_u64(g + "/state_u64_4", {4});
    const auto got64 = ss.generate_state_u64(4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(got64[i], s64[i]);
    if (words.size() <= 2) {  // the uint64 constructor splits the same way
      std::uint64_t v = words[0] | (words.size() > 1 ? std::uint64_t{words[1]} << 32 : 0);
      if (words.size() == 1 || words[1] != 0) {
        EXPECT_EQ(SeedSequence(v).pool(), ss.pool());
      }
    }
  }
  // 0 is the one word [0]; a seed of 2^32 needs two words.
  EXPECT_EQ(SeedSequence(0).pool(), SeedSequence(std::vector<std::uint32_t>{0}).pool());
  EXPECT_EQ(SeedSequence(std::uint64_t{1} << 32).pool(),
            SeedSequence(std::vector<std::uint32_t>{0, 1}).pool());
  EXPECT_NE(SeedSequence(std::uint64_t{1} << 32).pool(), SeedSequence(0).pool());
}

TEST(NumpyGenerator, ErrorsAndEdgeCases) {
  Generator g(3);
  EXPECT_THROW(g.integers(5, 5), std::invalid_argument);
  EXPECT_THROW(g.uniform(-1e308, 1e308), std::invalid_argument);
  // A range of one value returns low without drawing.
  const Pcg64State before = g.state();
  EXPECT_EQ(g.integers(7, 8), 7);
  EXPECT_EQ(g.state(), before);
  // from_entropy gives different streams.
  Generator a = Generator::from_entropy(), b = Generator::from_entropy();
  bool differ = false;
  for (int i = 0; i < 4; ++i) differ |= a.random() != b.random();
  EXPECT_TRUE(differ);
}

}  // namespace
