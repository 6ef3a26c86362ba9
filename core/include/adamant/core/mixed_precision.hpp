#pragma once
// Mixed-precision training: parameters and gradients in a 16-bit format (bfloat16 or IEEE
// float16), the optimizer's master weights and moments in float32, as Micikevicius et al. 2018
// ("Mixed Precision Training") and every framework's AMP do it. A step
//
//   1. reads the 16-bit gradient once: converts it to float32, divides by the loss scale and
//      checks it is finite (one pass, threads by chunk);
//   2. runs the float32 Optimizer (any rule, clipping, schedule, groups, threads) on the master
//      weights, and in the same pass, chunk by chunk while the chunk is in cache, rounds the new
//      master weights to the 16-bit parameters (round to nearest, ties to even).
//
// So the master weights are exactly what Optimizer<float> computes from the unscaled float32
// gradient, and the 16-bit parameters are always those master weights rounded. Why master
// weights at all: an update smaller than half a unit in the last place of the parameter is lost
// when the parameter itself is stored in 16 bits (bfloat16 keeps 8 significant bits, so any
// step below 2⁻⁹·|θ| vanishes); and why a loss scale: float16's smallest subnormal is 2⁻²⁴
// ≈ 6e−8, so small gradients underflow to zero unless the loss is multiplied before the
// backward pass (adamant lab low_precision shows both).
//
// Loss scaling (LossScaleOptions) follows torch.cuda.amp.GradScaler: with a dynamic scale a
// gradient with an Inf or NaN skips the step (nothing changes but the scale) and multiplies the
// scale by backoff_factor; growth_interval consecutive good steps multiply it by growth_factor.
// With a static scale a non-finite gradient follows OptimizerOptions::non_finite.

#include <cstddef>
#include <cstdint>
#include <string>

#include "adamant/core/optimizer.hpp"

namespace adamant::core {

enum class HalfType {
  kBFloat16,  ///< 1 sign, 8 exponent, 7 fraction bits: float32's range, 8 significant bits
  kFloat16,   ///< IEEE binary16: 1, 5, 10; largest 65504, smallest subnormal 2⁻²⁴
};
/// "bfloat16" or "float16".
const char* half_type_name(HalfType t);
/// "bfloat16"/"bf16" or "float16"/"fp16"/"half"; std::invalid_argument naming the others.
HalfType half_type_from_name(const std::string& name);

/// float32 → 16 bits, rounded to nearest with ties to even (as IEEE conversion and
/// torch's .to(torch.bfloat16) do); overflow gives ±Inf (float16: |x| >= 65520, half an ulp above
/// 65504); a NaN stays a NaN, quiet, with its sign and the top bits of its payload (as the F16C
/// instructions convert it).
std::uint16_t to_half(float x, HalfType t);
/// 16 bits → float32 (exact: every 16-bit value is a float32).
float from_half(std::uint16_t h, HalfType t);
/// Bulk versions of the two (F16C instructions for float16 where the CPU has them; the same
/// results as the scalar functions, bit for bit).
void to_half(const float* x, std::uint16_t* h, std::size_t n, HalfType t);
void from_half(const std::uint16_t* h, float* x, std::size_t n, HalfType t);

struct LossScaleOptions {
  /// The factor the gradients arrive multiplied by (the loss was multiplied by it before the
  /// backward pass). 1: no scaling. GradScaler's default initial scale is 65536.
  double scale = 1;
  /// Adjust the scale as GradScaler does (below); false: a constant scale.
  bool dynamic = false;
  double growth_factor = 2.0;   ///< > 1
  double backoff_factor = 0.5;  ///< in (0, 1)
  int growth_interval = 2000;   ///< >= 1 good steps before the scale grows
};

/// What a mixed-precision step did: the float32 step's result, and the loss scale.
struct MixedStepResult : StepResult {
  bool overflow = false;  ///< the gradient had an Inf or NaN (dynamic scale: step skipped)
  double loss_scale = 1;  ///< the scale this step's gradient was divided by
};

class MixedPrecisionOptimizer {
 public:
  /// Master weights start as the float32 values of `params` (exact). Throws
  /// std::invalid_argument naming the problem for invalid rule hyper-parameters, optimizer
  /// options or loss-scale options.
  MixedPrecisionOptimizer(const UpdateRule<float>& rule, const std::uint16_t* params, std::size_t n,
                          HalfType type, OptimizerOptions options = {},
                          LossScaleOptions loss_scale = {});
  template <typename Options, typename = decltype(make_rule<float>(std::declval<Options>()))>
  MixedPrecisionOptimizer(const Options& rule_options, const std::uint16_t* params, std::size_t n,
                          HalfType type, OptimizerOptions options = {},
                          LossScaleOptions loss_scale = {})
      : MixedPrecisionOptimizer(*make_rule<float>(rule_options), params, n, type,
                                std::move(options), loss_scale) {}

  /// One step: `grads` (16-bit, multiplied by loss_scale()) updates the master weights, and
  /// `params` (16-bit, n elements) receives them rounded.
  MixedStepResult step(std::uint16_t* params, const std::uint16_t* grads);

  std::size_t size() const { return opt_.size(); }
  HalfType type() const { return type_; }
  /// The float32 master weights.
  const float* master() const { return master_.data(); }
  /// Replaces the master weights (n values) and writes them rounded to `params`.
  void set_master(const float* master, std::uint16_t* params);
  /// The float32 optimizer over the master weights (its state: moments, step counters).
  const Optimizer<float>& optimizer() const { return opt_; }
  Optimizer<float>& optimizer() { return opt_; }
  double loss_scale() const { return scale_; }
  /// Good steps since the scale last changed (GradScaler's growth tracker).
  int growth_tracker() const { return tracker_; }
  /// Restores the loss scale and growth tracker (e.g. from a checkpoint).
  void set_loss_scale(double scale, int growth_tracker = 0);

 private:
  Optimizer<float> opt_;
  HalfType type_;
  LossScaleOptions ls_;
  double scale_ = 1;
  int tracker_ = 0;
  AlignedVector<float> master_, grad_;
  std::vector<std::size_t> bad_;  // per chunk: first non-finite index, or n
};

}  // namespace adamant::core
