// Tests of the estimators (estimators.hpp): golden values on PyPortfolioOpt's 20-stock price
// panel (tests/golden/finance_estimators.h5, written by make_finance_estimators.py with numpy
// formulas independent of the C++), hand-computed small cases (pandas semantics: NaN prefixes,
// pairwise-complete covariance, ewm weights), errors, and the PSD repair.

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"

namespace {

namespace fin = adamant::finance;
using adamant::datasets::Reader;
using fin::RowMatrixXd;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kGolden = std::string(ADAMANT_GOLDEN_DIR) + "/finance_estimators.h5";
const std::string kPrices = std::string(ADAMANT_DATA_DIR) + "/stock_prices_20.h5";

// Relative comparison with a small absolute floor (entries near 0).
void expect_close(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want, double rel,
                  const std::string& what) {
  ASSERT_EQ(got.rows(), want.rows()) << what;
  ASSERT_EQ(got.cols(), want.cols()) << what;
  const double scale = want.cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < want.rows(); ++i) {
    for (Eigen::Index j = 0; j < want.cols(); ++j) {
      const double tol = rel * std::max(std::abs(want(i, j)), 1e-3 * scale);
      EXPECT_NEAR(got(i, j), want(i, j), tol) << what << " (" << i << ", " << j << ")";
    }
  }
}

Eigen::VectorXd read_vec(const Reader& r, const std::string& name, std::int64_t n) {
  const std::vector<double> v = r.read_f64(name, {n});
  return Eigen::Map<const Eigen::VectorXd>(v.data(), n);
}

Eigen::MatrixXd read_mat(const Reader& r, const std::string& name, std::int64_t n) {
  const std::vector<double> v = r.read_f64(name, {n, n});
  return Eigen::Map<const RowMatrixXd>(v.data(), n, n);
}

double min_eig(const Eigen::MatrixXd& m) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m, Eigen::EigenvaluesOnly);
  return es.eigenvalues()(0);
}

template <class F>
void expect_invalid(F f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning \"" << fragment << "\"";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << fragment;
  }
}

class EstimatorsGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    panel_ = new adamant::datasets::PricePanel(adamant::datasets::read_prices(kPrices));
    returns_ = new RowMatrixXd(fin::returns_from_prices(panel_->prices));
    golden_ = new Reader(kGolden);
  }
  static void TearDownTestSuite() {
    delete golden_;
    delete returns_;
    delete panel_;
  }
  static std::int64_t n() { return static_cast<std::int64_t>(panel_->tickers.size()); }
  static adamant::datasets::PricePanel* panel_;
  static RowMatrixXd* returns_;
  static Reader* golden_;
};
adamant::datasets::PricePanel* EstimatorsGolden::panel_ = nullptr;
RowMatrixXd* EstimatorsGolden::returns_ = nullptr;
Reader* EstimatorsGolden::golden_ = nullptr;

constexpr double kRel = 1e-12;

TEST_F(EstimatorsGolden, TickersMatch) {
  EXPECT_EQ(golden_->read_strings("tickers"), panel_->tickers);
}

TEST_F(EstimatorsGolden, ReturnsShapeSumsAndCounts) {
  const std::vector<std::int64_t> shape = golden_->read_i64("returns_shape", {2});
  EXPECT_EQ(returns_->rows(), shape[0]);
  EXPECT_EQ(returns_->cols(), shape[1]);
  // 7126 prices, the first returns row is NaN everywhere and dropped.
  EXPECT_EQ(returns_->rows(), panel_->prices.rows() - 1);
  const std::vector<std::int64_t> count = golden_->read_i64("returns_count", {n()});
  const Eigen::VectorXd colsum = read_vec(*golden_, "returns_colsum", n());
  const RowMatrixXd logr = fin::returns_from_prices(panel_->prices, fin::ReturnKind::kLog);
  const Eigen::VectorXd logsum = read_vec(*golden_, "log_returns_colsum", n());
  ASSERT_EQ(logr.rows(), returns_->rows());
  for (Eigen::Index j = 0; j < returns_->cols(); ++j) {
    const auto col = returns_->col(j).array();
    EXPECT_EQ((!col.isNaN()).count(), count[static_cast<std::size_t>(j)]) << j;
    EXPECT_NEAR(col.isNaN().select(0.0, col).sum(), colsum(j), 1e-12 * std::abs(colsum(j)));
    const auto lcol = logr.col(j).array();
    EXPECT_NEAR(lcol.isNaN().select(0.0, lcol).sum(), logsum(j), 1e-12 * std::abs(logsum(j)));
    // NaN pattern of log returns equals that of simple returns.
    EXPECT_TRUE((lcol.isNaN() == col.isNaN()).all()) << j;
  }
}

TEST_F(EstimatorsGolden, MeanHistoricalReturn) {
  expect_close(fin::mean_historical_return(*returns_), read_vec(*golden_, "mu", n()), kRel, "mu");
  expect_close(fin::mean_historical_return(*returns_, false),
               read_vec(*golden_, "mu_arithmetic", n()), kRel, "mu_arithmetic");
}

TEST_F(EstimatorsGolden, EmaHistoricalReturn) {
  expect_close(fin::ema_historical_return(*returns_, 500), read_vec(*golden_, "ema_mu", n()), 1e-11,
               "ema_mu");
}

TEST_F(EstimatorsGolden, CapmReturn) {
  expect_close(fin::capm_return(*returns_, 0.0), read_vec(*golden_, "capm_mu", n()), kRel,
               "capm_mu");
  expect_close(fin::capm_return(*returns_, 0.02), read_vec(*golden_, "capm_mu_rf002", n()), kRel,
               "capm_mu rf=0.02");
  // An explicit market equal to the default proxy gives the same answer.
  Eigen::VectorXd mkt(returns_->rows());
  for (Eigen::Index t = 0; t < returns_->rows(); ++t) {
    const auto row = returns_->row(t).array();
    mkt(t) = row.isNaN().select(0.0, row).sum() / static_cast<double>((!row.isNaN()).count());
  }
  expect_close(fin::capm_return(*returns_, 0.02, mkt), read_vec(*golden_, "capm_mu_rf002", n()),
               kRel, "capm_mu explicit market");
}

TEST_F(EstimatorsGolden, SampleCov) {
  const Eigen::MatrixXd s = fin::sample_cov(*returns_);
  expect_close(s, read_mat(*golden_, "sample_cov", n()), kRel, "sample_cov");
  EXPECT_TRUE(s.isApprox(s.transpose(), 0.0));
}

TEST_F(EstimatorsGolden, ExpCov) {
  expect_close(fin::exp_cov(*returns_, 180), read_mat(*golden_, "exp_cov", n()), 1e-11, "exp_cov");
}

TEST_F(EstimatorsGolden, LedoitWolfThreeTargets) {
  const struct {
    fin::ShrinkTarget target;
    const char* name;
  } cases[] = {{fin::ShrinkTarget::kConstantVariance, "lw_constant_variance"},
               {fin::ShrinkTarget::kSingleFactor, "lw_single_factor"},
               {fin::ShrinkTarget::kConstantCorrelation, "lw_constant_correlation"}};
  for (const auto& c : cases) {
    const fin::ShrinkageResult r = fin::ledoit_wolf(*returns_, c.target);
    const double want_delta = golden_->read_f64(std::string(c.name) + "_delta", {1})[0];
    EXPECT_NEAR(r.delta, want_delta, 1e-10 * want_delta) << c.name;
    EXPECT_GT(r.delta, 0.0) << c.name;
    EXPECT_LE(r.delta, 1.0) << c.name;
    expect_close(r.cov, read_mat(*golden_, c.name, n()), kRel, c.name);
    EXPECT_GE(min_eig(r.cov), 0.0) << c.name;
    EXPECT_TRUE(fin::is_positive_semidefinite(r.cov)) << c.name;
  }
}

// Same bits for any thread count: Eigen's parallel GEMM would change the summation order.
TEST_F(EstimatorsGolden, SameBitsForAnyThreadCount) {
  const int saved = Eigen::nbThreads();
  // A NaN-free block exercises the fast (matrix-product) path of sample_cov too.
  const RowMatrixXd full = returns_->bottomRows(800);
  auto run = [&](int threads) {
    Eigen::setNbThreads(threads);
    std::vector<Eigen::MatrixXd> out;
    out.push_back(fin::sample_cov(full));
    out.push_back(fin::exp_cov(*returns_));
    for (auto t : {fin::ShrinkTarget::kConstantVariance, fin::ShrinkTarget::kSingleFactor,
                   fin::ShrinkTarget::kConstantCorrelation}) {
      const fin::ShrinkageResult r = fin::ledoit_wolf(*returns_, t);
      out.push_back(r.cov);
      out.push_back(Eigen::MatrixXd::Constant(1, 1, r.delta));
    }
    return out;
  };
  const auto one = run(1);
  const auto four = run(4);
  Eigen::setNbThreads(saved);
  ASSERT_TRUE(full.allFinite());
  ASSERT_EQ(one.size(), four.size());
  for (std::size_t k = 0; k < one.size(); ++k) EXPECT_EQ(one[k], four[k]) << "output " << k;
}

// The by-name dispatch (command line, backtest, Python) selects the same estimators.
TEST_F(EstimatorsGolden, ByNameMatchesTheDirectCalls) {
  const RowMatrixXd& r = *returns_;
  EXPECT_EQ(fin::expected_returns_by_name(r, "mean_historical"), fin::mean_historical_return(r));
  EXPECT_EQ(fin::expected_returns_by_name(r, "ema", 52),
            fin::ema_historical_return(r, 500, true, 52));
  EXPECT_EQ(fin::expected_returns_by_name(r, "capm", 252, 0.03), fin::capm_return(r, 0.03));
  EXPECT_EQ(fin::risk_matrix(r, "sample"), fin::sample_cov(r));
  EXPECT_EQ(fin::risk_matrix(r, "exp"), fin::exp_cov(r));
  EXPECT_EQ(fin::risk_matrix(r, "ledoit_wolf_single_factor"),
            fin::ledoit_wolf(r, fin::ShrinkTarget::kSingleFactor).cov);
  EXPECT_EQ(fin::risk_matrix_methods().size(), 5u);
  for (const auto& m : fin::risk_matrix_methods()) EXPECT_NO_THROW(fin::risk_matrix(r, m)) << m;
  try {
    fin::risk_matrix(r, "shrunk");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"shrunk\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ledoit_wolf_constant_correlation"), std::string::npos);
  }
  EXPECT_THROW(fin::expected_returns_by_name(r, "mean"), std::invalid_argument);
}

// ---- small hand-checked cases ----

TEST(EstimatorsReturns, LateListingAndLogReturns) {
  RowMatrixXd p(4, 2);
  p << 10, kNaN,  //
      11, kNaN,   //
      12.1, 5,    //
      11, 6;
  const RowMatrixXd r = fin::returns_from_prices(p);
  ASSERT_EQ(r.rows(), 3);
  EXPECT_DOUBLE_EQ(r(0, 0), 11.0 / 10 - 1);
  EXPECT_TRUE(std::isnan(r(0, 1)));
  EXPECT_TRUE(std::isnan(r(1, 1)));  // first price of column 1: no return yet
  EXPECT_DOUBLE_EQ(r(2, 1), 6.0 / 5 - 1);
  const RowMatrixXd l = fin::returns_from_prices(p, fin::ReturnKind::kLog);
  EXPECT_NEAR(l(2, 0), std::log(11 / 12.1), 1e-15);
  EXPECT_TRUE(std::isnan(l(1, 1)));

  // Mean over each column's own returns: column 1 has just one... use a longer listing instead.
  RowMatrixXd q(5, 2);
  q << 1, kNaN,  //
      2, kNaN,   //
      4, 1,      //
      2, 2,      //
      4, 3;
  const RowMatrixXd rq = fin::returns_from_prices(q);
  const Eigen::VectorXd mu = fin::mean_historical_return(rq, true, 2);
  // column 0: growth 4 over 4 returns -> 4^(2/4) - 1; column 1: growth 3 over 2 returns -> 3^1 - 1
  EXPECT_NEAR(mu(0), 1.0, 1e-15);
  EXPECT_NEAR(mu(1), 2.0, 1e-15);
  const Eigen::VectorXd ar = fin::mean_historical_return(rq, false, 2);
  EXPECT_NEAR(ar(0), 2 * (1 + 1 - 0.5 + 1) / 4.0, 1e-15);
  EXPECT_NEAR(ar(1), 2 * (1 + 0.5) / 2.0, 1e-15);
}

TEST(EstimatorsReturns, RowsAllNaNDroppedAndGapNotFilled) {
  RowMatrixXd p(5, 2);
  p << 1, 1,       //
      kNaN, kNaN,  //
      2, 2,        //
      kNaN, 3,     //
      4, 6;
  const RowMatrixXd r = fin::returns_from_prices(p);
  // returns rows 1, 2 are NaN everywhere (gap): dropped; row 3: (NaN, 0.5); row 4: (NaN, 1)
  ASSERT_EQ(r.rows(), 2);
  EXPECT_TRUE(std::isnan(r(0, 0)));
  EXPECT_DOUBLE_EQ(r(0, 1), 0.5);
  EXPECT_TRUE(std::isnan(r(1, 0)));
  EXPECT_DOUBLE_EQ(r(1, 1), 1.0);
}

TEST(EstimatorsCov, PairwiseCompleteMatchesHandComputation) {
  RowMatrixXd r(5, 2);
  r << 0.01, kNaN,  //
      -0.02, kNaN,  //
      0.03, 0.01,   //
      0.00, -0.01,  //
      0.02, 0.04;
  const Eigen::MatrixXd s = fin::sample_cov(r, 1);
  auto var = [](std::vector<double> x) {
    double m = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    double s2 = 0;
    for (double v : x) s2 += (v - m) * (v - m);
    return s2 / static_cast<double>(x.size() - 1);
  };
  EXPECT_NEAR(s(0, 0), var({0.01, -0.02, 0.03, 0.00, 0.02}), 1e-17);
  EXPECT_NEAR(s(1, 1), var({0.01, -0.01, 0.04}), 1e-17);
  // pair over rows 2..4 only, means over those rows
  const double ma = (0.03 + 0.00 + 0.02) / 3, mb = (0.01 - 0.01 + 0.04) / 3;
  const double c =
      ((0.03 - ma) * (0.01 - mb) + (0.00 - ma) * (-0.01 - mb) + (0.02 - ma) * (0.04 - mb)) / 2;
  EXPECT_NEAR(s(0, 1), c, 1e-17);
  EXPECT_EQ(s(0, 1), s(1, 0));
  // Annualisation is a plain factor.
  EXPECT_TRUE(fin::sample_cov(r, 252).isApprox(252 * s, 1e-14));
}

TEST(EstimatorsEma, WeightsFollowPandasAdjustTrue) {
  RowMatrixXd r(4, 1);
  r << kNaN, 0.01, 0.03, -0.02;
  const int span = 3;  // alpha = 0.5
  const double w[] = {0.25, 0.5, 1.0};
  const double ema = (w[0] * 0.01 + w[1] * 0.03 + w[2] * -0.02) / (w[0] + w[1] + w[2]);
  EXPECT_NEAR(fin::ema_historical_return(r, span, false, 1)(0), ema, 1e-17);
  EXPECT_NEAR(fin::ema_historical_return(r, span, true, 12)(0), std::pow(1 + ema, 12) - 1, 1e-15);
  // span 1: alpha = 1, only the last observation counts.
  EXPECT_NEAR(fin::ema_historical_return(r, 1, false, 1)(0), -0.02, 1e-17);
  // An interior NaN keeps the absolute ages (ignore_na=False): weights 0.25, -, 1.
  RowMatrixXd g(3, 1);
  g << 0.01, kNaN, 0.03;
  EXPECT_NEAR(fin::ema_historical_return(g, span, false, 1)(0), (0.25 * 0.01 + 1.0 * 0.03) / 1.25,
              1e-17);
}

TEST(EstimatorsCov, ExpCovLargeSpanApproachesBiasedCov) {
  // As span -> inf the ewm weights become equal: exp_cov -> mean of products = biased covariance.
  RowMatrixXd r(6, 2);
  r << 0.01, 0.02, -0.01, 0.00, 0.03, 0.01, 0.00, -0.02, 0.02, 0.03, -0.01, 0.01;
  const Eigen::MatrixXd e = fin::exp_cov(r, 1000000000, 1);
  const Eigen::MatrixXd s = fin::sample_cov(r, 1) * (5.0 / 6.0);
  EXPECT_TRUE(e.isApprox(s, 1e-7)) << e << "\n" << s;
}

TEST(EstimatorsCapm, MarketItselfHasBetaOne) {
  // Column 1 is the equal-weighted market when column 0 = column 1 → beta 1 for both.
  RowMatrixXd r(4, 2);
  r << 0.01, 0.01, 0.02, 0.02, -0.01, -0.01, 0.03, 0.03;
  const Eigen::VectorXd mu = fin::capm_return(r, 0.02, {}, true, 252);
  const Eigen::VectorXd hist = fin::mean_historical_return(r, true, 252);
  EXPECT_NEAR(mu(0), hist(0), 1e-14);
  EXPECT_NEAR(mu(1), hist(1), 1e-14);
}

// ---- errors ----

TEST(EstimatorsErrors, BadInputsThrowNamingTheProblem) {
  RowMatrixXd p(3, 2);
  p << 1, kNaN, 2, kNaN, 3, kNaN;
  expect_invalid([&] { fin::returns_from_prices(p); }, "all NaN");
  RowMatrixXd one(1, 2);
  one << 1, 2;
  expect_invalid([&] { fin::returns_from_prices(one); }, "at least 2 rows");
  RowMatrixXd neg(3, 2);
  neg << 1, 2, 1.5, 0.0, 2, 3;
  expect_invalid([&] { fin::returns_from_prices(neg); }, "must be positive");
  neg(1, 1) = -1;
  expect_invalid([&] { fin::returns_from_prices(neg); }, "row 1, column 1");

  RowMatrixXd r(3, 2);
  r << 0.01, 0.02, -0.01, 0.0, 0.02, 0.01;
  RowMatrixXd r1 = r.topRows(1);
  expect_invalid([&] { fin::mean_historical_return(r1); }, "at least 2 rows");
  expect_invalid([&] { fin::sample_cov(r1); }, "at least 2 rows");
  RowMatrixXd rn = r;
  rn.col(1).setConstant(kNaN);
  expect_invalid([&] { fin::mean_historical_return(rn); }, "column 1 has 0 non-NaN");
  expect_invalid([&] { fin::sample_cov(rn); }, "all NaN");
  expect_invalid([&] { fin::ledoit_wolf(rn); }, "all NaN");
  expect_invalid([&] { fin::ema_historical_return(r, 0); }, "span must be >= 1");
  expect_invalid([&] { fin::exp_cov(r, -3); }, "span must be >= 1");
  expect_invalid([&] { fin::mean_historical_return(r, true, 0); }, "frequency must be >= 1");
  expect_invalid([&] { fin::sample_cov(r, 0); }, "frequency must be >= 1");
  expect_invalid([&] { fin::capm_return(r, 0.0, {}, true, -1); }, "frequency must be >= 1");
  expect_invalid([&] { fin::ledoit_wolf(r, fin::ShrinkTarget::kSingleFactor, 0); },
                 "frequency must be >= 1");
  expect_invalid([&] { fin::capm_return(r, 0.0, Eigen::VectorXd::Zero(2)); }, "market_returns");
  RowMatrixXd ri = r;
  ri(1, 0) = std::numeric_limits<double>::infinity();
  expect_invalid([&] { fin::sample_cov(ri); }, "infinite");
  // Two columns that never overlap on 2 rows.
  RowMatrixXd disjoint(4, 2);
  disjoint << 0.01, kNaN, 0.02, kNaN, kNaN, 0.01, kNaN, 0.03;
  expect_invalid([&] { fin::sample_cov(disjoint); }, "overlap on 0 rows");
  expect_invalid([&] { fin::fix_nonpositive_semidefinite(Eigen::MatrixXd::Identity(2, 2), "x"); },
                 "method must be");
  expect_invalid([&] { fin::fix_nonpositive_semidefinite(Eigen::MatrixXd::Zero(2, 3)); }, "square");
}

// ---- PSD repair ----

TEST(EstimatorsPsd, SpectralAndDiagRepairIndefiniteMatrix) {
  Eigen::MatrixXd m(3, 3);
  m << 1.0, 0.9, -0.9,  //
      0.9, 1.0, 0.9,    //
      -0.9, 0.9, 1.0;
  ASSERT_LT(min_eig(m), -0.5);
  EXPECT_FALSE(fin::is_positive_semidefinite(m));
  const Eigen::MatrixXd s = fin::fix_nonpositive_semidefinite(m, "spectral");
  EXPECT_TRUE(fin::is_positive_semidefinite(s));
  EXPECT_GE(min_eig(s), -1e-14);
  EXPECT_TRUE(s.isApprox(s.transpose(), 1e-14));
  // Spectral repair keeps the eigenvectors: the positive eigenvalues are unchanged.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> em(m), es(s);
  EXPECT_NEAR(es.eigenvalues()(2), em.eigenvalues()(2), 1e-13);
  EXPECT_NEAR(es.eigenvalues()(1), em.eigenvalues()(1), 1e-13);
  EXPECT_NEAR(es.eigenvalues()(0), 0.0, 1e-14);

  const Eigen::MatrixXd d = fin::fix_nonpositive_semidefinite(m, "diag");
  const double lmin = em.eigenvalues()(0);
  EXPECT_TRUE(d.isApprox(m - 1.1 * lmin * Eigen::MatrixXd::Identity(3, 3), 1e-15));
  EXPECT_NEAR(min_eig(d), -0.1 * lmin, 1e-13);
  EXPECT_TRUE(fin::is_positive_semidefinite(d));
}

TEST(EstimatorsPsd, PsdMatrixIsUnchanged) {
  Eigen::MatrixXd a(3, 3);
  a << 2, 1, 0, 1, 3, 1, 0, 1, 4;
  const Eigen::MatrixXd m = a * a.transpose();
  EXPECT_TRUE(fin::is_positive_semidefinite(m));
  EXPECT_EQ(fin::fix_nonpositive_semidefinite(m, "spectral"), m);
  EXPECT_EQ(fin::fix_nonpositive_semidefinite(m, "diag"), m);
}

TEST(EstimatorsPsd, LedoitWolfOnIndefinitePairwiseData) {
  // Pairwise-complete covariance of staggered listings can be indefinite; every shrinkage target
  // still yields δ in [0, 1] and a PSD result, and sample_cov's repair makes it PSD.
  RowMatrixXd r(8, 3);
  r << 0.01, 0.02, kNaN,   //
      0.02, 0.01, kNaN,    //
      -0.01, -0.02, kNaN,  //
      0.03, 0.02, kNaN,    //
      kNaN, 0.01, -0.01,   //
      kNaN, -0.01, 0.01,   //
      kNaN, 0.02, -0.02,   //
      kNaN, 0.00, 0.00;
  // Column 0 and 2 never overlap → make them overlap on 2 rows with opposite behaviour.
  r(3, 2) = -0.03;
  r(2, 2) = 0.01;
  const Eigen::MatrixXd s = fin::sample_cov(r, 252);
  EXPECT_TRUE(fin::is_positive_semidefinite(s));
  for (auto t : {fin::ShrinkTarget::kConstantVariance, fin::ShrinkTarget::kSingleFactor,
                 fin::ShrinkTarget::kConstantCorrelation}) {
    const fin::ShrinkageResult lw = fin::ledoit_wolf(r, t, 252);
    EXPECT_GE(lw.delta, 0.0);
    EXPECT_LE(lw.delta, 1.0);
    EXPECT_TRUE(fin::is_positive_semidefinite(lw.cov)) << static_cast<int>(t);
    EXPECT_TRUE(lw.cov.allFinite());
  }
}

TEST(EstimatorsPsd, LedoitWolfFewRowsManyColumns) {
  // t = 3 rows, n = 6 columns: heavy shrinkage, PSD result, delta within [0, 1].
  RowMatrixXd r(3, 6);
  r << 0.01, -0.02, 0.03, 0.00, 0.02, -0.01,  //
      0.02, 0.01, -0.01, 0.01, -0.02, 0.03,   //
      -0.01, 0.02, 0.00, -0.03, 0.01, 0.02;
  for (auto t : {fin::ShrinkTarget::kConstantVariance, fin::ShrinkTarget::kSingleFactor,
                 fin::ShrinkTarget::kConstantCorrelation}) {
    const fin::ShrinkageResult lw = fin::ledoit_wolf(r, t, 1);
    EXPECT_GE(lw.delta, 0.0);
    EXPECT_LE(lw.delta, 1.0);
    EXPECT_GE(min_eig(lw.cov), -1e-15);
  }
}

}  // namespace
