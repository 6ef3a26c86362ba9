// Nice ticks and their labels (ticks.hpp).

#include "adamant/plot/ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace adamant::plot {

double nice_step(double lo, double hi, int target) {
  if (!(std::isfinite(lo) && std::isfinite(hi)) || !(hi > lo)) {
    throw std::invalid_argument("nice_step: need finite lo < hi");
  }
  target = std::max(1, target);
  const double span = hi - lo;
  const double e = std::floor(std::log10(span / target));
  // The step of 1, 2 or 5 × 10^k that puts the number of ticks inside [lo, hi] closest to the
  // target, with at least two ticks where any step gives two (ties: the larger step).
  double best = 0, best_err = INFINITY;
  bool best_two = false;
  for (double k = e - 2; k <= e + 1; k += 1.0) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double step = m * std::pow(10.0, k);
      const double count = std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1.0;
      const bool two = count >= 2;
      const double err = std::abs(count - target);
      if ((two && !best_two) || (two == best_two && err <= best_err + 1e-9)) {
        best = step;
        best_err = err;
        best_two = two;
      }
    }
  }
  return best;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double step = nice_step(lo, hi, target);
  // step = m · 10^e with m in {1, 2, 5}; a tick k·m·10^e is computed as the integer k·m scaled
  // by an exact power of ten, so 3 · 0.2 comes out as the double nearest 0.6.
  const int e = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  const double m = std::round(step / std::pow(10.0, e));
  const double p = std::pow(10.0, std::abs(e));
  auto value = [&](double k) { return e < 0 ? (k * m) / p : (k * m) * p; };
  const double eps = step * 1e-9;
  const double k0 = std::ceil((lo - eps) / step);
  const double k1 = std::floor((hi + eps) / step);
  std::vector<double> ticks;
  for (double k = k0; k <= k1; k += 1.0) ticks.push_back(value(k) == 0.0 ? 0.0 : value(k));
  return ticks;
}

namespace {

const char* const kMinus = "\xE2\x88\x92";  // U+2212

std::string with_minus(std::string s) {
  if (!s.empty() && s[0] == '-') s = kMinus + s.substr(1);
  return s;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  // "-0.00" → "0.00"
  bool all_zero = true;
  for (char c : s) {
    if (c >= '1' && c <= '9') all_zero = false;
  }
  if (all_zero && !s.empty() && s[0] == '-') s.erase(0, 1);
  return s;
}

}  // namespace

std::string superscript(int e) {
  static const char* const kDigits[10] = {
      "\xE2\x81\xB0", "\xC2\xB9",     "\xC2\xB2",     "\xC2\xB3",     "\xE2\x81\xB4",
      "\xE2\x81\xB5", "\xE2\x81\xB6", "\xE2\x81\xB7", "\xE2\x81\xB8", "\xE2\x81\xB9"};
  std::string out = e < 0 ? "\xE2\x81\xBB" : "";
  const std::string digits = std::to_string(std::abs(e));
  for (char c : digits) out += kDigits[c - '0'];
  return out;
}

std::vector<std::string> format_ticks(const std::vector<double>& ticks, int* exponent) {
  if (exponent != nullptr) *exponent = 0;
  std::vector<std::string> out;
  if (ticks.empty()) return out;
  double maxabs = 0;
  for (double t : ticks) maxabs = std::max(maxabs, std::abs(t));
  int e = 0;
  if (maxabs > 0 && (maxabs >= 1e5 || maxabs < 1e-3)) {
    e = static_cast<int>(std::floor(std::log10(maxabs)));
  }
  const double unit = std::pow(10.0, e);
  std::vector<double> v(ticks.size());
  for (std::size_t i = 0; i < ticks.size(); ++i) v[i] = ticks[i] / unit;
  // The smallest step between ticks sets the tolerance: labels must tell neighbours apart.
  double step = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const double d = std::abs(v[i] - v[i - 1]);
    if (d > 0 && (step == 0 || d < step)) step = d;
  }
  if (step == 0) step = std::max(std::abs(v[0]), 1.0);
  int decimals = 0;
  for (; decimals < 12; ++decimals) {
    bool ok = true;
    for (double x : v) {
      const double back = std::strtod(fixed(x, decimals).c_str(), nullptr);
      if (std::abs(back - x) > step * 1e-3) {
        ok = false;
        break;
      }
    }
    if (ok) break;
  }
  for (double x : v) out.push_back(with_minus(fixed(x, decimals)));
  if (exponent != nullptr) *exponent = e;
  return out;
}

}  // namespace adamant::plot
