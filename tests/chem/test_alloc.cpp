// Hot loops never allocate (DESIGN habit 3): the per-frame loss + gradient of training
// (Potential::evaluate_frame), prediction, and the MD force call (Calculator::compute) once
// their buffers are sized. Every malloc is counted — std::vector's and Eigen's alike, library
// code included: in ordinary builds by interposing malloc (glibc), under AddressSanitizer through
// its malloc hook.

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <functional>

#include "adamant/chem/potential.hpp"
#include "chem_test_util.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define ADAMANT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADAMANT_TEST_ASAN 1
#endif
#endif

namespace {
std::atomic<bool> g_armed{false};
std::atomic<long> g_mallocs{0};
}  // namespace

#if defined(ADAMANT_TEST_ASAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
namespace {
void count_malloc(const volatile void*, std::size_t) {
  if (g_armed.load(std::memory_order_relaxed)) g_mallocs.fetch_add(1);
}
void ignore_free(const volatile void*) {}
const bool g_hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free);
}  // namespace
#define ADAMANT_TEST_COUNTS_MALLOC 1
#elif defined(__GLIBC__)
// glibc lets a program replace malloc; this one counts and forwards to glibc's own, so free,
// realloc and friends (glibc's) stay consistent with it.
extern "C" void* __libc_malloc(std::size_t n);
extern "C" void* malloc(std::size_t n) noexcept {
  if (g_armed.load(std::memory_order_relaxed)) g_mallocs.fetch_add(1);
  return __libc_malloc(n);
}
#define ADAMANT_TEST_COUNTS_MALLOC 1
#endif

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;

long mallocs_during(const std::function<void()>& f) {
  g_mallocs = 0;
  g_armed = true;
  f();
  g_armed = false;
  return g_mallocs.load();
}

class NoAllocation : public ::testing::Test {
 protected:
  void SetUp() override {
#if !defined(ADAMANT_TEST_COUNTS_MALLOC)
    GTEST_SKIP() << "this build cannot count mallocs";
#endif
#if defined(ADAMANT_TEST_ASAN)
    ASSERT_TRUE(g_hooks_installed);
#endif
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
