// GameOptimizer::step allocates nothing (optimizers.hpp), for every scheme, on the bilinear game,
// the Dirac-GAN (with instance noise) and the mixture GAN (its vector field runs both MLPs):
// the allocation counter of tests/common/new_counter.hpp, armed around the steps, as in
// tests/core/test_optim_alloc.cpp.

#include <gtest/gtest.h>

#include "../common/new_counter.hpp"

#include "adamant/gan/mixture.hpp"
#include "adamant/gan/optimizers.hpp"
#include "adamant/gan/study.hpp"

namespace {

using namespace adamant::gan;

long allocations(Game<double>& game, const GameOptimizerOptions& o, Eigen::VectorXd z) {
  GameOptimizer<double> opt(o, game.dim(), game.x_dim());
  opt.step(game, z);  // warm-up
  return adamant::testing::allocations_during([&] {
    for (int t = 0; t < 4; ++t) opt.step(game, z);
  });
}

TEST(GanAlloc, StepsAllocateNothing) {
  BilinearOptions b;
  b.A = Eigen::MatrixXd::Ones(2, 3);
  b.B = Eigen::MatrixXd::Identity(2, 2);
  BilinearGame<double> bil(b);
  DiracOptions d;
  d.instance_noise = 0.2;
  d.gamma = 0.1;
  DiracGan<double> dirac(d);
  MixtureOptions mo;
  mo.generator_hidden = {16, 16};
  mo.discriminator_hidden = {16};
  mo.batch_size = 32;
  mo.instance_noise = 0.05;
  MixtureGan<double> mix(mo);
  for (const std::string& m : method_names()) {
    const GameOptimizerOptions o = method_preset(m, 0.05, 1e-3);
    EXPECT_EQ(allocations(bil, o, Eigen::VectorXd::Ones(5)), 0) << m << " bilinear";
    EXPECT_EQ(allocations(dirac, o, Eigen::VectorXd::Ones(2)), 0) << m << " dirac";
    if (m != "consensus" && m != "sga") {
      EXPECT_EQ(allocations(mix, o, mix.initial_point()), 0) << m << " mixture";
    }
  }
}

}  // namespace
