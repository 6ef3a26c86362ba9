// The allocation counter behind new_counter.hpp.

#include "new_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>

#include "sanitizer.hpp"

namespace {
std::atomic<bool> g_armed{false};
std::atomic<long> g_allocations{0};
inline void count() {
  if (g_armed.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
}
}  // namespace

#if defined(ADAMANT_TEST_ASAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
namespace {
void on_malloc(const volatile void*, std::size_t) { count(); }
void on_free(const volatile void*) {}
const bool g_counting = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
}  // namespace
#elif defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t n);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t n);
void* __libc_memalign(std::size_t alignment, std::size_t n);

void* malloc(std::size_t n) noexcept {
  count();
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
  count();
  return __libc_realloc(p, n);
}
void* memalign(std::size_t alignment, std::size_t n) noexcept {
  count();
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  count();
  void* p = __libc_memalign(alignment, n);
  if (p == nullptr && n != 0) return ENOMEM;
  *out = p;
  return 0;
}
}
namespace {
const bool g_counting = true;
}  // namespace
#else
namespace {
const bool g_counting = false;
}  // namespace
#endif

namespace adamant::testing {

bool can_count_allocations() { return g_counting; }

void arm_new_counter() {
  g_allocations = 0;
  g_armed = true;
}

long disarm_new_counter() {
  g_armed = false;
  return g_allocations.load();
}

}  // namespace adamant::testing
