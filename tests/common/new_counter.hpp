#pragma once
// Counts every heap allocation while armed — malloc, calloc, realloc, aligned_alloc,
// posix_memalign and memalign, so operator new (std::vector's, std::string's), Eigen's aligned
// blocks and core's AlignedAllocator alike, library code included: the proof that a hot loop
// allocates nothing (DESIGN habit 3). In ordinary builds on glibc it replaces those functions
// (each counts and forwards to glibc's own, so free stays consistent with them); under
// AddressSanitizer, which owns them, it counts through ASan's malloc hook. Link
// tests/common/new_counter.cpp into the test executable once.

namespace adamant::testing {

/// False where this build cannot count (neither glibc nor AddressSanitizer): tests then skip.
bool can_count_allocations();
void arm_new_counter();
long disarm_new_counter();  ///< returns the count since arm_new_counter()

/// Allocations while `f()` runs.
template <typename F>
long allocations_during(F&& f) {
  arm_new_counter();
  f();
  return disarm_new_counter();
}

}  // namespace adamant::testing
