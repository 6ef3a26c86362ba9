// Built against an installed adamant: one Adam step from a zero start moves each parameter by
// exactly -lr (m̂ / √v̂ = g / |g| on the first step, up to eps).
#include <adamant/core/optimizer.hpp>
#include <cmath>
#include <iostream>

int main() {
  Eigen::VectorXd p = Eigen::VectorXd::Zero(3), g = Eigen::VectorXd::Constant(3, 2.0);
  adamant::core::AdamOptions adam;
  adam.lr = 0.01;
  adamant::core::Optimizer<double> opt(adam, 3);
  opt.step(p, g);
  const bool ok = std::abs(p[0] + 0.01) < 1e-9 && p[0] == p[2];
  std::cout << (ok ? "consumer: ok " : "consumer: WRONG ") << p.transpose() << "\n";
  return ok ? 0 : 1;
}
