#include "adamant/core/threads.hpp"

#include <omp.h>

namespace adamant::core {

int resolve_threads(int n) { return n > 0 ? n : omp_get_num_procs(); }

}  // namespace adamant::core
