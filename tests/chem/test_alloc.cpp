// Hot loops never allocate (DESIGN habit 3): the per-frame loss + gradient of training
// (Potential::evaluate_frame), prediction, and the MD force call (Calculator::compute) once
// their buffers are sized. Every allocation is counted — std::vector's and Eigen's alike, library
// code included (tests/common/new_counter.hpp).

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <functional>

#include "../common/new_counter.hpp"
#include "adamant/chem/potential.hpp"
#include "chem_test_util.hpp"

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;

long mallocs_during(const std::function<void()>& f) {
  return adamant::testing::allocations_during(f);
}

class NoAllocation : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!adamant::testing::can_count_allocations())
      GTEST_SKIP() << "this build cannot count mallocs";
    // The probe is live: a vector allocates.
    EXPECT_GT(mallocs_during([] {
                std::vector<double> v(1000);
                v[3] = 1;
                ASSERT_EQ(v[3], 1);
              }),
              0);
  }
};

TEST_F(NoAllocation, EvaluateFrameWithGradientAndPredict) {
  const Potential pot = small_potential();
  const int frame = 40;
  const PreparedFrame f = pot.prepare(ethanol_frame(frame), ethanol().energies[frame],
                                      ethanol().forces.row(frame).transpose());
  Potential::Workspace ws = pot.make_workspace(9);
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(pot.num_parameters());
  LossWeights w;
  w.energy = 0.5;
  w.force = 3.0;
  for (bool huber : {false, true}) {
    w.huber = huber;
    pot.evaluate_frame(pot.params, f, w, ws, grad.data());  // warm-up
    double sink = 0;
    const long n = mallocs_during([&] {
      for (int k = 0; k < 5; ++k) {
        sink += pot.evaluate_frame(pot.params, f, w, ws, grad.data()).loss;
        sink += pot.predict(pot.params, f, ws);
      }
    });
    EXPECT_EQ(n, 0) << "huber " << huber;
    EXPECT_TRUE(std::isfinite(sink));
  }
}

TEST_F(NoAllocation, CalculatorComputeInAnMdLoop) {
  const Potential pot = small_potential();
  Calculator calc(pot);
  for (bool periodic : {false, true}) {
    SCOPED_TRACE(periodic ? "cell" : "molecule");
    Structure s = periodic ? small_cell() : ethanol_frame(5);
    RowMatrixXd forces;
    calc.compute(s, forces);  // sizes every buffer
    const RowMatrixXd start = s.positions;
    double sink = 0;
    const long n = mallocs_during([&] {
      for (int k = 1; k <= 5; ++k) {
        // Small moves (as in an MD step) that keep the neighbour counts.
        s.positions = start;
        s.positions(0, 0) += 1e-4 * k;
        s.positions(1, 2) -= 2e-4 * k;
        sink += calc.compute(s, forces);
      }
    });
    EXPECT_EQ(n, 0);
    EXPECT_TRUE(std::isfinite(sink));
  }
}

}  // namespace
