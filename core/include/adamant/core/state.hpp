#pragma once
// Optimizer state as plain data: named per-element buffers ("slots", e.g. Adam's exp_avg and
// exp_avg_sq), named scalars (e.g. NAdam's running product of momentum factors) and the step
// counters. Copying a State and handing it back to an optimizer continues the run bit for bit;
// the datasets module writes it to HDF5 under the same names.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

namespace adamant::core {

/// Allocator aligned to 64 bytes (one cache line, one AVX-512 register) for flat buffers.
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;
  AlignedAllocator() noexcept = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding copy
  T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    const std::size_t bytes = (n * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, bytes);
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const AlignedAllocator<U>&) const noexcept {
    return false;
  }
};

template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

template <typename T>
struct State {
  /// Number of updates applied so far (PyTorch's `state["step"]`).
  std::int64_t step = 0;
  /// Number of steps skipped because a gradient held NaN or Inf (NonFinitePolicy::kSkip).
  std::int64_t skipped_steps = 0;
  /// Per-element buffers, each as long as the parameter buffer.
  std::vector<std::string> slot_names;
  std::vector<AlignedVector<T>> slots;
  /// Per-run scalars kept in double whatever T is (as PyTorch keeps them).
  std::vector<std::string> scalar_names;
  std::vector<double> scalars;

  /// The slot called `name`, or nullptr.
  AlignedVector<T>* slot(const std::string& name) {
    for (std::size_t i = 0; i < slot_names.size(); ++i)
      if (slot_names[i] == name) return &slots[i];
    return nullptr;
  }
  const AlignedVector<T>* slot(const std::string& name) const {
    return const_cast<State*>(this)->slot(name);
  }

  bool operator==(const State& o) const {
    return step == o.step && skipped_steps == o.skipped_steps && slot_names == o.slot_names &&
           slots == o.slots && scalar_names == o.scalar_names && scalars == o.scalars;
  }
  bool operator!=(const State& o) const { return !(*this == o); }
};

}  // namespace adamant::core
