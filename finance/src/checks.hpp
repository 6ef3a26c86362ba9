#pragma once
// Input checks shared by the finance estimators, HRP and Black-Litterman (estimators.cpp,
// hrp.cpp, black_litterman.cpp; every failure std::invalid_argument
// "adamant::finance::<who>: <what>") and the schema check of finance's file readers; internal.

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "adamant/datasets/h5.hpp"
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

/// v with 12 significant digits: the numbers the portfolio problems, the backtest and the
/// cardinality search quote in their messages.
inline std::string num12(double v) {
  std::ostringstream s;
  s.precision(12);
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

/// The root attributes a finance file must carry (datasets::write_schema writes them):
/// adamant_schema = kind and adamant_schema_version = 1; else DataError on "/".
inline void check_file_schema(const datasets::Reader& r, const std::string& kind) {
  if (!r.has_attr("/", "adamant_schema") || r.attr_string("/", "adamant_schema") != kind)
    r.fail("/",
           "attribute adamant_schema is missing or not \"" + kind + "\" (not a " + kind + " file)");
  if (r.attr_int("/", "adamant_schema_version") != 1)
    r.fail("/", "attribute adamant_schema_version must be 1");
}

}  // namespace adamant::finance::detail
