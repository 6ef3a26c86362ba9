// Python bindings of adamant::finance: estimators, the portfolio problems and their options,
// the efficient frontier, the backtest, the portfolio / frontier / backtest files and plots,
// hierarchical risk parity and Black-Litterman.
// The pure-Python layer (python/adamant/finance.py) turns keyword arguments into the option
// structs bound here. Eigen matrices cross as numpy arrays (copies; the problems are small).
// std::invalid_argument becomes ValueError; finance::InfeasibleError becomes
// adamant.finance.InfeasibleError (a ValueError).

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "adamant/finance/backtest.hpp"
#include "adamant/finance/black_litterman.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/finance/frontier.hpp"
#include "adamant/finance/hrp.hpp"
#include "adamant/finance/portfolio.hpp"
#include "adamant/finance/portfolio_file.hpp"
#include "adamant/finance/quantlib.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace fin = adamant::finance;
namespace ds = adamant::datasets;

namespace adamant::python {
namespace {

fin::ReturnKind return_kind(const std::string& kind) {
  if (kind == "simple") return fin::ReturnKind::kSimple;
  if (kind == "log") return fin::ReturnKind::kLog;
  throw py::value_error("kind must be 'simple' or 'log', got '" + kind + "'");
}

fin::ShrinkTarget shrink_target(const std::string& t) {
  if (t == "constant_variance") return fin::ShrinkTarget::kConstantVariance;
  if (t == "single_factor") return fin::ShrinkTarget::kSingleFactor;
  if (t == "constant_correlation") return fin::ShrinkTarget::kConstantCorrelation;
  throw py::value_error(
      "target must be 'constant_variance', 'single_factor' or 'constant_correlation', got '" + t +
      "'");
}

std::string solver_name(fin::PortfolioSolver s) {
  return s == fin::PortfolioSolver::kAdam ? "adam" : "active_set";
}

fin::PortfolioSolver solver_from(const std::string& s) {
  if (s == "active_set") return fin::PortfolioSolver::kActiveSet;
  if (s == "adam") return fin::PortfolioSolver::kAdam;
  throw py::value_error("solver must be 'active_set' or 'adam', got '" + s + "'");
}

ds::PricePanel panel_from(std::vector<std::string> dates, std::vector<std::string> tickers,
                          const ds::RowMatrixXd& prices) {
  ds::PricePanel p;
  p.dates = std::move(dates);
  p.tickers = std::move(tickers);
  p.prices = prices;
  if (const std::string why = p.validate(); !why.empty()) throw py::value_error("prices: " + why);
  return p;
}

}  // namespace

void bind_finance(py::module_& m) {
  static py::exception<fin::InfeasibleError> infeasible(m, "InfeasibleError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const fin::InfeasibleError& e) {
      infeasible(e.what());
    }
  });

  // ---- estimators ----
  m.def(
      "returns_from_prices",
      [](const ds::RowMatrixXd& prices, const std::string& kind) {
        return fin::returns_from_prices(prices, return_kind(kind));
      },
      py::arg("prices"), py::arg("kind") = "simple");
  m.def("mean_historical_return", &fin::mean_historical_return, py::arg("returns"),
        py::arg("compounding") = true, py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def("ema_historical_return", &fin::ema_historical_return, py::arg("returns"),
        py::arg("span") = 500, py::arg("compounding") = true,
        py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def(
      "capm_return",
      [](const ds::RowMatrixXd& r, double rf, std::optional<Eigen::VectorXd> market,
         bool compounding, int frequency) {
        return fin::capm_return(r, rf, market ? *market : Eigen::VectorXd(), compounding,
                                frequency);
      },
      py::arg("returns"), py::arg("risk_free_rate") = 0.0, py::arg("market_returns") = py::none(),
      py::arg("compounding") = true, py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def("sample_cov", &fin::sample_cov, py::arg("returns"),
        py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def("exp_cov", &fin::exp_cov, py::arg("returns"), py::arg("span") = 180,
        py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def(
      "ledoit_wolf",
      [](const ds::RowMatrixXd& r, const std::string& target, int frequency) {
        const fin::ShrinkageResult s = fin::ledoit_wolf(r, shrink_target(target), frequency);
        return py::make_tuple(s.cov, s.delta);
      },
      py::arg("returns"), py::arg("target") = "constant_variance",
      py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def("expected_returns", &fin::expected_returns_by_name, py::arg("returns"), py::arg("method"),
        py::arg("frequency") = fin::kTradingDaysPerYear, py::arg("risk_free_rate") = 0.0);
  m.def("risk_matrix", &fin::risk_matrix, py::arg("returns"), py::arg("method"),
        py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def("expected_returns_methods", &fin::expected_returns_methods);
  m.def("risk_matrix_methods", &fin::risk_matrix_methods);
  m.def("is_positive_semidefinite", &fin::is_positive_semidefinite, py::arg("m"),
        py::arg("tol") = 1e-12);
  m.def("fix_nonpositive_semidefinite", &fin::fix_nonpositive_semidefinite, py::arg("m"),
        py::arg("method") = "spectral");
  m.def("annualisation_factor",
        [](const std::vector<std::string>& dates) { return fin::annualisation_factor(dates); });
  m.def("non_nyse_days", &fin::non_nyse_days, py::arg("dates"));

  // ---- problems ----
  py::class_<fin::SectorConstraint>(m, "SectorConstraint")
      .def(py::init([](std::string name, std::vector<int> assets, double lower, double upper) {
             return fin::SectorConstraint{std::move(name), std::move(assets), lower, upper};
           }),
           py::arg("name"), py::arg("assets"), py::arg("lower"), py::arg("upper"))
      .def_readwrite("name", &fin::SectorConstraint::name)
      .def_readwrite("assets", &fin::SectorConstraint::assets)
      .def_readwrite("lower", &fin::SectorConstraint::lower)
      .def_readwrite("upper", &fin::SectorConstraint::upper);
  py::class_<fin::PortfolioConstraints>(m, "PortfolioConstraints")
      .def(py::init<>())
      .def_readwrite("budget", &fin::PortfolioConstraints::budget)
      .def_readwrite("market_neutral", &fin::PortfolioConstraints::market_neutral)
      .def_readwrite("lower", &fin::PortfolioConstraints::lower)
      .def_readwrite("upper", &fin::PortfolioConstraints::upper)
      .def_readwrite("lower_bounds", &fin::PortfolioConstraints::lower_bounds)
      .def_readwrite("upper_bounds", &fin::PortfolioConstraints::upper_bounds)
      .def_readwrite("sectors", &fin::PortfolioConstraints::sectors);
  py::class_<fin::PortfolioOptions>(m, "PortfolioOptions")
      .def(py::init<>())
      .def_property(
          "solver", [](const fin::PortfolioOptions& o) { return solver_name(o.solver); },
          [](fin::PortfolioOptions& o, const std::string& s) { o.solver = solver_from(s); })
      .def_readwrite("constraints", &fin::PortfolioOptions::constraints)
      .def_readwrite("l2_gamma", &fin::PortfolioOptions::l2_gamma)
      .def_readwrite("l1_kappa", &fin::PortfolioOptions::l1_kappa)
      .def_readwrite("w_prev", &fin::PortfolioOptions::w_prev)
      .def_readwrite("risk_free_rate", &fin::PortfolioOptions::risk_free_rate)
      .def_readwrite("start", &fin::PortfolioOptions::start)
      .def_property(
          "max_assets", [](const fin::PortfolioOptions& o) { return o.cardinality.max_assets; },
          [](fin::PortfolioOptions& o, int k) { o.cardinality.max_assets = k; })
      .def_property(
          "min_weight", [](const fin::PortfolioOptions& o) { return o.cardinality.min_weight; },
          [](fin::PortfolioOptions& o, double w) { o.cardinality.min_weight = w; })
      .def_property(
          "time_limit", [](const fin::PortfolioOptions& o) { return o.cardinality.time_limit; },
          [](fin::PortfolioOptions& o, double t) { o.cardinality.time_limit = t; })
      .def_property(
          "max_nodes", [](const fin::PortfolioOptions& o) { return o.cardinality.max_nodes; },
          [](fin::PortfolioOptions& o, long k) { o.cardinality.max_nodes = k; })
      .def_property(
          "adam_lr", [](const fin::PortfolioOptions& o) { return o.adam.adam.lr; },
          [](fin::PortfolioOptions& o, double lr) { o.adam.adam.lr = lr; })
      .def_property(
          "max_iterations", [](const fin::PortfolioOptions& o) { return o.adam.max_iterations; },
          [](fin::PortfolioOptions& o, int n) {
            o.adam.max_iterations = n;
            o.active_set.max_iterations = n;
          })
      .def_property(
          "tolerance", [](const fin::PortfolioOptions& o) { return o.adam.tolerance; },
          [](fin::PortfolioOptions& o, double t) { o.adam.tolerance = t; });
  py::class_<fin::PortfolioResult>(m, "PortfolioResult")
      .def(py::init<>())
      .def_readwrite("problem", &fin::PortfolioResult::problem)
      .def_readwrite("solver", &fin::PortfolioResult::solver)
      .def_readwrite("weights", &fin::PortfolioResult::weights)
      .def_readwrite("expected_return", &fin::PortfolioResult::expected_return)
      .def_readwrite("volatility", &fin::PortfolioResult::volatility)
      .def_readwrite("sharpe", &fin::PortfolioResult::sharpe)
      .def_readwrite("objective", &fin::PortfolioResult::objective)
      .def_readwrite("iterations", &fin::PortfolioResult::iterations)
      .def_readwrite("converged", &fin::PortfolioResult::converged)
      .def_readwrite("kkt_residual", &fin::PortfolioResult::kkt_residual)
      .def_readwrite("nodes", &fin::PortfolioResult::nodes)
      .def_readwrite("bound", &fin::PortfolioResult::bound)
      .def_readwrite("gap", &fin::PortfolioResult::gap)
      .def_readwrite("optimal", &fin::PortfolioResult::optimal);
  m.def(
      "portfolio_performance",
      [](const Eigen::VectorXd& w, const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
         double rf) {
        const fin::Performance p = fin::portfolio_performance(w, mu, cov, rf);
        return py::make_tuple(p.expected_return, p.volatility, p.sharpe);
      },
      py::arg("weights"), py::arg("mu"), py::arg("cov"), py::arg("risk_free_rate") = 0.02);
  const auto release = py::call_guard<py::gil_scoped_release>();
  m.def("min_volatility", &fin::min_volatility, py::arg("mu"), py::arg("cov"), py::arg("options"),
        release);
  m.def("max_sharpe", &fin::max_sharpe, py::arg("mu"), py::arg("cov"), py::arg("options"), release);
  m.def("max_quadratic_utility", &fin::max_quadratic_utility, py::arg("mu"), py::arg("cov"),
        py::arg("risk_aversion"), py::arg("options"), release);
  m.def("efficient_return", &fin::efficient_return, py::arg("mu"), py::arg("cov"),
        py::arg("target_return"), py::arg("options"), release);
  m.def("efficient_risk", &fin::efficient_risk, py::arg("mu"), py::arg("cov"),
        py::arg("target_volatility"), py::arg("options"), release);
  m.def("project_onto_constraints", &fin::project_onto_constraints, py::arg("z"),
        py::arg("constraints"));

  // ---- frontier ----
  py::class_<fin::Frontier>(m, "Frontier")
      .def_readonly("tickers", &fin::Frontier::tickers)
      .def_readonly("mu", &fin::Frontier::mu)
      .def_readonly("cov", &fin::Frontier::cov)
      .def_readonly("risk_free_rate", &fin::Frontier::risk_free_rate)
      .def_readonly("returns", &fin::Frontier::returns)
      .def_readonly("volatilities", &fin::Frontier::volatilities)
      .def_readonly("sharpes", &fin::Frontier::sharpes)
      .def_readonly("weights", &fin::Frontier::weights)
      .def_readonly("min_volatility", &fin::Frontier::min_volatility)
      .def_property_readonly("max_sharpe", [](const fin::Frontier& f) -> py::object {
        if (!f.has_max_sharpe) return py::none();
        return py::cast(f.max_sharpe);
      });
  m.def(
      "efficient_frontier",
      [](const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov, int points,
         const fin::PortfolioOptions& options, const std::vector<std::string>& tickers) {
        fin::FrontierOptions fo;
        fo.points = points;
        fo.portfolio = options;
        return fin::efficient_frontier(mu, cov, fo, tickers);
      },
      py::arg("mu"), py::arg("cov"), py::arg("points"), py::arg("options"), py::arg("tickers"),
      release);
  m.def("write_frontier", &fin::write_frontier, py::arg("path"), py::arg("frontier"));
  m.def("read_frontier", &fin::read_frontier, py::arg("path"));
  m.def("plot_frontier", &fin::plot_frontier, py::arg("frontier"), py::arg("png_path"));
  m.def("plot_weights", &fin::plot_weights, py::arg("result"), py::arg("tickers"),
        py::arg("png_path"));

  // ---- portfolio file ----
  m.def(
      "write_portfolio",
      [](const std::string& path, const std::vector<std::string>& tickers,
         const fin::PortfolioResult& result, const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
         double rf) {
        fin::PortfolioFile f;
        f.tickers = tickers;
        f.result = result;
        f.mu = mu;
        f.cov = cov;
        f.risk_free_rate = rf;
        fin::write_portfolio(path, f);
      },
      py::arg("path"), py::arg("tickers"), py::arg("result"), py::arg("mu"), py::arg("cov"),
      py::arg("risk_free_rate"));
  m.def(
      "read_portfolio",
      [](const std::string& path) {
        fin::PortfolioFile f = fin::read_portfolio(path);
        return py::make_tuple(f.tickers, f.result, f.mu, f.cov, f.risk_free_rate);
      },
      py::arg("path"));

  // ---- backtest ----
  py::class_<fin::BacktestOptions>(m, "BacktestOptions")
      .def(py::init<>())
      .def_readwrite("lookback", &fin::BacktestOptions::lookback)
      .def_readwrite("objective", &fin::BacktestOptions::objective)
      .def_readwrite("risk_aversion", &fin::BacktestOptions::risk_aversion)
      .def_readwrite("expected_returns", &fin::BacktestOptions::expected_returns)
      .def_readwrite("risk_model", &fin::BacktestOptions::risk_model)
      .def_readwrite("transaction_cost", &fin::BacktestOptions::transaction_cost)
      .def_readwrite("portfolio", &fin::BacktestOptions::portfolio);
  py::class_<fin::BacktestSummary>(m, "BacktestSummary")
      .def_readonly("annual_return", &fin::BacktestSummary::annual_return)
      .def_readonly("annual_volatility", &fin::BacktestSummary::annual_volatility)
      .def_readonly("sharpe", &fin::BacktestSummary::sharpe)
      .def_readonly("max_drawdown", &fin::BacktestSummary::max_drawdown)
      .def_readonly("turnover", &fin::BacktestSummary::turnover)
      .def_readonly("annual_turnover", &fin::BacktestSummary::annual_turnover)
      .def_readonly("final_wealth", &fin::BacktestSummary::final_wealth);
  py::class_<fin::StrategyPath>(m, "StrategyPath")
      .def_readonly("name", &fin::StrategyPath::name)
      .def_readonly("daily_returns", &fin::StrategyPath::daily_returns)
      .def_readonly("wealth", &fin::StrategyPath::wealth)
      .def_readonly("drawdown", &fin::StrategyPath::drawdown)
      .def_readonly("weights", &fin::StrategyPath::weights)
      .def_readonly("turnover", &fin::StrategyPath::turnover)
      .def_readonly("summary", &fin::StrategyPath::summary);
  py::class_<fin::BacktestResult>(m, "BacktestResult")
      .def_readonly("tickers", &fin::BacktestResult::tickers)
      .def_readonly("dates", &fin::BacktestResult::dates)
      .def_readonly("rebalance_dates", &fin::BacktestResult::rebalance_dates)
      .def_readonly("strategy", &fin::BacktestResult::strategy)
      .def_readonly("equal_weight", &fin::BacktestResult::equal_weight)
      .def_readonly("fallbacks", &fin::BacktestResult::fallbacks)
      .def_readonly("options", &fin::BacktestResult::options);
  m.def(
      "backtest",
      [](std::vector<std::string> dates, std::vector<std::string> tickers,
         const ds::RowMatrixXd& prices, const fin::BacktestOptions& options,
         const std::function<void(int, int)>& progress) {
        const ds::PricePanel p = panel_from(std::move(dates), std::move(tickers), prices);
        return fin::backtest(p, options, progress);
      },
      py::arg("dates"), py::arg("tickers"), py::arg("prices"), py::arg("options"),
      py::arg("progress") = std::function<void(int, int)>());
  m.def("write_backtest", &fin::write_backtest, py::arg("path"), py::arg("result"));
  m.def("read_backtest", &fin::read_backtest, py::arg("path"));
  m.def("plot_backtest", &fin::plot_backtest, py::arg("result"), py::arg("png_path"));

  // ---- hierarchical risk parity (hrp.hpp) ----
  py::class_<fin::HrpResult>(m, "HrpResult")
      .def_readonly("weights", &fin::HrpResult::weights)
      .def_readonly("linkage", &fin::HrpResult::linkage)
      .def_readonly("order", &fin::HrpResult::order)
      .def_readonly("corr", &fin::HrpResult::corr)
      .def_readonly("dist", &fin::HrpResult::dist)
      .def_readonly("cov", &fin::HrpResult::cov)
      .def_property_readonly("mu",
                             [](const fin::HrpResult& r) -> py::object {
                               if (r.mu.size() == 0) return py::none();
                               return py::cast(r.mu);
                             })
      .def_property_readonly("method",
                             [](const fin::HrpResult& r) { return fin::linkage_name(r.method); })
      .def_property_readonly(
          "distance", [](const fin::HrpResult& r) { return fin::hrp_distance_name(r.distance); });
  auto hrp_options = [](const std::string& linkage, const std::string& distance, int frequency) {
    fin::HrpOptions o;
    o.linkage = fin::linkage_from_name(linkage);
    o.distance = fin::hrp_distance_from_name(distance);
    o.frequency = frequency;
    return o;
  };
  m.def(
      "hrp",
      [hrp_options](const ds::RowMatrixXd& returns, const std::string& linkage,
                    const std::string& distance, int frequency) {
        const fin::HrpOptions o = hrp_options(linkage, distance, frequency);
        py::gil_scoped_release unlock;
        return fin::hrp(returns, o);
      },
      py::arg("returns"), py::arg("linkage") = "single", py::arg("distance") = "correlation",
      py::arg("frequency") = fin::kTradingDaysPerYear);
  m.def(
      "hrp_from_cov",
      [hrp_options](const Eigen::MatrixXd& cov, const std::string& linkage,
                    const std::string& distance) {
        const fin::HrpOptions o = hrp_options(linkage, distance, fin::kTradingDaysPerYear);
        py::gil_scoped_release unlock;
        return fin::hrp_from_cov(cov, o);
      },
      py::arg("cov"), py::arg("linkage") = "single", py::arg("distance") = "correlation");
  m.def(
      "linkage",
      [](const Eigen::VectorXd& condensed, const std::string& method) {
        return fin::linkage(condensed, fin::linkage_from_name(method));
      },
      py::arg("condensed"), py::arg("method") = "single");
  m.def("linkage_methods", &fin::linkage_methods);
  m.def("leaf_order", &fin::leaf_order, py::arg("linkage"));
  m.def("condensed_distances", &fin::condensed_distances, py::arg("dist"));
  m.def("correlation_distance", &fin::correlation_distance, py::arg("corr"));
  m.def("distance_of_distances", &fin::distance_of_distances, py::arg("dist"));
  m.def("pairwise_correlation", &fin::pairwise_correlation, py::arg("returns"));
  m.def("pairwise_covariance", &fin::pairwise_covariance, py::arg("returns"));
  m.def("cov_to_corr", &fin::cov_to_corr, py::arg("cov"));
  m.def("cluster_variance", &fin::cluster_variance, py::arg("cov"), py::arg("items"));
  m.def("recursive_bisection", &fin::recursive_bisection, py::arg("cov"), py::arg("order"));
  m.def("plot_dendrogram", &fin::plot_dendrogram, py::arg("result"), py::arg("tickers"),
        py::arg("png_path"));

  // ---- Black-Litterman (black_litterman.hpp) ----
  py::class_<fin::BlackLittermanViews>(m, "BlackLittermanViews")
      .def(py::init<>())
      .def_readwrite("P", &fin::BlackLittermanViews::P)
      .def_readwrite("Q", &fin::BlackLittermanViews::Q)
      .def_readwrite("confidences", &fin::BlackLittermanViews::confidences)
      .def_readwrite("labels", &fin::BlackLittermanViews::labels)
      .def("__len__", [](const fin::BlackLittermanViews& v) { return v.size(); });
  py::class_<fin::BlackLittermanResult>(m, "BlackLittermanResult")
      .def_readonly("prior", &fin::BlackLittermanResult::prior)
      .def_readonly("posterior_returns", &fin::BlackLittermanResult::posterior_returns)
      .def_readonly("posterior_cov", &fin::BlackLittermanResult::posterior_cov)
      .def_readonly("cov", &fin::BlackLittermanResult::cov)
      .def_readonly("omega", &fin::BlackLittermanResult::omega)
      .def_readonly("views", &fin::BlackLittermanResult::views)
      .def_readonly("tau", &fin::BlackLittermanResult::tau);
  m.def("absolute_views", &fin::absolute_views, py::arg("views"), py::arg("tickers"));
  m.def("parse_views_csv", &fin::parse_views_csv, py::arg("text"), py::arg("tickers"),
        py::arg("source") = "views");
  m.def("read_views_csv", &fin::read_views_csv, py::arg("path"), py::arg("tickers"));
  m.def("market_implied_prior_returns", &fin::market_implied_prior_returns, py::arg("market_caps"),
        py::arg("risk_aversion"), py::arg("cov"), py::arg("risk_free_rate") = 0.0);
  m.def("market_implied_risk_aversion", &fin::market_implied_risk_aversion,
        py::arg("market_prices"), py::arg("frequency") = fin::kTradingDaysPerYear,
        py::arg("risk_free_rate") = 0.0);
  m.def("default_omega", &fin::default_omega, py::arg("cov"), py::arg("P"), py::arg("tau"));
  m.def("idzorek_omega", &fin::idzorek_omega, py::arg("confidences"), py::arg("cov"), py::arg("P"),
        py::arg("tau"));
  m.def(
      "black_litterman",
      [](const Eigen::MatrixXd& cov, const Eigen::VectorXd& prior,
         const fin::BlackLittermanViews& views, double tau, std::optional<Eigen::MatrixXd> omega) {
        fin::BlackLittermanOptions o;
        o.tau = tau;
        if (omega) o.omega = *omega;
        return fin::black_litterman(cov, prior, views, o);
      },
      py::arg("cov"), py::arg("prior"), py::arg("views"), py::arg("tau") = 0.05,
      py::arg("omega") = py::none());
  m.def("black_litterman_weights", &fin::black_litterman_weights, py::arg("returns"),
        py::arg("cov"), py::arg("risk_aversion") = 1.0);
  m.def("plot_black_litterman", &fin::plot_black_litterman, py::arg("result"), py::arg("tickers"),
        py::arg("png_path"));
}

}  // namespace adamant::python
