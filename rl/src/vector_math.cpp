// vector_sin_cos: VecMath::kVector's sine and cosine from glibc's libmvec (the vector variants
// GCC calls for `#pragma omp declare simd` sin/cos, named by the x86-64 vector function ABI:
// _ZGV<isa>N<lanes>v_<name>, isa b = SSE2, d = AVX2, e = AVX-512). libmvec selects its kernel
// for the running CPU within the variant (an IFUNC); the variant is fixed by the build's target.

#include <cmath>

#include "classic_control.hpp"

#if defined(ADAMANT_HAVE_LIBMVEC) && defined(__x86_64__)
#include <immintrin.h>

extern "C" {
#if defined(__AVX512F__)
__m512d _ZGVeN8v_sin(__m512d);
__m512d _ZGVeN8v_cos(__m512d);
#elif defined(__AVX2__)
__m256d _ZGVdN4v_sin(__m256d);
__m256d _ZGVdN4v_cos(__m256d);
#else
__m128d _ZGVbN2v_sin(__m128d);
__m128d _ZGVbN2v_cos(__m128d);
#endif
}

namespace adamant::rl::detail {
namespace {
#if defined(__AVX512F__)
constexpr int kLanes = 8;
constexpr const char* kKind = "libmvec AVX-512 (8 lanes)";
inline void lanes(const double* x, double* s, double* c) {
  const __m512d v = _mm512_loadu_pd(x);
  _mm512_storeu_pd(s, _ZGVeN8v_sin(v));
  _mm512_storeu_pd(c, _ZGVeN8v_cos(v));
}
#elif defined(__AVX2__)
constexpr int kLanes = 4;
constexpr const char* kKind = "libmvec AVX2 (4 lanes)";
inline void lanes(const double* x, double* s, double* c) {
  const __m256d v = _mm256_loadu_pd(x);
  _mm256_storeu_pd(s, _ZGVdN4v_sin(v));
  _mm256_storeu_pd(c, _ZGVdN4v_cos(v));
}
#else
constexpr int kLanes = 2;
constexpr const char* kKind = "libmvec SSE2 (2 lanes)";
inline void lanes(const double* x, double* s, double* c) {
  const __m128d v = _mm_loadu_pd(x);
  _mm_storeu_pd(s, _ZGVbN2v_sin(v));
  _mm_storeu_pd(c, _ZGVbN2v_cos(v));
}
#endif
}  // namespace

void vector_sin_cos(const double* x, int n, double* s, double* c) {
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) lanes(x + i, s + i, c + i);
  if (i < n) {  // the tail through a zero-padded register's worth (lanes are independent)
    double xt[kLanes] = {}, st[kLanes], ct[kLanes];
    for (int k = 0; k < n - i; ++k) xt[k] = x[i + k];
    lanes(xt, st, ct);
    for (int k = 0; k < n - i; ++k) {
      s[i + k] = st[k];
      c[i + k] = ct[k];
    }
  }
}

const char* vector_sin_cos_kind() { return kKind; }

}  // namespace adamant::rl::detail

#else

namespace adamant::rl::detail {

void vector_sin_cos(const double* x, int n, double* s, double* c) {
  for (int i = 0; i < n; ++i) sin_cos(x[i], &s[i], &c[i]);
}

const char* vector_sin_cos_kind() { return "scalar C library (libmvec not available)"; }

}  // namespace adamant::rl::detail

#endif
