#pragma once
// BlockSum: a sum of B vectors ("blocks": the per-frame or per-sample gradients of a minibatch)
// that several processes may share. This process computes the blocks range(B) and sum() returns,
// on every process, 0 + g₀ + g₁ + ... + g_{B−1}, added in block order — so a training loop written
// against it gives the same bits on one process (BlockSum itself, the default) and on any number
// of MPI ranks (dist::MpiBlockSum).

#include <algorithm>
#include <cstddef>
#include <utility>

namespace adamant::core {

/// out = 0 + rows[0] + rows[1] + ... (`count` rows of n, one after the other), in row order.
inline void add_blocks(const double* rows, std::size_t count, std::size_t n, double* out) {
  std::fill(out, out + n, 0.0);
  for (std::size_t k = 0; k < count; ++k) {
    const double* row = rows + k * n;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) out[i] += row[i];
  }
}

class BlockSum {
 public:
  virtual ~BlockSum() = default;
  /// The blocks [first, second) of `blocks` this process computes.
  virtual std::pair<std::size_t, std::size_t> range(std::size_t blocks) const {
    return {0, blocks};
  }
  /// The sum over all `blocks` into out (n); `mine` holds this process's range(blocks) rows.
  virtual void sum(const double* mine, std::size_t blocks, std::size_t n, double* out) const {
    add_blocks(mine, blocks, n, out);
  }
  /// Whether this process reports and writes files (one process does).
  virtual bool root() const { return true; }
  /// The number of processes sharing the blocks.
  virtual int processes() const { return 1; }
};

}  // namespace adamant::core
