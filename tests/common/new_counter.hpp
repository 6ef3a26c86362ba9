#pragma once
// Counts calls of the global operator new (std::vector's, std::string's, Eigen's — everything
// that allocates through it) while armed: the proof that a hot loop allocates nothing (DESIGN
// habit 3). Link tests/common/new_counter.cpp into the test executable: it replaces the global
// operator new / delete, so it may appear in one executable once.

namespace adamant::testing {

void arm_new_counter();
long disarm_new_counter();  ///< returns the count since arm_new_counter()

/// Calls of operator new while `f()` runs.
template <typename F>
long allocations_during(F&& f) {
  arm_new_counter();
  f();
  return disarm_new_counter();
}

}  // namespace adamant::testing
