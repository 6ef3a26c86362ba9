// numpy-exact SeedSequence, PCG64 and Generator (see random.hpp for the equations).
//
// Every constant below is numpy 1.24's (numpy/random/bit_generator.pyx, numpy/random/_pcg64.pyx,
// numpy/random/src/pcg64, numpy/random/src/distributions); the ziggurat tables are computed at
// start-up from the ziggurat definition instead of being listed (see ZigguratTables).

#include "adamant/rl/random.hpp"

#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

namespace adamant::rl {
namespace {

// ---- SeedSequence (O'Neill's seed_seq as numpy implements it, pool of 4 words) ----
constexpr std::uint32_t kInitA = 0x43b0d7e5u;
constexpr std::uint32_t kMultA = 0x931e8875u;
constexpr std::uint32_t kInitB = 0x8b51f9ddu;
constexpr std::uint32_t kMultB = 0x58f38dedu;
constexpr std::uint32_t kMixMultL = 0xca01f9ddu;
constexpr std::uint32_t kMixMultR = 0x4973f715u;
constexpr int kXShift = 16;  // 4 bytes · 8 bits / 2
constexpr std::size_t kPoolSize = 4;

/// hashmix(value, hash_const): value ^= h; h *= MULT_A; value *= h; value ^= value >> XSHIFT.
std::uint32_t hashmix(std::uint32_t value, std::uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}

/// mix(x, y) = (MIX_MULT_L·x − MIX_MULT_R·y) ^ (… >> XSHIFT), all modulo 2³².
std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
  std::uint32_t result = kMixMultL * x - kMixMultR * y;
  result ^= result >> kXShift;
  return result;
}

// ---- PCG64 (XSL RR 128/64) ----
__extension__ typedef unsigned __int128 u128;
constexpr u128 kPcgMultiplier =
    (static_cast<u128>(0x2360ED051FC65DA4ULL) << 64) | 0x4385DF649FCCF645ULL;

inline u128 make_u128(std::uint64_t hi, std::uint64_t lo) {
  return (static_cast<u128>(hi) << 64) | lo;
}

inline std::uint64_t rotr64(std::uint64_t value, unsigned rot) {
  return (value >> rot) | (value << ((64u - rot) & 63u));
}

// ---- Ziggurat for the standard normal (numpy's random_standard_normal) ----
// numpy's 256-layer tables follow Marsaglia & Tsang (2000): with f(x) = exp(−x²/2), the right
// edge of the base strip r and the common layer area V, x₂₅₅ = r and going down
// x_{i−1} = sqrt(−2·ln(f(x_i) + V / x_i)) for 254 layers, x₀ = 0. Then for 52-bit magnitudes
//   ki[0] = round(r·f(r)/V · 2⁵²), ki[i] = round(x_{i−1}/x_i · 2⁵²) (ki[1] = 0),
//   wi[0] = V/f(r) / 2⁵², wi[i] = x_i / 2⁵², fi[i] = f(x_i).
// numpy generated its tables (randomgen's ziggurat script) with r = 3.6541528853610087963519…
// and V = 0.0049286732339746519 (Marsaglia & Tsang's rounded 0.00492867323399 does not
// reproduce them). The recursion is evaluated here in double precision with glibc's exp/log,
// which reproduces all 768 numbers bit for bit but one rounding: the libm that produced numpy's
// tables rounded f(x₃₈) = exp(−x₃₈²/2) up (the exact value lies 0.498 ulp above glibc's correctly
// rounded result), and that value enters fi[38] and the recursion below layer 38. We apply that
// single upward rounding explicitly; tests/rl/test_random.cpp checks the outcome against numpy's
// own standard_normal streams.
constexpr double kZigR = 3.6541528853610087963519472518;
constexpr double kZigInvR = 0.27366123732975827203338247596;
constexpr double kZigV = 0.0049286732339746519;
constexpr int kZigLayers = 256;
constexpr int kZigQuirkLayer = 38;

struct ZigguratTables {
  std::uint64_t ki[kZigLayers];
  double wi[kZigLayers];
  double fi[kZigLayers];

  static double f(double x, int layer) {
    const double y = std::exp(-0.5 * x * x);
    return layer == kZigQuirkLayer ? std::nextafter(y, 2.0) : y;
  }

  ZigguratTables() {
    constexpr double scale = 4503599627370496.0;  // 2⁵²
    double x[kZigLayers];
    x[kZigLayers - 1] = kZigR;
    for (int i = kZigLayers - 2; i >= 1; --i) {
      const double xn = x[i + 1];
      x[i] = std::sqrt(-2.0 * std::log(f(xn, i + 1) + kZigV / xn));
    }
    x[0] = 0.0;
    const double fr = f(kZigR, kZigLayers - 1);
    ki[0] = static_cast<std::uint64_t>(std::nearbyint(kZigR * fr / kZigV * scale));
    for (int i = 1; i < kZigLayers; ++i) {
      ki[i] = static_cast<std::uint64_t>(std::nearbyint(x[i - 1] / x[i] * scale));
    }
    wi[0] = kZigV / fr / scale;
    for (int i = 1; i < kZigLayers; ++i) wi[i] = x[i] / scale;
    for (int i = 0; i < kZigLayers; ++i) fi[i] = f(x[i], i);
  }
};

const ZigguratTables& zig() {
  static const ZigguratTables tables;
  return tables;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
SeedSequence::SeedSequence(std::uint64_t entropy) {
  std::vector<std::uint32_t> words;
  words.push_back(static_cast<std::uint32_t>(entropy));
  if ((entropy >> 32) != 0) words.push_back(static_cast<std::uint32_t>(entropy >> 32));
  *this = SeedSequence(std::move(words));
}

SeedSequence::SeedSequence(std::vector<std::uint32_t> entropy) {
  std::uint32_t hash_const = kInitA;
  for (std::size_t i = 0; i < kPoolSize; ++i) {
    pool_[i] = hashmix(i < entropy.size() ? entropy[i] : 0u, hash_const);
  }
  for (std::size_t src = 0; src < kPoolSize; ++src) {
    for (std::size_t dst = 0; dst < kPoolSize; ++dst) {
      if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src], hash_const));
    }
  }
  for (std::size_t src = kPoolSize; src < entropy.size(); ++src) {
    for (std::size_t dst = 0; dst < kPoolSize; ++dst) {
      pool_[dst] = mix(pool_[dst], hashmix(entropy[src], hash_const));
    }
  }
}

std::vector<std::uint32_t> SeedSequence::generate_state_u32(std::size_t n) const {
  std::vector<std::uint32_t> out(n);
  std::uint32_t hash_const = kInitB;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t v = pool_[i % kPoolSize];
    v ^= hash_const;
    hash_const *= kMultB;
    v *= hash_const;
    v ^= v >> kXShift;
    out[i] = v;
  }
  return out;
}

std::vector<std::uint64_t> SeedSequence::generate_state_u64(std::size_t n) const {
  const std::vector<std::uint32_t> words = generate_state_u32(2 * n);
  std::vector<std::uint64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint64_t>(words[2 * i]) |
             (static_cast<std::uint64_t>(words[2 * i + 1]) << 32);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
std::array<std::uint64_t, 6> Pcg64State::to_words() const {
  return {state_hi, state_lo, inc_hi, inc_lo, has_uint32 ? 1u : 0u, uinteger};
}

Pcg64State Pcg64State::from_words(const std::array<std::uint64_t, 6>& w) {
  if (w[4] > 1 || w[5] > 0xFFFFFFFFull || (w[3] & 1u) == 0) {
    throw std::invalid_argument(
        "Pcg64State::from_words: expected [state_hi, state_lo, inc_hi, inc_lo (odd), "
        "has_uint32 (0/1), uinteger (< 2^32)]");
  }
  Pcg64State s;
  s.state_hi = w[0];
  s.state_lo = w[1];
  s.inc_hi = w[2];
  s.inc_lo = w[3];
  s.has_uint32 = w[4] != 0;
  s.uinteger = static_cast<std::uint32_t>(w[5]);
  return s;
}

bool Pcg64State::operator==(const Pcg64State& o) const {
  return state_hi == o.state_hi && state_lo == o.state_lo && inc_hi == o.inc_hi &&
         inc_lo == o.inc_lo && has_uint32 == o.has_uint32 && uinteger == o.uinteger;
}

Pcg64::Pcg64(const SeedSequence& seq) {
  // numpy: val = seed_seq.generate_state(4, uint64); initstate = (val[0] << 64) | val[1],
  // initseq = (val[2] << 64) | val[3]; pcg_setseq_128_srandom_r.
  const std::vector<std::uint64_t> val = seq.generate_state_u64(4);
  const u128 initstate = make_u128(val[0], val[1]);
  const u128 initseq = make_u128(val[2], val[3]);
  state_ = 0;
  inc_ = (initseq << 1) | 1u;
  state_ = state_ * kPcgMultiplier + inc_;
  state_ += initstate;
  state_ = state_ * kPcgMultiplier + inc_;
}

std::uint64_t Pcg64::next_u64() {
  state_ = state_ * kPcgMultiplier + inc_;
  const auto hi = static_cast<std::uint64_t>(state_ >> 64);
  const auto lo = static_cast<std::uint64_t>(state_);
  return rotr64(hi ^ lo, static_cast<unsigned>(state_ >> 122));
}

std::uint32_t Pcg64::next_u32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  const std::uint64_t next = next_u64();
  has_uint32_ = true;
  uinteger_ = static_cast<std::uint32_t>(next >> 32);
  return static_cast<std::uint32_t>(next & 0xFFFFFFFFull);
}

Pcg64State Pcg64::state() const {
  Pcg64State s;
  s.state_hi = static_cast<std::uint64_t>(state_ >> 64);
  s.state_lo = static_cast<std::uint64_t>(state_);
  s.inc_hi = static_cast<std::uint64_t>(inc_ >> 64);
  s.inc_lo = static_cast<std::uint64_t>(inc_);
  s.has_uint32 = has_uint32_;
  s.uinteger = uinteger_;
  return s;
}

void Pcg64::set_state(const Pcg64State& s) {
  if ((s.inc_lo & 1u) == 0) {
    throw std::invalid_argument("Pcg64::set_state: the increment must be odd");
  }
  state_ = make_u128(s.state_hi, s.state_lo);
  inc_ = make_u128(s.inc_hi, s.inc_lo);
  has_uint32_ = s.has_uint32;
  uinteger_ = s.uinteger;
}

// ---------------------------------------------------------------------------------------------
Generator Generator::from_entropy() {
  // numpy: SeedSequence(None) draws 128 bits from the OS (secrets.randbits(128)).
  std::random_device rd;
  std::vector<std::uint32_t> words(4);
  for (auto& w : words) w = static_cast<std::uint32_t>(rd());
  return Generator(SeedSequence(std::move(words)));
}

double Generator::random() {
  return static_cast<double>(bitgen_.next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

double Generator::uniform(double low, double high) {
  const double range = high - low;
  if (!std::isfinite(range)) {
    throw std::invalid_argument("Generator::uniform: high - low must be finite (got low=" +
                                std::to_string(low) + ", high=" + std::to_string(high) + ")");
  }
  return low + range * random();
}

std::int64_t Generator::integers(std::int64_t low, std::int64_t high) {
  if (high <= low) {
    throw std::invalid_argument("Generator::integers: high <= low (low=" + std::to_string(low) +
                                ", high=" + std::to_string(high) + ")");
  }
  // numpy's _rand_int64 → random_bounded_uint64_fill with rng = high − 1 − low.
  const std::uint64_t rng = static_cast<std::uint64_t>(high) - 1u - static_cast<std::uint64_t>(low);
  const auto off = static_cast<std::uint64_t>(low);
  if (rng == 0) return low;
  std::uint64_t value;
  if (rng <= 0xFFFFFFFFull) {
    if (rng == 0xFFFFFFFFull) {
      value = bitgen_.next_u32();
    } else {
      // Lemire's bounded generation on 32-bit draws (the bit generator's buffered halves).
      const std::uint32_t rng_excl = static_cast<std::uint32_t>(rng) + 1u;
      std::uint64_t m = static_cast<std::uint64_t>(bitgen_.next_u32()) * rng_excl;
      auto leftover = static_cast<std::uint32_t>(m);
      if (leftover < rng_excl) {
        const std::uint32_t threshold = (0xFFFFFFFFu - static_cast<std::uint32_t>(rng)) % rng_excl;
        while (leftover < threshold) {
          m = static_cast<std::uint64_t>(bitgen_.next_u32()) * rng_excl;
          leftover = static_cast<std::uint32_t>(m);
        }
      }
      value = m >> 32;
    }
  } else if (rng == 0xFFFFFFFFFFFFFFFFull) {
    value = bitgen_.next_u64();
  } else {
    // Lemire on 64-bit draws with a 128-bit product.
    const std::uint64_t rng_excl = rng + 1u;
    u128 m = static_cast<u128>(bitgen_.next_u64()) * rng_excl;
    auto leftover = static_cast<std::uint64_t>(m);
    if (leftover < rng_excl) {
      const std::uint64_t threshold = (0xFFFFFFFFFFFFFFFFull - rng) % rng_excl;
      while (leftover < threshold) {
        m = static_cast<u128>(bitgen_.next_u64()) * rng_excl;
        leftover = static_cast<std::uint64_t>(m);
      }
    }
    value = static_cast<std::uint64_t>(m >> 64);
  }
  return static_cast<std::int64_t>(off + value);
}

double Generator::standard_normal() {
  const ZigguratTables& t = zig();
  for (;;) {
    std::uint64_t r = bitgen_.next_u64();
    const int idx = static_cast<int>(r & 0xFF);
    r >>= 8;
    const bool negative = (r & 1u) != 0;
    const std::uint64_t rabs = (r >> 1) & 0x000FFFFFFFFFFFFFull;
    double x = static_cast<double>(rabs) * t.wi[idx];
    if (negative) x = -x;
    if (rabs < t.ki[idx]) return x;  // inside the layer's rectangle (~99.3 %)
    if (idx == 0) {
      // The tail beyond r (Marsaglia 1964), with 1 − U to avoid log(0).
      for (;;) {
        const double xx = -kZigInvR * std::log1p(-random());
        const double yy = -std::log1p(-random());
        if (yy + yy > xx * xx) {
          return ((rabs >> 8) & 1u) ? -(kZigR + xx) : kZigR + xx;
        }
      }
    }
    if ((t.fi[idx - 1] - t.fi[idx]) * random() + t.fi[idx] < std::exp(-0.5 * x * x)) return x;
  }
}

}  // namespace adamant::rl
