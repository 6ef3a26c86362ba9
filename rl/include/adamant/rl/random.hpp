#pragma once
// numpy-exact random numbers: SeedSequence, PCG64 and the Generator methods Gymnasium's
// classic-control environments use, so that `reset(seed=s)` reproduces Gymnasium's initial
// state bit for bit.
//
//   SeedSequence(entropy)  numpy.random.SeedSequence (O'Neill's seed_seq hashing: pool of 4
//                          uint32 words, hashmix / mix constants as in numpy/_bit_generator)
//   Pcg64                  PCG XSL RR 128/64 (numpy.random.PCG64): 128-bit LCG state and
//                          increment seeded from SeedSequence.generate_state(4, uint64);
//                          next_u32 halves a 64-bit output (low half first) like numpy's bitgen
//   Generator              numpy.random.Generator: random() = (next_u64 >> 11) · 2⁻⁵³,
//                          uniform(lo, hi) = lo + (hi − lo)·random(), integers(lo, hi) with
//                          numpy's (buffered) Lemire bounded generation, normal() (ziggurat)
//
// References: O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
// Algorithms for Random Number Generation" (2014); numpy 1.24 random module; the golden streams
// in tests/golden/numpy_pcg64.h5.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace adamant::rl {

class SeedSequence {
 public:
  /// A non-negative integer entropy given as little-endian 32-bit words (numpy splits a Python
  /// int this way); the uint64 overload covers every seed below 2⁶⁴.
  explicit SeedSequence(std::uint64_t entropy);
  explicit SeedSequence(std::vector<std::uint32_t> entropy_words);
  /// numpy's SeedSequence.generate_state(n, dtype=uint32 / uint64).
  std::vector<std::uint32_t> generate_state_u32(std::size_t n) const;
  std::vector<std::uint64_t> generate_state_u64(std::size_t n) const;
  const std::array<std::uint32_t, 4>& pool() const { return pool_; }

 private:
  std::array<std::uint32_t, 4> pool_{};
};

/// The complete state of a Pcg64 (and of the Generator around it: numpy buffers a spare 32-bit
/// half for next_u32). Plain data so that checkpoints can store it as uint64 words.
struct Pcg64State {
  std::uint64_t state_hi = 0, state_lo = 0, inc_hi = 0, inc_lo = 0;
  bool has_uint32 = false;
  std::uint32_t uinteger = 0;
  std::array<std::uint64_t, 6> to_words() const;
  static Pcg64State from_words(const std::array<std::uint64_t, 6>& w);
  bool operator==(const Pcg64State& o) const;
};

class Pcg64 {
 public:
  explicit Pcg64(const SeedSequence& seq);
  explicit Pcg64(std::uint64_t seed) : Pcg64(SeedSequence(seed)) {}
  std::uint64_t next_u64();
  std::uint32_t next_u32();
  Pcg64State state() const;
  void set_state(const Pcg64State& s);

 private:
  // 128-bit LCG state and increment (a GCC/Clang extension type; __extension__ keeps
  // -Wpedantic quiet).
  __extension__ typedef unsigned __int128 U128;
  U128 state_ = 0, inc_ = 0;
  bool has_uint32_ = false;
  std::uint32_t uinteger_ = 0;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : bitgen_(seed) {}
  explicit Generator(const SeedSequence& seq) : bitgen_(seq) {}
  /// A generator seeded from the operating system's entropy (reset() without any seed).
  static Generator from_entropy();

  double random();                                             ///< [0, 1), 53 bits
  double uniform(double low, double high);                     ///< numpy Generator.uniform (scalar)
  std::int64_t integers(std::int64_t low, std::int64_t high);  ///< [low, high), like numpy
  double standard_normal();                                    ///< numpy's ziggurat
  double normal(double loc, double scale) { return loc + scale * standard_normal(); }

  Pcg64& bit_generator() { return bitgen_; }
  Pcg64State state() const { return bitgen_.state(); }
  void set_state(const Pcg64State& s) { bitgen_.set_state(s); }

 private:
  Pcg64 bitgen_;
};

}  // namespace adamant::rl
