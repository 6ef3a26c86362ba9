// Tests of the QuantLib adapter (quantlib.hpp): AdamMethod against QuantLib's own
// LevenbergMarquardt and BFGS on QuantLib Problems, constraints, end criteria, options; ISO dates,
// the NYSE calendar and the annualisation factor on the bundled price panel.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <ql/math/optimization/armijo.hpp>
#include <ql/math/optimization/bfgs.hpp>
#include <ql/math/optimization/constraint.hpp>
#include <ql/math/optimization/costfunction.hpp>
#include <ql/math/optimization/levenbergmarquardt.hpp>
#include <ql/math/optimization/problem.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/quantlib.hpp"

namespace {

using adamant::finance::AdamMethod;
using adamant::finance::AdamMethodOptions;
using QuantLib::Array;
using QuantLib::EndCriteria;

// Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)² as residuals r = (1 − x, 10 (y − x²)) for LM, with
// value = Σ r² and its analytic gradient. Counts evaluations at points outside `feasible`.
class Rosenbrock : public QuantLib::CostFunction {
 public:
  Array values(const Array& x) const override {
    Array r(2);
    r[0] = 1 - x[0];
    r[1] = 10 * (x[1] - x[0] * x[0]);
    return r;
  }
  QuantLib::Real value(const Array& x) const override {
    const Array r = values(x);
    return r[0] * r[0] + r[1] * r[1];
  }
  void gradient(Array& g, const Array& x) const override {
    const double a = x[1] - x[0] * x[0];
    g[0] = -2 * (1 - x[0]) - 400 * x[0] * a;
    g[1] = 200 * a;
  }
};

// Same cost without an analytic gradient: QuantLib's central differences are used.
class RosenbrockFd : public QuantLib::CostFunction {
 public:
  Array values(const Array& x) const override { return Rosenbrock().values(x); }
  QuantLib::Real value(const Array& x) const override { return Rosenbrock().value(x); }
};

// Nelson–Siegel zero curve (Nelson & Siegel 1987), yields in percent:
//   y(t) = β0 + β1 L(u) + β2 (L(u) − e^−u),  u = t / τ,  L(u) = (1 − e^−u) / u,
// fitted by least squares: residuals r_i = y(t_i; β, τ) − ŷ_i, value = Σ r_i².
class NelsonSiegelFit : public QuantLib::CostFunction {
 public:
  NelsonSiegelFit(std::vector<double> t, std::vector<double> y)
      : t_(std::move(t)), y_(std::move(y)) {}

  static double model(const Array& p, double t) {
    const double u = t / p[3], e = std::exp(-u), l = (1 - e) / u;
    return p[0] + p[1] * l + p[2] * (l - e);
  }
  Array values(const Array& p) const override {
    Array r(t_.size());
    for (std::size_t i = 0; i < t_.size(); ++i) r[i] = model(p, t_[i]) - y_[i];
    return r;
  }
  QuantLib::Real value(const Array& p) const override {
    double s = 0;
    for (double r : values(p)) s += r * r;
    return s;
  }
  void gradient(Array& g, const Array& p) const override {
    g = Array(4, 0.0);
    for (std::size_t i = 0; i < t_.size(); ++i) {
      const double t = t_[i], u = t / p[3], e = std::exp(-u), l = (1 - e) / u;
      const double dl_du = (e * (u + 1) - 1) / (u * u), dc_du = dl_du + e;
      const double du_dtau = -t / (p[3] * p[3]);
      const double r = model(p, t) - y_[i];
      g[0] += 2 * r;
      g[1] += 2 * r * l;
      g[2] += 2 * r * (l - e);
      g[3] += 2 * r * (p[1] * dl_du + p[2] * dc_du) * du_dtau;
    }
  }

 private:
  std::vector<double> t_, y_;
};

// f(x) = Σ (x_i − c_i)², with a count of evaluations at points that fail `constraint`.
class ShiftedQuadratic : public QuantLib::CostFunction {
 public:
  ShiftedQuadratic(Array c, const QuantLib::Constraint& constraint)
      : c_(std::move(c)), constraint_(constraint) {}
  Array values(const Array& x) const override {
    if (!constraint_.test(x)) ++infeasible_evaluations;
    return x - c_;
  }
  QuantLib::Real value(const Array& x) const override {
    const Array r = values(x);
    return QuantLib::DotProduct(r, r);
  }
  void gradient(Array& g, const Array& x) const override {
    if (!constraint_.test(x)) ++infeasible_evaluations;
    g = 2.0 * (x - c_);
  }
  mutable int infeasible_evaluations = 0;

 private:
  Array c_;
  const QuantLib::Constraint& constraint_;
};

Array array2(double a, double b) {
  Array x(2);
  x[0] = a;
  x[1] = b;
  return x;
}

// Synthetic curve: true (β0, β1, β2, τ) = (4.5, −2.5, 1.5, 1.8) at 30 maturities, plus normal
// noise of 3 bp from a fixed seed (Box–Muller on std::mt19937_64, which the standard fixes).
void nelson_siegel_data(std::vector<double>& t, std::vector<double>& y) {
  Array truth(4);
  truth[0] = 4.5;
  truth[1] = -2.5;
  truth[2] = 1.5;
  truth[3] = 1.8;
  std::mt19937_64 rng(20240607);
  auto uniform = [&]() { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  t.clear();
  y.clear();
  for (int i = 0; i < 30; ++i) {
    const double ti = 0.25 * std::pow(120.0, i / 29.0);  // 3 months … 30 years, log-spaced
    const double z =
        std::sqrt(-2 * std::log(uniform())) * std::cos(2 * std::acos(-1.0) * uniform());
    t.push_back(ti);
    y.push_back(NelsonSiegelFit::model(truth, ti) + 0.03 * z);
  }
}

// ----------------------------------------------------------------------------------------------

TEST(QuantLibAdam, RosenbrockReachesMinimumLikeLmAndBfgs) {
  const Array start = array2(-1.2, 1.0);
  QuantLib::NoConstraint nc;

  Rosenbrock f;
  AdamMethodOptions o;
  o.adam.lr = 0.05;
  o.schedule = adamant::core::Schedule::cosine(0.05, 30000, 1e-5);
  AdamMethod adam(o);
  QuantLib::Problem pa(f, nc, start);
  const EndCriteria ec(30000, 2000, 1e-14, 1e-16, 1e-9);
  const EndCriteria::Type ta = adam.minimize(pa, ec);
  EXPECT_NE(ta, EndCriteria::None);
  EXPECT_NEAR(pa.currentValue()[0], 1.0, 1e-4);
  EXPECT_NEAR(pa.currentValue()[1], 1.0, 2e-4);
  EXPECT_LT(pa.functionValue(), 1e-8);

  QuantLib::LevenbergMarquardt lm;
  QuantLib::Problem pl(f, nc, start);
  lm.minimize(pl, EndCriteria(1000, 100, 1e-12, 1e-12, 1e-12));
  EXPECT_NEAR(pl.currentValue()[0], 1.0, 1e-6);
  EXPECT_NEAR(pl.currentValue()[1], 1.0, 1e-6);

  QuantLib::BFGS bfgs(QuantLib::ext::make_shared<QuantLib::ArmijoLineSearch>());
  QuantLib::Problem pb(f, nc, start);
  bfgs.minimize(pb, EndCriteria(5000, 100, 1e-12, 1e-14, 1e-10));
  EXPECT_NEAR(pb.currentValue()[0], 1.0, 1e-3);
  EXPECT_NEAR(pb.currentValue()[1], 1.0, 2e-3);

  // All three agree on the minimizer.
  EXPECT_NEAR(pa.currentValue()[0], pl.currentValue()[0], 1e-4);
  EXPECT_NEAR(pa.currentValue()[0], pb.currentValue()[0], 1e-3);
  std::printf(
      "[ info ] Rosenbrock: Adam %s after %lld steps, f = %.3g at (%.8f, %.8f); "
      "LM f = %.3g; BFGS f = %.3g\n",
      [&] {
        std::ostringstream s;
        s << ta;
        return s.str();
      }()
          .c_str(),
      static_cast<long long>(adam.summary().iterations), pa.functionValue(), pa.currentValue()[0],
      pa.currentValue()[1], pl.functionValue(), pb.functionValue());
}

TEST(QuantLibAdam, FiniteDifferenceGradientWhenNotOverridden) {
  // Without an analytic gradient, P.gradient falls back to QuantLib's central differences.
  RosenbrockFd f;
  QuantLib::NoConstraint nc;
  AdamMethodOptions o;
  o.adam.lr = 0.05;
  o.schedule = adamant::core::Schedule::cosine(0.05, 30000, 1e-5);
  AdamMethod adam(o);
  QuantLib::Problem p(f, nc, array2(-1.2, 1.0));
  adam.minimize(p, EndCriteria(30000, 2000, 1e-14, 1e-16, 1e-9));
  EXPECT_NEAR(p.currentValue()[0], 1.0, 1e-3);
  EXPECT_NEAR(p.currentValue()[1], 1.0, 2e-3);
  EXPECT_GT(p.gradientEvaluation(), 1000);
}

TEST(QuantLibAdam, NelsonSiegelGradientMatchesFiniteDifferences) {
  std::vector<double> t, y;
  nelson_siegel_data(t, y);
  NelsonSiegelFit f(t, y);
  Array p(4);
  p[0] = 3.7;
  p[1] = -1.1;
  p[2] = 0.6;
  p[3] = 2.6;
  Array ga(4), gf(4);
  f.gradient(ga, p);
  f.QuantLib::CostFunction::gradient(gf, p);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(ga[i], gf[i], 1e-6 * (1 + std::fabs(ga[i]))) << i;
}

TEST(QuantLibAdam, NelsonSiegelCalibrationMatchesLevenbergMarquardt) {
  std::vector<double> t, y;
  nelson_siegel_data(t, y);
  NelsonSiegelFit f(t, y);
  QuantLib::NoConstraint nc;
  Array start(4);
  start[0] = 4.0;
  start[1] = -2.0;
  start[2] = 1.0;
  start[3] = 1.5;

  QuantLib::LevenbergMarquardt lm;
  QuantLib::Problem pl(f, nc, start);
  lm.minimize(pl, EndCriteria(2000, 100, 1e-14, 1e-14, 1e-14));
  const Array& xl = pl.currentValue();
  const double cl = f.value(xl);

  AdamMethodOptions o;
  o.adam.lr = 0.02;
  o.schedule = adamant::core::Schedule::cosine(0.02, 40000, 1e-6);
  AdamMethod adam(o);
  QuantLib::Problem pa(f, nc, start);
  const EndCriteria::Type ta = adam.minimize(pa, EndCriteria(40000, 2000, 1e-15, 1e-18, 1e-10));
  const Array& xa = pa.currentValue();
  const double ca = f.value(xa);

  // Parameters to 1e-4 (in percent for β, years for τ); cost to 1e-8 relative.
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(xa[i], xl[i], 1e-4) << "parameter " << i;
  EXPECT_LE(std::fabs(ca - cl), 1e-8 * cl) << "Adam " << ca << " vs LM " << cl;
  // The problem reports the returned point like QuantLib's methods do.
  EXPECT_DOUBLE_EQ(pa.functionValue(), ca);
  Array g(4);
  f.gradient(g, xa);
  EXPECT_DOUBLE_EQ(pa.gradientNormValue(), QuantLib::DotProduct(g, g));
  EXPECT_EQ(adam.summary().end_type, ta);
  std::ostringstream why;
  why << ta;
  std::printf(
      "[ info ] Nelson-Siegel: LM (%.6f, %.6f, %.6f, %.6f) cost %.12g; Adam (%.6f, %.6f, %.6f, "
      "%.6f) cost %.12g (%s after %lld steps)\n",
      xl[0], xl[1], xl[2], xl[3], cl, xa[0], xa[1], xa[2], xa[3], ca, why.str().c_str(),
      static_cast<long long>(adam.summary().iterations));
}

TEST(QuantLibAdam, PositiveConstraintStaysFeasible) {
  QuantLib::PositiveConstraint pc;
  ShiftedQuadratic f(array2(-1.0, 2.0), pc);  // unconstrained minimum (−1, 2) is infeasible
  AdamMethodOptions o;
  o.adam.lr = 0.1;
  AdamMethod adam(o);
  QuantLib::Problem p(f, pc, array2(0.5, 0.5));
  adam.minimize(p, EndCriteria(3000, 200, 1e-12, 1e-14, 1e-10));
  EXPECT_EQ(f.infeasible_evaluations, 0);
  EXPECT_TRUE(pc.test(p.currentValue()));
  EXPECT_GT(p.currentValue()[0], 0.0);
  EXPECT_LT(p.currentValue()[0], 1e-3);
  EXPECT_NEAR(p.currentValue()[1], 2.0, 1e-3);
  EXPECT_GT(adam.summary().boundary_truncations, 0);

  // QuantLib-style whole-step halving only (boundary_fraction = 0): still never infeasible.
  ShiftedQuadratic f2(array2(-1.0, 2.0), pc);
  o.boundary_fraction = 0;
  AdamMethod halving(o);
  QuantLib::Problem p2(f2, pc, array2(0.5, 0.5));
  halving.minimize(p2, EndCriteria(3000, 200, 1e-12, 1e-14, 1e-10));
  EXPECT_EQ(f2.infeasible_evaluations, 0);
  EXPECT_TRUE(pc.test(p2.currentValue()));
  EXPECT_GT(halving.summary().backtracks, 0);
  EXPECT_EQ(halving.summary().boundary_truncations, 0);
  EXPECT_LT(p2.functionValue(), f2.value(array2(0.5, 0.5)));
}

// The open unit disk x² + y² < 1: not a box, so only whole-step halving keeps a step inside.
class DiskConstraint : public QuantLib::Constraint {
  class Impl : public QuantLib::Constraint::Impl {
   public:
    bool test(const Array& p) const override { return QuantLib::DotProduct(p, p) < 1.0; }
  };

 public:
  DiskConstraint() : QuantLib::Constraint(QuantLib::ext::make_shared<Impl>()) {}
};

TEST(QuantLibAdam, NonBoxConstraintBacktracksByHalves) {
  DiskConstraint disk;
  ShiftedQuadratic f(array2(2.0, 2.0), disk);  // constrained minimizer (1, 1)/√2 on the circle
  AdamMethodOptions o;
  o.adam.lr = 0.05;
  AdamMethod adam(o);
  QuantLib::Problem p(f, disk, array2(0.0, 0.0));
  adam.minimize(p, EndCriteria(5000, 200, 1e-14, 1e-16, 1e-12));
  EXPECT_EQ(f.infeasible_evaluations, 0);
  EXPECT_TRUE(disk.test(p.currentValue()));
  EXPECT_NEAR(p.currentValue()[0], std::sqrt(0.5), 1e-3);
  EXPECT_NEAR(p.currentValue()[1], std::sqrt(0.5), 1e-3);
  EXPECT_GT(adam.summary().backtracks, 0);
}

TEST(QuantLibAdam, BoundaryConstraintOnRosenbrock) {
  // With every coordinate in [−2, 0.5] the minimizer of Rosenbrock is (0.5, 0.25).
  QuantLib::BoundaryConstraint bc(-2.0, 0.5);
  Rosenbrock f;
  AdamMethodOptions o;
  o.adam.lr = 0.02;
  o.schedule = adamant::core::Schedule::cosine(0.02, 20000, 1e-5);
  AdamMethod adam(o);
  QuantLib::Problem p(f, bc, array2(-1.2, 0.4));
  adam.minimize(p, EndCriteria(20000, 2000, 1e-14, 1e-16, 1e-10));
  EXPECT_TRUE(bc.test(p.currentValue()));
  EXPECT_NEAR(p.currentValue()[0], 0.5, 1e-3);
  EXPECT_NEAR(p.currentValue()[1], 0.25, 1e-3);
  EXPECT_LE(p.currentValue()[0], 0.5);
}

TEST(QuantLibAdam, InfeasibleStartThrows) {
  QuantLib::PositiveConstraint pc;
  ShiftedQuadratic f(array2(1.0, 1.0), pc);
  AdamMethod adam;
  QuantLib::Problem p(f, pc, array2(-1.0, 1.0));
  EXPECT_THROW(adam.minimize(p, EndCriteria(100, 10, 1e-8, 1e-8, 1e-8)), std::invalid_argument);
}

TEST(QuantLibAdam, InvalidOptionsRaiseWithMessage) {
  auto message = [](const AdamMethodOptions& o) {
    try {
      AdamMethod m(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  AdamMethodOptions o;
  o.adam.beta1 = 1.0;
  EXPECT_NE(message(o).find("beta1"), std::string::npos) << message(o);
  o = AdamMethodOptions{};
  o.adam.lr = 0.0;
  EXPECT_NE(message(o).find("lr"), std::string::npos) << message(o);
  o.adam.lr = -1e-3;
  EXPECT_NE(message(o).find("lr"), std::string::npos);
  o = AdamMethodOptions{};
  o.adam.beta2 = 1.5;
  EXPECT_NE(message(o).find("beta2"), std::string::npos);
  o = AdamMethodOptions{};
  o.clip_grad_norm = -1;
  EXPECT_NE(message(o).find("clip_grad_norm"), std::string::npos);
  o = AdamMethodOptions{};
  o.adam.maximize = true;
  EXPECT_NE(message(o).find("maximize"), std::string::npos);
  o = AdamMethodOptions{};
  o.schedule = adamant::core::Schedule::cosine(0.1, 0);
  EXPECT_NE(message(o).find("schedule"), std::string::npos) << message(o);
  EXPECT_EQ(AdamMethodOptions{}.validate(), "");
}

TEST(QuantLibAdam, MaxIterationsReportedWhenHit) {
  Rosenbrock f;
  QuantLib::NoConstraint nc;
  AdamMethod adam;  // lr = 1e-3: far from converged after 50 steps
  QuantLib::Problem p(f, nc, array2(-1.2, 1.0));
  const EndCriteria::Type t = adam.minimize(p, EndCriteria(50, 10, 1e-12, 1e-12, 1e-12));
  EXPECT_EQ(t, EndCriteria::MaxIterations);
  EXPECT_EQ(adam.summary().iterations, 50);
  EXPECT_EQ(p.gradientEvaluation(), 51);
  EXPECT_LT(p.functionValue(), f.value(array2(-1.2, 1.0)));
}

TEST(QuantLibAdam, OtherEndCriteria) {
  QuantLib::NoConstraint nc;
  // Zero gradient at the start: nothing to do.
  {
    ShiftedQuadratic f(array2(1.0, 2.0), nc);
    AdamMethod adam;
    QuantLib::Problem p(f, nc, array2(1.0, 2.0));
    EXPECT_EQ(adam.minimize(p, EndCriteria(100, 10, 1e-8, 1e-8, 1e-8)),
              EndCriteria::ZeroGradientNorm);
    EXPECT_EQ(adam.summary().iterations, 0);
  }
  // A non-negative cost driven below functionEpsilon.
  {
    ShiftedQuadratic f(array2(1.0, 2.0), nc);
    AdamMethodOptions o;
    o.adam.lr = 0.05;
    o.positive_optimization = true;
    AdamMethod adam(o);
    QuantLib::Problem p(f, nc, array2(0.0, 0.0));
    EXPECT_EQ(adam.minimize(p, EndCriteria(10000, 100, 1e-30, 1e-6, 1e-30)),
              EndCriteria::StationaryFunctionAccuracy);
    EXPECT_LT(p.functionValue(), 1e-6);
  }
  // Tiny steps: the point stops moving.
  {
    ShiftedQuadratic f(array2(1.0, 2.0), nc);
    AdamMethodOptions o;
    o.adam.lr = 1e-9;
    AdamMethod adam(o);
    QuantLib::Problem p(f, nc, array2(0.0, 0.0));
    EXPECT_EQ(adam.minimize(p, EndCriteria(10000, 20, 1e-6, 1e-30, 1e-30)),
              EndCriteria::StationaryPoint);
    EXPECT_EQ(adam.summary().iterations, 21);
  }
}

TEST(QuantLibAdam, AmsgradAdamwAndClippingAreSelectable) {
  QuantLib::NoConstraint nc;
  const Array start = array2(-1.2, 1.0);
  auto run = [&](const AdamMethodOptions& o) {
    Rosenbrock f;
    AdamMethod adam(o);
    QuantLib::Problem p(f, nc, start);
    adam.minimize(p, EndCriteria(200, 100, 1e-14, 1e-16, 1e-12));
    return p.currentValue();
  };
  AdamMethodOptions base;
  base.adam.lr = 0.01;
  base.return_best = false;
  const Array xb = run(base);
  AdamMethodOptions ams = base;
  ams.adam.amsgrad = true;
  AdamMethodOptions adamw = base;
  adamw.adam.weight_decay = 0.1;
  adamw.adam.decoupled_weight_decay = true;
  AdamMethodOptions clip = base;
  clip.clip_grad_norm = 1.0;
  // Each variant changes the trajectory; the same options give the same numbers.
  EXPECT_NE(run(ams)[0], xb[0]);
  EXPECT_NE(run(adamw)[0], xb[0]);
  EXPECT_NE(run(clip)[0], xb[0]);
  EXPECT_EQ(run(base)[0], xb[0]);
  EXPECT_EQ(run(base)[1], xb[1]);
}

// ------------------------------------------------------------------------ dates and calendar --

using adamant::finance::annualisation_factor;
using adamant::finance::is_nyse_business_day;
using adamant::finance::non_nyse_days;
using adamant::finance::nyse_business_days_per_year;
using adamant::finance::parse_iso_date;
using adamant::finance::periods_per_year;

TEST(QuantLibDates, ParseIsoDate) {
  const QuantLib::Date d = parse_iso_date("2001-09-11");
  EXPECT_EQ(d, QuantLib::Date(11, QuantLib::September, 2001));
  EXPECT_EQ(adamant::finance::to_iso_date(d), "2001-09-11");
  EXPECT_EQ(parse_iso_date("2000-02-29"), QuantLib::Date(29, QuantLib::February, 2000));
  for (const char* bad : {"2001-9-11", "2001/09/11", "20010911", "2001-13-01", "2001-00-10",
                          "1900-02-28", "1999-02-29", "2001-04-31", "2001-09-1x", ""}) {
    try {
      parse_iso_date(bad);
      ADD_FAILURE() << "no exception for " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos)
          << e.what();
    }
  }
}

TEST(QuantLibDates, KnownNyseHolidaysAndClosings) {
  EXPECT_FALSE(is_nyse_business_day("2017-07-04"));  // Independence Day
  EXPECT_FALSE(is_nyse_business_day("2001-09-11"));  // closed after the attacks
  EXPECT_FALSE(is_nyse_business_day("2012-10-29"));  // Hurricane Sandy
  EXPECT_FALSE(is_nyse_business_day("2017-12-25"));  // Christmas
  EXPECT_FALSE(is_nyse_business_day("2016-03-25"));  // Good Friday
  EXPECT_FALSE(is_nyse_business_day("2018-04-07"));  // Saturday
  EXPECT_TRUE(is_nyse_business_day("2018-04-10"));   // a Tuesday
  EXPECT_TRUE(is_nyse_business_day("2001-09-17"));   // reopened
  EXPECT_EQ(nyse_business_days_per_year(2017), 251);
  EXPECT_EQ(nyse_business_days_per_year(2016), 252);
  for (int y = 1990; y <= 2030; ++y) {
    EXPECT_GE(nyse_business_days_per_year(y), 246) << y;
    EXPECT_LE(nyse_business_days_per_year(y), 254) << y;
  }
  EXPECT_THROW(nyse_business_days_per_year(1800), std::invalid_argument);
}

TEST(QuantLibDates, StockPricePanelIsNyseDaily) {
  const auto panel =
      adamant::datasets::read_prices(std::string(ADAMANT_DATA_DIR) + "/stock_prices_20.h5");
  const auto& dates = panel.dates;
  ASSERT_GT(dates.size(), 7000u);
  const auto off = non_nyse_days(dates);
  std::printf("[ info ] stock_prices_20: %zu dates, %zu not NYSE business days:", dates.size(),
              off.size());
  for (const auto& s : off) std::printf(" %s", s.c_str());
  std::printf("\n");
  EXPECT_LE(off.size(), dates.size() / 1000);  // nearly all are business days
  for (const auto& s : dates) {
    EXPECT_NE(s, "2001-09-11");
    EXPECT_NE(s.substr(5), "07-04") << "July 4th in the panel: " << s;
    EXPECT_NE(s.substr(5), "12-25") << "Christmas in the panel: " << s;
  }
  const double ppy = periods_per_year(dates);
  std::printf("[ info ] measured periods per year %.3f\n", ppy);
  EXPECT_NEAR(ppy, 252.0, 2.0);
  EXPECT_EQ(annualisation_factor(dates), 252);
}

TEST(QuantLibDates, AnnualisationFactorFromSpacing) {
  auto series = [](const std::string& first, int step_days, int n, bool business) {
    std::vector<std::string> out;
    QuantLib::Date d = parse_iso_date(first);
    while (static_cast<int>(out.size()) < n) {
      if (!business || is_nyse_business_day(d)) out.push_back(adamant::finance::to_iso_date(d));
      d += step_days;
    }
    return out;
  };
  const auto daily = series("2010-01-04", 1, 600, true);
  EXPECT_EQ(annualisation_factor(daily), 252);
  EXPECT_NEAR(periods_per_year(daily), 252.0, 2.0);
  EXPECT_EQ(annualisation_factor(series("2010-01-01", 1, 600, false)), 365);  // weekends too
  EXPECT_EQ(annualisation_factor(series("2010-01-01", 7, 200, false)), 52);
  std::vector<std::string> monthly, quarterly;
  for (int y = 2000; y < 2010; ++y)
    for (int m = 1; m <= 12; ++m) {
      const auto s = QuantLib::Date::endOfMonth(QuantLib::Date(1, QuantLib::Month(m), y));
      monthly.push_back(adamant::finance::to_iso_date(s));
      if (m % 3 == 0) quarterly.push_back(adamant::finance::to_iso_date(s));
    }
  EXPECT_EQ(annualisation_factor(monthly), 12);
  EXPECT_NEAR(periods_per_year(monthly), 12.0, 0.2);
  EXPECT_EQ(annualisation_factor(quarterly), 4);
  EXPECT_EQ(annualisation_factor({"2000-12-29", "2001-12-31", "2002-12-31"}), 1);
  EXPECT_THROW(periods_per_year({"2001-01-02"}), std::invalid_argument);
  EXPECT_THROW(periods_per_year({"2001-01-03", "2001-01-02"}), std::invalid_argument);
  EXPECT_THROW(annualisation_factor({"2001-01-02", "2001-01-02"}), std::invalid_argument);
  EXPECT_THROW(non_nyse_days({"2001-01-02", "bad"}), std::invalid_argument);
}

}  // namespace
