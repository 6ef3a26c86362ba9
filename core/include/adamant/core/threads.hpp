#pragma once
// What a `num_threads` option means, in every module: n threads when n > 0, and every processor
// available to the process when n is 0 (or negative, where a module accepts that).

namespace adamant::core {

/// n when n > 0, else omp_get_num_procs() (the processors this process may run on).
int resolve_threads(int n);

}  // namespace adamant::core
