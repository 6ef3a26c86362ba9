#pragma once
// Internal: the dynamics of Gymnasium 1.x's five classic-control environments, one struct per
// environment, shared by the single environments (envs.cpp) and the batched VecEnv
// (vec_env.cpp) so that both compute every number with the same floating-point operations.
//
// Exactness. Gymnasium computes in float64 with Python/numpy scalars; each expression below
// keeps Gymnasium's operand order (left to right, as Python evaluates it) and its constants as
// Python computes them (e.g. total_mass = 0.1 + 1.0, 4.0 / 3.0). The project compiles with
// -ffp-contract=off, so no multiply-add is fused and a vectorised loop rounds like the scalar
// one. Python's `x ** 2` (float and numpy float64 alike) calls the C library's pow, reproduced by
// glibc_pow2 below. MountainCar-v0 and MountainCarContinuous-v0 use math.cos, i.e. glibc's: we
// call the same function and match Gymnasium bit for bit. CartPole-v1 (in Gymnasium 1.4.0, as
// its golden data shows), Acrobot-v1 and Pendulum-v1 use numpy's float64 np.sin / np.cos: on
// machines without AVX-512 numpy calls the C library too (bit-exact again), but on AVX-512
// machines numpy uses Intel's SVML, which differs from glibc by up to a few ulps, so there a step
// matches Gymnasium to about 1e-15 of the state's scale rather than bit for bit. We keep glibc's
// sin/cos (sincos returns the same values as sin and cos) for all five.
//
// Sources (Gymnasium 1.x, gymnasium/envs/classic_control/): cartpole.py, acrobot.py,
// mountain_car.py, continuous_mountain_car.py, pendulum.py, utils.py; registration in
// gymnasium/envs/__init__.py (max_episode_steps).

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"

namespace adamant::rl::detail {

inline std::uint64_t f64_bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
inline double f64_from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

/// glibc's pow(x, 2.0), called for real (the compiler would otherwise fold it into x·x).
double libm_pow2(double x);

/// pow(x, 2.0) exactly as glibc computes it, without calling it in the common case.
/// glibc's pow is not correctly rounded. It evaluates exp(y·log x) with log to a relative error
/// of 1.3·2⁻⁶⁸ and a final exp of at most 0.509 ulp error (glibc e_pow.c's error analysis), so
/// for y = 2 and |ln x²| ≤ 19.4 (x² in [2⁻²⁸, 2²⁸]) the value before the final rounding lies
/// within 0.0098 ulp of the exact x². pow therefore returns the correctly rounded x·x unless the
/// exact x² lies that close to a rounding midpoint (≈ 2 % of inputs; there it may round the
/// other way, and Python's `theta_dot ** 2` differs from `theta_dot * theta_dot`). The exact
/// error e = x² − fl(x·x) comes from one fma; when |e| > (1/2 − 1/32) ulp (a window 3× wider
/// than the bound above; the largest distance measured on 4·10⁸ inputs was 0.0092 ulp), when x²
/// is a power of two or outside [2⁻²⁸, 2²⁸], pow2_candidate reports the value as unsafe and the
/// caller calls pow itself. tests/rl/test_envs.cpp checks glibc_pow2 against pow on millions of
/// inputs.
inline bool pow2_candidate(double x, double* p_out) {
  const double p = x * x;
  const double e = std::fma(x, x, -p);
  const std::uint64_t pb = f64_bits(p);
  const std::uint64_t expo = pb >> 52;  // p ≥ 0: no sign bit
  const double ulp = f64_from_bits((pb & 0x7FF0000000000000ull) - (std::uint64_t{52} << 52));
  *p_out = p;
  return (expo >= 1023 - 28) & (expo < 1023 + 28) & ((pb & 0x000FFFFFFFFFFFFFull) != 0) &
         (std::fabs(e) < 0.46875 * ulp);
}

inline double glibc_pow2(double x) {
  double p;
  return pow2_candidate(x, &p) ? p : libm_pow2(x);
}

/// double(float(x)): x rounded to float32, as a double. The asm barrier is a workaround for a
/// GCC 12 miscompilation: at -O2 and above its SLP vectoriser dropped the rounding of
/// `s[0] = static_cast<float>(p); s[1] = static_cast<float>(v);` when the stored values were
/// cast to float again right after (an observation), storing p and v unrounded.
inline double round_to_float32(double x) {
  float f = static_cast<float>(x);
  __asm__("" : "+x"(f));
  return f;
}

/// glibc sin and cos of one angle.
inline void sin_cos(double x, double* s, double* c) { ::sincos(x, s, c); }

/// sin and cos of x[0, n) through glibc's vector math library libmvec, the widest variant the
/// build targets (AVX-512: 8 lanes, AVX2: 4, else SSE2: 2; at most 4 ulp from the exact values);
/// each lane's result depends on its input alone. Without libmvec (not glibc on x86-64) it falls
/// back to sin_cos. VecMath::kVector's sine and cosine.
void vector_sin_cos(const double* x, int n, double* s, double* c);
/// Which implementation vector_sin_cos uses, e.g. "libmvec AVX-512 (8 lanes)".
const char* vector_sin_cos_kind();

/// numpy's float64 floor remainder a % b (npy_divmod: fmod, then shifted by b when the signs
/// differ; a zero result takes b's sign).
inline double py_mod(double a, double b) {
  double mod = std::fmod(a, b);
  if (b == 0) return mod;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

/// Python's min(max(x, lo), hi) (returns x unless lo > x, then unless hi < that).
inline double py_clamp(double x, double lo, double hi) {
  const double m = (lo > x) ? lo : x;
  return (hi < m) ? hi : m;
}

constexpr double kPi = 3.141592653589793;  // numpy.pi / math.pi

/// utils.maybe_parse_reset_bounds: (low, high) from the options or the defaults; low > high is
/// a ValueError in Gymnasium (std::invalid_argument here).
void parse_reset_bounds(const std::string& id, const ResetOptions& o, double default_low,
                        double default_high, double* low, double* high);

// ------------------------------------------------------------------------------------------
/// CartPole-v1 (cartpole.py, Barto, Sutton & Anderson 1983; Florian 2007 for the equations):
///   temp  = (F + m_p l θ̇² sin θ) / (m_c + m_p)
///   θ̈     = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos²θ / (m_c + m_p)))
///   ẍ     = temp − m_p l θ̈ cos θ / (m_c + m_p)
///   explicit Euler with τ = 0.02: x += τ ẋ, ẋ += τ ẍ, θ += τ θ̇, θ̇ += τ θ̈
/// F = ±10 (action 1 pushes right), g = 9.8, m_c = 1, m_p = 0.1, l = 0.5 (half the pole).
/// Terminates when |x| > 2.4 or |θ| > 12° (strictly beyond, as Gymnasium compares).
/// Reward 1 per step including the terminating one. Reset: uniform(−0.05, 0.05) for all four.
struct CartPole {
  static constexpr const char* kId = "CartPole-v1";
  static constexpr int kStateDim = 4, kObsDim = 4, kActDim = 1, kMaxSteps = 500;
  static constexpr bool kDiscrete = true;
  static constexpr std::int64_t kNumActions = 2;
  static constexpr double kGravity = 9.8, kMassCart = 1.0, kMassPole = 0.1;
  static constexpr double kTotalMass = kMassPole + kMassCart;
  static constexpr double kLength = 0.5;
  static constexpr double kPoleMassLength = kMassPole * kLength;
  static constexpr double kForceMag = 10.0, kTau = 0.02;
  static constexpr double kThetaThreshold = 12 * 2 * kPi / 360;
  static constexpr double kXThreshold = 2.4;

  static Space observation_space();
  static Space action_space();
  static void reset_bounds(const ResetOptions& o, double* low, double* high) {
    parse_reset_bounds(kId, o, -0.05, 0.05, low, high);
  }
  static void reset(Generator& g, double low, double high, double* s) {
    for (int k = 0; k < 4; ++k) s[k] = g.uniform(low, high);
  }
  static void observe(const double* s, float* obs) {
    for (int k = 0; k < 4; ++k) obs[k] = static_cast<float>(s[k]);
  }
  /// The part of a step that calls the C library: sin θ, cos θ, θ̇² and cos²θ as Python gets
  /// them.
  static void trig(double theta, double theta_dot, double* sin_t, double* cos_t,
                   double* theta_dot_sq, double* cos_sq) {
    sin_cos(theta, sin_t, cos_t);
    *theta_dot_sq = glibc_pow2(theta_dot);
    *cos_sq = glibc_pow2(*cos_t);
  }
  /// The rest of the step (plain arithmetic, vectorisable); returns `terminated`.
  static bool advance(double& x, double& x_dot, double& theta, double& theta_dot, bool push_right,
                      double sin_t, double cos_t, double theta_dot_sq, double cos_sq) {
    const double force = push_right ? kForceMag : -kForceMag;
    const double temp = (force + kPoleMassLength * theta_dot_sq * sin_t) / kTotalMass;
    const double thetaacc = (kGravity * sin_t - cos_t * temp) /
                            (kLength * (4.0 / 3.0 - kMassPole * cos_sq / kTotalMass));
    const double xacc = temp - kPoleMassLength * thetaacc * cos_t / kTotalMass;
    x = x + kTau * x_dot;
    x_dot = x_dot + kTau * xacc;
    theta = theta + kTau * theta_dot;
    theta_dot = theta_dot + kTau * thetaacc;
    return (x < -kXThreshold) | (x > kXThreshold) | (theta < -kThetaThreshold) |
           (theta > kThetaThreshold);
  }
  /// One step of the bare dynamics; returns `terminated` (the reward is handled by the caller,
  /// which knows whether the episode had already terminated).
  static bool step(double* s, std::int64_t action) {
    double sn, cs, tdsq, csq;
    trig(s[2], s[3], &sn, &cs, &tdsq, &csq);
    return advance(s[0], s[1], s[2], s[3], action == 1, sn, cs, tdsq, csq);
  }
};

// ------------------------------------------------------------------------------------------
/// Acrobot-v1 (acrobot.py, Sutton 1996; the "book" dynamics of Sutton & Barto): two links of
/// mass 1, length 1, centre of mass 0.5, inertia 1, g = 9.8, torque ∈ {−1, 0, +1} on the joint:
///   d₁ = m₁l_c1² + m₂(l₁² + l_c2² + 2l₁l_c2 cos θ₂) + I₁ + I₂,  d₂ = m₂(l_c2² + l₁l_c2 cos θ₂) +
///   I₂ φ₂ = m₂l_c2 g cos(θ₁ + θ₂ − π/2) φ₁ = −m₂l₁l_c2 θ̇₂² sin θ₂ − 2m₂l₁l_c2 θ̇₂θ̇₁ sin θ₂ +
///   (m₁l_c1 + m₂l₁) g cos(θ₁ − π/2) + φ₂ θ̈₂ = (a + d₂/d₁ φ₁ − m₂l₁l_c2 θ̇₁² sin θ₂ − φ₂) / (m₂l_c2²
///   + I₂ − d₂²/d₁) θ̈₁ = −(d₂θ̈₂ + φ₁)/d₁
/// integrated over dt = 0.2 by one classical RK4 step (Gymnasium's rk4 with t = [0, dt]), then
/// θ wrapped into [−π, π], θ̇₁ bounded to ±4π, θ̇₂ to ±9π. Terminates when
/// −cos θ₁ − cos(θ₂ + θ₁) > 1; reward −1 per step, 0 on the terminating step. Reset:
/// uniform(−0.1, 0.1) for all four, stored as float32 (Gymnasium's .astype(np.float32)).
/// Observation [cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂] as float32.
struct Acrobot {
  static constexpr const char* kId = "Acrobot-v1";
  static constexpr int kStateDim = 4, kObsDim = 6, kActDim = 1, kMaxSteps = 500;
  static constexpr bool kDiscrete = true;
  static constexpr std::int64_t kNumActions = 3;
  static constexpr double kDt = 0.2;
  static constexpr double kMaxVel1 = 4 * kPi, kMaxVel2 = 9 * kPi;

  static Space observation_space();
  static Space action_space();
  static void reset_bounds(const ResetOptions& o, double* low, double* high) {
    parse_reset_bounds(kId, o, -0.1, 0.1, low, high);
  }
  static void reset(Generator& g, double low, double high, double* s) {
    for (int k = 0; k < 4; ++k) s[k] = round_to_float32(g.uniform(low, high));
  }
  static void observe(const double* s, float* obs) {
    double s0, c0, s1, c1;
    sin_cos(s[0], &s0, &c0);
    sin_cos(s[1], &s1, &c1);
    obs[0] = static_cast<float>(c0);
    obs[1] = static_cast<float>(s0);
    obs[2] = static_cast<float>(c1);
    obs[3] = static_cast<float>(s1);
    obs[4] = static_cast<float>(s[2]);
    obs[5] = static_cast<float>(s[3]);
  }
  /// _dsdt for y = (θ₁, θ₂, θ̇₁, θ̇₂, a); writes the first four derivatives (the fifth is 0).
  static void dsdt(const double* y, double* dy) {
    // m1 = m2 = l1 = 1, lc1 = lc2 = 0.5, I1 = I2 = 1, g = 9.8; products of these constants are
    // folded exactly as Python evaluates them left to right (e.g. m2·l1·lc2 = 0.5).
    const double g = 9.8;
    const double a = y[4];
    const double theta1 = y[0], theta2 = y[1], dtheta1 = y[2], dtheta2 = y[3];
    double sin2, cos2;
    sin_cos(theta2, &sin2, &cos2);
    const double d1 = 1.0 * 0.25 + 1.0 * (1.0 + 0.25 + 2 * 1.0 * 0.5 * cos2) + 1.0 + 1.0;
    const double d2 = 1.0 * (0.25 + 1.0 * 0.5 * cos2) + 1.0;
    const double phi2 = 1.0 * 0.5 * g * std::cos(theta1 + theta2 - kPi / 2.0);
    const double phi1 = -1.0 * 1.0 * 0.5 * glibc_pow2(dtheta2) * sin2 -
                        2 * 1.0 * 1.0 * 0.5 * dtheta2 * dtheta1 * sin2 +
                        (1.0 * 0.5 + 1.0 * 1.0) * g * std::cos(theta1 - kPi / 2) + phi2;
    const double ddtheta2 =
        (a + d2 / d1 * phi1 - 1.0 * 1.0 * 0.5 * glibc_pow2(dtheta1) * sin2 - phi2) /
        (1.0 * 0.25 + 1.0 - glibc_pow2(d2) / d1);
    const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    dy[0] = dtheta1;
    dy[1] = dtheta2;
    dy[2] = ddtheta1;
    dy[3] = ddtheta2;
  }
  static double wrap(double x, double m, double big_m) {
    const double diff = big_m - m;
    while (x > big_m) x = x - diff;
    while (x < m) x = x + diff;
    return x;
  }
  static bool terminal(const double* s) { return -std::cos(s[0]) - std::cos(s[1] + s[0]) > 1.0; }
  static bool step(double* s, std::int64_t action) {
    static constexpr double kTorque[3] = {-1.0, 0.0, 1.0};
    const double y0[5] = {s[0], s[1], s[2], s[3], kTorque[action]};
    const double dt = kDt - 0;
    const double dt2 = dt / 2.0;
    double k1[4], k2[4], k3[4], k4[4], y[5];
    dsdt(y0, k1);
    for (int j = 0; j < 4; ++j) y[j] = y0[j] + dt2 * k1[j];
    y[4] = y0[4] + dt2 * 0.0;
    dsdt(y, k2);
    for (int j = 0; j < 4; ++j) y[j] = y0[j] + dt2 * k2[j];
    dsdt(y, k3);
    for (int j = 0; j < 4; ++j) y[j] = y0[j] + dt * k3[j];
    y[4] = y0[4] + dt * 0.0;
    dsdt(y, k4);
    double ns[4];
    for (int j = 0; j < 4; ++j) {
      ns[j] = y0[j] + dt / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    }
    s[0] = wrap(ns[0], -kPi, kPi);
    s[1] = wrap(ns[1], -kPi, kPi);
    s[2] = py_clamp(ns[2], -kMaxVel1, kMaxVel1);
    s[3] = py_clamp(ns[3], -kMaxVel2, kMaxVel2);
    return terminal(s);
  }
  static double reward(bool terminated) { return terminated ? 0.0 : -1.0; }
};

// ------------------------------------------------------------------------------------------
/// MountainCar-v0 (mountain_car.py, Moore 1990):
///   v ← clip(v + (a − 1)·0.001 + cos(3p)·(−0.0025), −0.07, 0.07),  p ← clip(p + v, −1.2, 0.6),
///   v ← 0 when p = −1.2 and v < 0. Terminates when p ≥ 0.5 and v ≥ 0. Reward −1 per step.
/// Reset: p ~ uniform(−0.6, −0.4), v = 0.
struct MountainCar {
  static constexpr const char* kId = "MountainCar-v0";
  static constexpr int kStateDim = 2, kObsDim = 2, kActDim = 1, kMaxSteps = 200;
  static constexpr bool kDiscrete = true;
  static constexpr std::int64_t kNumActions = 3;
  static constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07;
  static constexpr double kGoalPosition = 0.5, kGoalVelocity = 0.0;
  static constexpr double kForce = 0.001, kGravity = 0.0025;

  static Space observation_space();
  static Space action_space();
  static void reset_bounds(const ResetOptions& o, double* low, double* high) {
    parse_reset_bounds(kId, o, -0.6, -0.4, low, high);
  }
  static void reset(Generator& g, double low, double high, double* s) {
    s[0] = g.uniform(low, high);
    s[1] = 0.0;
  }
  static void observe(const double* s, float* obs) {
    obs[0] = static_cast<float>(s[0]);
    obs[1] = static_cast<float>(s[1]);
  }
  static bool step(double* s, std::int64_t action) {
    double position = s[0], velocity = s[1];
    velocity = velocity +
               (static_cast<double>(action - 1) * kForce + std::cos(3 * position) * (-kGravity));
    velocity = py_clamp(velocity, -kMaxSpeed, kMaxSpeed);
    position = position + velocity;
    position = py_clamp(position, kMinPosition, kMaxPosition);
    if (position == kMinPosition && velocity < 0) velocity = 0;
    s[0] = position;
    s[1] = velocity;
    return position >= kGoalPosition && velocity >= kGoalVelocity;
  }
  static double reward(bool) { return -1.0; }
};

// ------------------------------------------------------------------------------------------
/// MountainCarContinuous-v0 (continuous_mountain_car.py): force f = min(max(a, −1), 1),
///   v ← v + f·0.0015 − 0.0025 cos(3p), limited to ±0.07; p ← p + v, limited to [−1.2, 0.6];
///   v ← 0 when p = −1.2 and v < 0. Terminates when p ≥ 0.45 and v ≥ 0 (tested before the
///   state is stored). Reward = 100·[terminated] − 0.1·a² (the unclipped action). Gymnasium
///   stores the state after a step as float32 (np.array(..., dtype=np.float32)); the reset
///   state stays float64. Reset: p ~ uniform(−0.6, −0.4), v = 0.
struct MountainCarContinuous {
  static constexpr const char* kId = "MountainCarContinuous-v0";
  static constexpr int kStateDim = 2, kObsDim = 2, kActDim = 1, kMaxSteps = 999;
  static constexpr bool kDiscrete = false;
  static constexpr std::int64_t kNumActions = 0;
  static constexpr double kMinAction = -1.0, kMaxAction = 1.0;
  static constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07;
  static constexpr double kGoalPosition = 0.45, kGoalVelocity = 0.0, kPower = 0.0015;

  static Space observation_space();
  static Space action_space();
  static void reset_bounds(const ResetOptions& o, double* low, double* high) {
    parse_reset_bounds(kId, o, -0.6, -0.4, low, high);
  }
  static void reset(Generator& g, double low, double high, double* s) {
    s[0] = g.uniform(low, high);
    s[1] = 0.0;
  }
  static void observe(const double* s, float* obs) {
    obs[0] = static_cast<float>(s[0]);
    obs[1] = static_cast<float>(s[1]);
  }
  /// Returns `terminated`; *reward receives the step's reward.
  static bool step(double* s, const float* action, double* reward) {
    const double a = action[0];
    double position = s[0], velocity = s[1];
    const double force = py_clamp(a, kMinAction, kMaxAction);
    velocity = velocity + (force * kPower - 0.0025 * std::cos(3 * position));
    if (velocity > kMaxSpeed) velocity = kMaxSpeed;
    if (velocity < -kMaxSpeed) velocity = -kMaxSpeed;
    position = position + velocity;
    if (position > kMaxPosition) position = kMaxPosition;
    if (position < kMinPosition) position = kMinPosition;
    if (position == kMinPosition && velocity < 0) velocity = 0;
    const bool terminated = position >= kGoalPosition && velocity >= kGoalVelocity;
    double r = 0;
    if (terminated) r = 100.0;
    *reward = r - glibc_pow2(a) * 0.1;
    s[0] = round_to_float32(position);
    s[1] = round_to_float32(velocity);
    return terminated;
  }
};

// ------------------------------------------------------------------------------------------
/// Pendulum-v1 (pendulum.py): g = 10, m = l = 1, dt = 0.05, u = clip(a, −2, 2) (in float32),
///   cost = angle_normalize(θ)² + 0.1 θ̇² + 0.001 u²,  angle_normalize(x) = ((x + π) mod 2π) − π
///   θ̇ ← clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, −8, 8),  θ ← θ + θ̇ dt  (θ is not wrapped)
/// Reward −cost; never terminates. Reset: θ ~ uniform(−π, π), θ̇ ~ uniform(−1, 1), or
/// ±x_init / ±y_init from the options. Observation [cos θ, sin θ, θ̇] as float32.
struct Pendulum {
  static constexpr const char* kId = "Pendulum-v1";
  static constexpr int kStateDim = 2, kObsDim = 3, kActDim = 1, kMaxSteps = 200;
  static constexpr bool kDiscrete = false;
  static constexpr std::int64_t kNumActions = 0;
  static constexpr double kMaxSpeed = 8, kMaxTorque = 2.0, kDt = 0.05, kG = 10.0, kM = 1.0,
                          kL = 1.0;
  static constexpr double kDefaultX = kPi, kDefaultY = 1.0;

  static Space observation_space();
  static Space action_space();
  /// Pendulum takes x_init / y_init (low = −high), not low / high.
  static void reset_bounds(const ResetOptions& o, double* x, double* y);
  static void reset(Generator& g, double x, double y, double* s) {
    s[0] = g.uniform(-x, x);
    s[1] = g.uniform(-y, y);
  }
  static void observe(const double* s, float* obs) {
    double sn, cs;
    sin_cos(s[0], &sn, &cs);
    obs[0] = static_cast<float>(cs);
    obs[1] = static_cast<float>(sn);
    obs[2] = static_cast<float>(s[1]);
  }
  static double angle_normalize(double x) { return py_mod(x + kPi, 2 * kPi) - kPi; }
  static bool step(double* s, const float* action, double* reward) {
    const double th = s[0], thdot = s[1];
    const float uf = action[0];
    // np.clip of a float32 array against ±2.0 stays float32.
    const float uc = (uf < -2.0f) ? -2.0f : ((uf > 2.0f) ? 2.0f : uf);
    const double u = uc;
    const double costs =
        glibc_pow2(angle_normalize(th)) + 0.1 * glibc_pow2(thdot) + 0.001 * glibc_pow2(u);
    double newthdot = thdot + (3 * kG / (2 * kL) * std::sin(th) + 3.0 / (kM * (kL * kL)) * u) * kDt;
    newthdot =
        (newthdot < -kMaxSpeed) ? -kMaxSpeed : ((newthdot > kMaxSpeed) ? kMaxSpeed : newthdot);
    const double newth = th + newthdot * kDt;
    s[0] = newth;
    s[1] = newthdot;
    *reward = -costs;
    return false;
  }
};

}  // namespace adamant::rl::detail
