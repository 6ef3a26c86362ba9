// The portfolio file (portfolio_file.hpp, docs/schema.md).

#include "adamant/finance/portfolio_file.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

#include "adamant/datasets/schema.hpp"
#include "checks.hpp"

namespace adamant::finance {
namespace {

namespace ds = adamant::datasets;

constexpr const char* kSchema = "portfolio";

const std::set<std::string>& reserved() {
  static const std::set<std::string> keys = {"adamant_schema",  "adamant_schema_version",
                                             "problem",         "solver",
                                             "expected_return", "volatility",
                                             "sharpe",          "objective",
                                             "risk_free_rate",  "iterations",
                                             "kkt_residual",    "converged"};
  return keys;
}

// `adamant data info`'s summary of a portfolio file (datasets/schema.hpp).
[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary("portfolio", [](const std::string&, const ds::Reader& r) {
      std::ostringstream os;
      const std::vector<std::string> tickers = r.read_strings("tickers");
      const std::vector<double> w =
          r.read_f64("weights", {static_cast<std::int64_t>(tickers.size())});
      std::size_t held = 0;
      for (double x : w) held += std::abs(x) > 1e-10;
      os << "portfolio: " << r.attr_string("/", "problem") << " (" << r.attr_string("/", "solver")
         << "), " << held << " of " << tickers.size() << " assets held, expected return "
         << ds::summary_number(r.attr_double("/", "expected_return")) << ", volatility "
         << ds::summary_number(r.attr_double("/", "volatility")) << ", Sharpe "
         << ds::summary_number(r.attr_double("/", "sharpe"));
      return os.str();
    });
}  // namespace

void write_portfolio(const std::string& path, const PortfolioFile& f) {
  const auto n = static_cast<Eigen::Index>(f.tickers.size());
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("write_portfolio: " + path + ": " + what);
  };
  if (n == 0) bad("no tickers");
  if (f.result.weights.size() != n) bad("weights and tickers differ in length");
  if (f.mu.size() != n || f.cov.rows() != n || f.cov.cols() != n)
    bad("mu / cov do not match the " + std::to_string(n) + " tickers");
  if (!f.result.weights.allFinite() || !f.mu.allFinite() || !f.cov.allFinite())
    bad("non-finite weights, mu or cov");
  for (const auto& kv : f.config)
    if (reserved().count(kv.first)) bad("config key '" + kv.first + "' is reserved");

  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  const PortfolioResult& r = f.result;
  w.attr("/", "problem", r.problem);
  w.attr("/", "solver", r.solver);
  w.attr("/", "expected_return", r.expected_return);
  w.attr("/", "volatility", r.volatility);
  w.attr("/", "sharpe", r.sharpe);
  w.attr("/", "objective", r.objective);
  w.attr("/", "risk_free_rate", f.risk_free_rate);
  w.attr("/", "iterations", std::int64_t{r.iterations});
  w.attr("/", "kkt_residual", r.kkt_residual);
  w.attr("/", "converged", std::int64_t{r.converged ? 1 : 0});
  for (const auto& kv : f.config) w.attr("/", kv.first, kv.second);
  w.write_strings("tickers", f.tickers);
  w.write("weights", r.weights.data(), {n});
  w.write("mu", f.mu.data(), {n});
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> cov = f.cov;
  w.write("cov", cov.data(), {n, n});
  w.commit();
}

PortfolioFile read_portfolio(const std::string& path) {
  return ds::guarded_read(path, [&]() -> PortfolioFile {
    ds::Reader r(path);
    detail::check_file_schema(r, kSchema);
    PortfolioFile f;
    f.tickers = r.read_strings("tickers");
    const auto n = static_cast<std::int64_t>(f.tickers.size());
    if (n == 0) r.fail("tickers", "expected at least one ticker");
    const std::vector<double> w = r.read_f64("weights", {n});
    const std::vector<double> mu = r.read_f64("mu", {n});
    const std::vector<double> cov = r.read_f64("cov", {n, n});
    f.result.weights = Eigen::Map<const Eigen::VectorXd>(w.data(), n);
    f.mu = Eigen::Map<const Eigen::VectorXd>(mu.data(), n);
    f.cov =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            cov.data(), n, n);
    if ((f.cov - f.cov.transpose()).cwiseAbs().maxCoeff() >
        1e-12 * std::max(1.0, f.cov.cwiseAbs().maxCoeff()))
      r.fail("cov", "expected a symmetric matrix");
    f.result.problem = r.attr_string("/", "problem");
    f.result.solver = r.attr_string("/", "solver");
    f.result.expected_return = r.attr_double("/", "expected_return");
    f.result.volatility = r.attr_double("/", "volatility");
    f.result.sharpe = r.attr_double("/", "sharpe");
    f.result.objective = r.attr_double("/", "objective");
    f.result.iterations = static_cast<int>(r.attr_int("/", "iterations"));
    f.result.kkt_residual = r.attr_double("/", "kkt_residual");
    f.result.converged = r.attr_int("/", "converged") != 0;
    f.risk_free_rate = r.attr_double("/", "risk_free_rate");
    for (const auto& kv : r.attrs("/"))
      if (!reserved().count(kv.first)) f.config.insert(kv);
    return f;
  });
}

}  // namespace adamant::finance
