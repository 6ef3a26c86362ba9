#pragma once
// Input checks shared by the finance estimators, HRP and Black-Litterman (estimators.cpp,
// hrp.cpp, black_litterman.cpp); internal. Every failure is std::invalid_argument
// "adamant::finance::<who>: <what>".

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "adamant/finance/estimators.hpp"

namespace adamant::finance::detail {

[[noreturn]] inline void fail(const char* who, const std::string& what) {
  throw std::invalid_argument(std::string("adamant::finance::") + who + ": " + what);
}

/// v with 17 significant digits (integers print as themselves).
inline std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

/// At least 2 rows, no ±inf, every column with at least 2 non-NaN returns (the caller checks
/// how many columns it needs first).
inline void check_return_rows(const char* who, const RowMatrixXd& r) {
  if (r.rows() < 2) fail(who, "need at least 2 rows of returns, got " + num(r.rows()));
  for (Eigen::Index j = 0; j < r.cols(); ++j) {
    Eigen::Index valid = 0;
    for (Eigen::Index t = 0; t < r.rows(); ++t) {
      if (std::isinf(r(t, j)))
        fail(who, "returns column " + num(j) + " row " + num(t) + " is infinite");
      valid += !std::isnan(r(t, j));
    }
    if (valid < 2)
      fail(who, "returns column " + num(j) + " has " + num(valid) +
                    " non-NaN values (need at least 2; is the column all NaN?)");
  }
}

}  // namespace adamant::finance::detail
