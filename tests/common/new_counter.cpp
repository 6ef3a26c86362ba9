// The replaced global operator new behind new_counter.hpp.

#include "new_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> g_armed{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_armed.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// GCC 12 at -O1 inlines these into gtest's `new TestClass` and, not seeing that the operator new
// above is the replacement, flags the pair as mismatched (-Wmismatched-new-delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace adamant::testing {

void arm_new_counter() {
  g_allocations = 0;
  g_armed = true;
}

long disarm_new_counter() {
  g_armed = false;
  return g_allocations.load();
}

}  // namespace adamant::testing
