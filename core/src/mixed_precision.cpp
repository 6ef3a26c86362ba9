// Mixed-precision training (mixed_precision.hpp): 16-bit conversions and the master-weight
// optimizer.

#include "adamant/core/mixed_precision.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#ifdef __F16C__
#include <immintrin.h>
#endif

namespace adamant::core {
namespace {

std::uint32_t bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
float from_bits(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

inline std::uint16_t to_bf16(float x) {
  std::uint32_t u = bits(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even; carries into the exponent
  return static_cast<std::uint16_t>(u >> 16);
}
inline float from_bf16(std::uint16_t h) { return from_bits(static_cast<std::uint32_t>(h) << 16); }

inline std::uint16_t to_fp16(float x) {
  std::uint32_t u = bits(x);
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  u &= 0x7fffffffu;
  if (u > 0x7f800000u)  // NaN: quiet, the top ten bits of the payload
    return static_cast<std::uint16_t>(sign | 0x7e00u | ((u >> 13) & 0x3ffu));
  if (u >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520: Inf
  if (u < 0x38800000u) {
    // below 2^-14, float16's subnormals: the nearest multiple of 2^-24 (the scaling is exact
    // in float32; nearbyint rounds ties to even in the default rounding mode)
    const float q = std::nearbyint(from_bits(u) * 16777216.0f);
    return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(q));
  }
  // normal: re-bias the exponent (127 → 15) and round the 13 dropped bits to nearest even
  u += 0xc8000fffu + ((u >> 13) & 1u);
  return static_cast<std::uint16_t>(sign | (u >> 13));
}
inline float from_fp16(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0) {
    const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m · 2^-24, exact
    return sign != 0 ? -v : v;
  }
  if (e == 31) return from_bits(sign | 0x7f800000u | (m << 13) | (m != 0 ? 0x00400000u : 0u));
  return from_bits(sign | ((e + 112) << 23) | (m << 13));
}

struct RoundTo {
  std::uint16_t* params;
  HalfType type;
};
void round_chunk(void* context, const float* master, std::size_t begin, std::size_t end) {
  const auto* c = static_cast<const RoundTo*>(context);
  to_half(master + begin, c->params + begin, end - begin, c->type);
}

std::string validate_loss_scale(const LossScaleOptions& o) {
  auto num = [](double v) { return std::to_string(v); };
  if (!(o.scale > 0) || !std::isfinite(o.scale))
    return "loss scale must be finite and > 0, got " + num(o.scale);
  if (o.dynamic) {
    if (!(o.growth_factor > 1) || !std::isfinite(o.growth_factor))
      return "loss scale growth_factor must be finite and > 1, got " + num(o.growth_factor);
    if (!(o.backoff_factor > 0 && o.backoff_factor < 1))
      return "loss scale backoff_factor must be in (0, 1), got " + num(o.backoff_factor);
    if (o.growth_interval < 1)
      return "loss scale growth_interval must be >= 1, got " + std::to_string(o.growth_interval);
  }
  return "";
}

}  // namespace

const char* half_type_name(HalfType t) { return t == HalfType::kBFloat16 ? "bfloat16" : "float16"; }

HalfType half_type_from_name(const std::string& name) {
  if (name == "bfloat16" || name == "bf16") return HalfType::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "half") return HalfType::kFloat16;
  throw std::invalid_argument("unknown 16-bit type '" + name +
                              "': expected bfloat16 (bf16) or float16 (fp16, half)");
}

std::uint16_t to_half(float x, HalfType t) {
  return t == HalfType::kBFloat16 ? to_bf16(x) : to_fp16(x);
}
float from_half(std::uint16_t h, HalfType t) {
  return t == HalfType::kBFloat16 ? from_bf16(h) : from_fp16(h);
}

void to_half(const float* x, std::uint16_t* h, std::size_t n, HalfType t) {
  std::size_t i = 0;
  if (t == HalfType::kBFloat16) {
#pragma omp simd
    for (std::size_t j = 0; j < n; ++j) h[j] = to_bf16(x[j]);
    return;
  }
#ifdef __F16C__
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
#endif
  for (; i < n; ++i) h[i] = to_fp16(x[i]);
}

void from_half(const std::uint16_t* h, float* x, std::size_t n, HalfType t) {
  std::size_t i = 0;
  if (t == HalfType::kBFloat16) {
#pragma omp simd
    for (std::size_t j = 0; j < n; ++j) x[j] = from_bf16(h[j]);
    return;
  }
#ifdef __F16C__
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
#endif
  for (; i < n; ++i) x[i] = from_fp16(h[i]);
}

MixedPrecisionOptimizer::MixedPrecisionOptimizer(const UpdateRule<float>& rule,
                                                 const std::uint16_t* params, std::size_t n,
                                                 HalfType type, OptimizerOptions options,
                                                 LossScaleOptions loss_scale)
    : opt_(rule, n, std::move(options)),
      type_(type),
      ls_(loss_scale),
      scale_(loss_scale.scale),
      master_(n),
      grad_(n),
      bad_((n + Optimizer<float>::kChunk - 1) / Optimizer<float>::kChunk) {
  const std::string e = validate_loss_scale(ls_);
  if (!e.empty()) throw std::invalid_argument("MixedPrecisionOptimizer: " + e);
  if (n > 0 && params == nullptr)
    throw std::invalid_argument("MixedPrecisionOptimizer: params is null");
  if (n > 0) from_half(params, master_.data(), n, type_);
}

void MixedPrecisionOptimizer::set_master(const float* master, std::uint16_t* params) {
  std::copy(master, master + size(), master_.begin());
  to_half(master_.data(), params, size(), type_);
}

void MixedPrecisionOptimizer::set_loss_scale(double scale, int growth_tracker) {
  LossScaleOptions o = ls_;
  o.scale = scale;
  const std::string e = validate_loss_scale(o);
  if (!e.empty()) throw std::invalid_argument("MixedPrecisionOptimizer::set_loss_scale: " + e);
  if (growth_tracker < 0)
    throw std::invalid_argument(
        "MixedPrecisionOptimizer::set_loss_scale: growth_tracker must be "
        ">= 0, got " +
        std::to_string(growth_tracker));
  scale_ = scale;
  tracker_ = growth_tracker;
}

MixedStepResult MixedPrecisionOptimizer::step(std::uint16_t* params, const std::uint16_t* grads) {
  const std::size_t n = size(), chunk = Optimizer<float>::kChunk;
  MixedStepResult r;
  r.loss_scale = scale_;
  // GradScaler's unscale: multiply by the float32 reciprocal of the scale.
  const float inv = static_cast<float>(1.0 / scale_);
  float* g = grad_.data();
  auto convert = [&](std::size_t c) {
    const std::size_t b = c * chunk, e = std::min(b + chunk, n);
    from_half(grads + b, g + b, e - b, type_);
    if (inv != 1.0f) {
#pragma omp simd
      for (std::size_t j = b; j < e; ++j) g[j] *= inv;
    }
    std::size_t bad = n;
    for (std::size_t j = b; j < e; ++j)
      if (!std::isfinite(g[j])) {
        bad = j;
        break;
      }
    bad_[c] = bad;
  };
  const auto chunks = static_cast<std::ptrdiff_t>(bad_.size());
  if (opt_.num_threads() > 1 && n >= Optimizer<float>::kParallelMin) {
#pragma omp parallel for num_threads(opt_.num_threads()) schedule(static)
    for (std::ptrdiff_t c = 0; c < chunks; ++c) convert(static_cast<std::size_t>(c));
  } else {
    for (std::ptrdiff_t c = 0; c < chunks; ++c) convert(static_cast<std::size_t>(c));
  }
  const std::size_t bad = bad_.empty() ? n : *std::min_element(bad_.begin(), bad_.end());
  if (bad < n) {
    r.overflow = true;
    if (ls_.dynamic) {  // skip the step, back off
      r.lr = opt_.current_lr();
      r.nonfinite_index = bad;
      scale_ *= ls_.backoff_factor;
      tracker_ = 0;
      return r;
    }
  }
  // A static scale leaves a non-finite gradient to the optimizer's policy (raise or skip).
  RoundTo to{params, type_};
  static_cast<StepResult&>(r) = opt_.step(master_.data(), g, n, &round_chunk, &to);
  if (ls_.dynamic && r.applied && ++tracker_ >= ls_.growth_interval) {
    scale_ *= ls_.growth_factor;
    tracker_ = 0;
  }
  return r;
}

}  // namespace adamant::core
