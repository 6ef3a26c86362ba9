// Built against an installed adamant: one Adam step from a zero start moves each parameter by
// exactly -lr (m̂ / √v̂ = g / |g| on the first step, up to eps), and a price panel written with
// adamant::datasets reads back equal.
#include <adamant/core/optimizer.hpp>
#include <adamant/datasets/schema.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

int main() {
  Eigen::VectorXd p = Eigen::VectorXd::Zero(3), g = Eigen::VectorXd::Constant(3, 2.0);
  adamant::core::AdamOptions adam;
  adam.lr = 0.01;
  adamant::core::Optimizer<double> opt(adam, 3);
  opt.step(p, g);
  const bool step_ok = std::abs(p[0] + 0.01) < 1e-9 && p[0] == p[2];

  namespace ad = adamant::datasets;
  ad::PricePanel panel;
  panel.dates = {"2020-01-02", "2020-01-03"};
  panel.tickers = {"AAA", "BBB"};
  panel.prices.resize(2, 2);
  panel.prices << 10.0, std::numeric_limits<double>::quiet_NaN(), 10.5, 20.0;
  const std::string path = "consumer_prices.h5";
  ad::write_prices(path, panel);
  const ad::PricePanel back = ad::read_prices(path);
  std::remove(path.c_str());
  const bool data_ok = back.tickers == panel.tickers && back.dates == panel.dates &&
                       back.prices(1, 0) == 10.5 && std::isnan(back.prices(0, 1));

  const bool ok = step_ok && data_ok;
  std::cout << (ok ? "consumer: ok " : "consumer: WRONG ") << p.transpose() << "\n";
  return ok ? 0 : 1;
}
