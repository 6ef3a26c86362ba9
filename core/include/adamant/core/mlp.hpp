#pragma once
// A small multilayer perceptron with exact gradients, over a flat parameter buffer the caller owns.
//
// Forward (Rumelhart, Hinton & Williams 1986), for a batch of B samples stored as rows:
//   A_0 = X                                   (B × n_0, the input)
//   Z_l = A_l · W_lᵀ + 1 · b_lᵀ               (B × n_{l+1}),  l = 0 … L−1
//   A_{l+1} = σ_l(Z_l)                        σ_l = hidden for l < L−1, output for l = L−1
//   Y = A_L                                   (B × n_L, the output)
// i.e. per sample a_{l+1} = σ(W_l a_l + b_l).
//
// Backward (reverse-mode chain rule), given G = ∂L/∂Y:
//   Δ_{L−1} = G ⊙ σ'_{L−1}(Z_{L−1})
//   ∂L/∂W_l = Δ_lᵀ · A_l          ∂L/∂b_l = Δ_lᵀ · 1         (sums over the batch)
//   ∂L/∂A_l = Δ_l · W_l           Δ_{l−1} = ∂L/∂A_l ⊙ σ'_{l−1}(Z_{l−1})
//   ∂L/∂X   = Δ_0 · W_0           (exact; chem's forces are −∂E/∂x through the descriptors)
//
// Activations and derivatives:
//   identity  σ(z) = z                         σ' = 1
//   tanh      σ(z) = tanh z                    σ' = 1 − σ²
//   relu      σ(z) = max(z, 0)                 σ' = [z > 0]            (0 at z = 0, as PyTorch)
//   silu      σ(z) = z·s(z), s = 1/(1+e^{−z})  σ' = s·(1 + z·(1 − s))  (Elfwing et al. 2018)
//   softplus  σ(z) = max(z,0) + log1p(e^{−|z|}) σ' = s(z)   (exact for all z; PyTorch switches
//             to σ(z) = z above z = 20, which differs from this by < 3e-9)
//
// Parameter layout (one flat contiguous buffer, the same order as PyTorch's
// parameters_to_vector(nn.Sequential(Linear, act, Linear, ...))): for each layer l = 0 … L−1,
//   W_l  n_{l+1} × n_l, row-major (W_l(j, k) at weight_offset(l) + j·n_l + k), then
//   b_l  n_{l+1} entries at bias_offset(l) = weight_offset(l) + n_{l+1}·n_l,
// and layer l+1 starts right after b_l. Gradient buffers use the same layout, so an optimizer
// can form parameter groups from the offsets (e.g. no weight decay on biases).
//
// Initialisation (deterministic from the seed: one std::mt19937_64 stream, u = (r >> 11)·2⁻⁵³,
// value = −a + 2a·u, drawn layer by layer, weights in row-major order then biases):
//   kPyTorch        W, b ~ U(−1/√n_in, 1/√n_in)                       (nn.Linear's default)
//   kXavierUniform  W ~ U(−√(6/(n_in+n_out)), +…), b = 0               (Glorot & Bengio 2010)
//   kHeUniform      W ~ U(−√(6/n_in), +√(6/n_in)), b = 0               (He et al. 2015)
//
// Allocation: forward / backward never allocate once a Workspace sized for the batch exists
// (a test proves it with EIGEN_RUNTIME_NO_MALLOC). They are defined in this header so they
// compile in the caller's translation unit.
// Determinism: single-threaded; every sum over the batch runs in sample order, so results do
// not depend on any thread count. Callers parallelise over independent networks or batch shards
// (one Workspace and gradient buffer each, summed in a fixed order).
//
// Future work: second-order helpers for force training (the gradient of ∂L/∂X-based losses with
// respect to the parameters, i.e. a forward-over-reverse pass) are not implemented yet.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace adamant::core {

enum class Activation { kIdentity, kTanh, kReLU, kSiLU, kSoftplus };

/// "identity", "tanh", "relu", "silu" or "softplus".
const char* to_string(Activation a);
/// Inverse of to_string (exact lowercase names); throws std::invalid_argument listing the names.
Activation parse_activation(const std::string& name);

enum class MlpInit { kPyTorch, kXavierUniform, kHeUniform };

/// "pytorch", "xavier_uniform" or "he_uniform".
const char* to_string(MlpInit init);
/// Inverse of to_string; throws std::invalid_argument listing the names.
MlpInit parse_mlp_init(const std::string& name);

struct MlpSpec {
  /// Widths from the input to the output, at least two entries, each >= 1.
  std::vector<int> layer_sizes;
  /// Activation after every layer but the last.
  Activation hidden = Activation::kTanh;
  /// Activation after the last layer.
  Activation output = Activation::kIdentity;

  /// "" when valid, else a message naming every problem ("; "-separated).
  std::string validate() const;
  /// E.g. "mlp(3-16-16-1, hidden=tanh, output=identity)".
  std::string describe() const;
};

/// Where layer l's parameters live in the flat buffer.
struct MlpLayer {
  int in = 0;                      ///< n_l
  int out = 0;                     ///< n_{l+1}
  Eigen::Index weight_offset = 0;  ///< first entry of W_l (row-major out × in)
  Eigen::Index bias_offset = 0;    ///< first entry of b_l (out entries)
  Eigen::Index weight_size() const { return static_cast<Eigen::Index>(in) * out; }
};

namespace detail {
/// Throws std::invalid_argument("<where>: <what> is <got>, expected <expected> (<spec>)").
[[noreturn]] void mlp_size_error(const char* where, const char* what, Eigen::Index got,
                                 Eigen::Index expected, const std::string& spec);
/// Throws std::invalid_argument("<where>: <message> (<spec>)").
[[noreturn]] void mlp_error(const char* where, const char* message, const std::string& spec);
}  // namespace detail

template <typename T>
class Mlp {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "Mlp is instantiated for float and double");

 public:
  using Scalar = T;
  using VectorX = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  /// Batches are row-major (one sample per row), as numpy lays them out.
  using MatrixX = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstVectorRef = Eigen::Ref<const VectorX>;
  using VectorRef = Eigen::Ref<VectorX>;
  /// Pass row-major matrices (or blocks of them): other layouts are copied into a temporary.
  using ConstMatrixRef = Eigen::Ref<const MatrixX>;
  using MatrixRef = Eigen::Ref<MatrixX>;
  using ConstMatrixMap = Eigen::Map<const MatrixX>;
  using MatrixMap = Eigen::Map<MatrixX>;
  using ConstVectorMap = Eigen::Map<const VectorX>;
  using VectorMap = Eigen::Map<VectorX>;

  /// Whether backward() overwrites the gradient buffer or adds to it. kAccumulate gives exactly
  /// grad + (what kOverwrite would write): the batch sum is formed first, then added.
  enum class GradMode { kOverwrite, kAccumulate };

  /// Activations of one forward pass, pre-sized for up to capacity() samples. Reuse it across
  /// calls; forward/backward with batch <= capacity() do not allocate. One Workspace per thread.
  class Workspace {
   public:
    Workspace() = default;
    Eigen::Index capacity() const { return capacity_; }
    /// Rows of the last forward pass (-1 before the first).
    Eigen::Index batch() const { return batch_; }
    /// A_l of the last forward pass (batch() × n_l), l = 0 … L; A_0 is the input, A_L the output.
    ConstMatrixRef activation(int l) const {
      return a_.at(static_cast<std::size_t>(l)).topRows(batch_);
    }
    /// Z_l of the last forward pass (batch() × n_{l+1}), l = 0 … L−1.
    ConstMatrixRef preactivation(int l) const {
      return z_.at(static_cast<std::size_t>(l)).topRows(batch_);
    }

   private:
    friend class Mlp;
    Eigen::Index capacity_ = 0;
    Eigen::Index batch_ = -1;
    std::vector<MatrixX> a_;  // L+1 entries, capacity × n_l
    std::vector<MatrixX> z_;  // L entries, capacity × n_{l+1}
    VectorX delta_[2];        // capacity·max width: Δ_l and ∂L/∂A_l (batch × n, row-major)
    VectorX row_;             // max width: one batch sum
    VectorX wt_;              // max width²: W_lᵀ (n_l × n_{l+1}) for the forward pass
    VectorX gw_;              // max width²: ∂L/∂W_l before it is stored or added
  };

  /// Throws std::invalid_argument with spec.validate()'s message when the spec is invalid.
  explicit Mlp(MlpSpec spec);

  const MlpSpec& spec() const { return spec_; }
  /// Number of affine layers L (= layer_sizes.size() − 1).
  int num_layers() const { return static_cast<int>(layers_.size()); }
  int input_size() const { return spec_.layer_sizes.front(); }
  int output_size() const { return spec_.layer_sizes.back(); }
  /// Length of the flat parameter (and gradient) buffer: Σ_l n_{l+1}·(n_l + 1).
  Eigen::Index num_parameters() const { return num_parameters_; }
  const std::vector<MlpLayer>& layers() const { return layers_; }
  const MlpLayer& layer(int l) const { return layers_.at(static_cast<std::size_t>(l)); }
  Eigen::Index weight_offset(int l) const { return layer(l).weight_offset; }
  Eigen::Index bias_offset(int l) const { return layer(l).bias_offset; }

  /// Views of W_l (out × in, row-major) and b_l inside a parameter or gradient buffer.
  ConstMatrixMap weights(ConstVectorRef params, int l) const;
  MatrixMap mutable_weights(VectorRef params, int l) const;
  ConstVectorMap biases(ConstVectorRef params, int l) const;
  VectorMap mutable_biases(VectorRef params, int l) const;

  /// Fills params (num_parameters() entries) deterministically from seed; see the header comment.
  void init_parameters(VectorRef params, std::uint64_t seed,
                       MlpInit init = MlpInit::kPyTorch) const;

  /// A workspace for batches of up to max_batch samples (allocates).
  Workspace make_workspace(Eigen::Index max_batch) const;

  /// Forward pass of x (batch × n_0) into ws; returns a view of the output (batch × n_L) inside
  /// ws, valid until ws is used again. Does not allocate.
  ConstMatrixRef forward(ConstVectorRef params, ConstMatrixRef x, Workspace& ws) const;
  /// Same, copying the output into out (batch × n_L).
  void forward(ConstVectorRef params, ConstMatrixRef x, Workspace& ws, MatrixRef out) const;
  /// Convenience: forward with a fresh workspace, returning the output (allocates).
  MatrixX evaluate(ConstVectorRef params, ConstMatrixRef x) const;

  /// Backward pass for the last forward(params, ·, ws): writes (kOverwrite) or adds
  /// (kAccumulate) ∂L/∂params into grad, given d_output = ∂L/∂Y (batch × n_L). The same params
  /// as the forward pass must be passed. Does not allocate.
  void backward(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, VectorRef grad,
                GradMode mode) const;
  /// Same, and also writes ∂L/∂X (batch × n_0, always overwritten) into d_input.
  void backward(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, VectorRef grad,
                GradMode mode, MatrixRef d_input) const;
  /// Only ∂L/∂X (batch × n_0, overwritten), skipping the parameter gradient. Does not allocate.
  void input_gradient(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws,
                      MatrixRef d_input) const;

 private:
  void check_params(const char* where, Eigen::Index size) const {
    if (size != num_parameters_)
      detail::mlp_size_error(where, "parameter buffer size", size, num_parameters_,
                             spec_.describe());
  }
  void check_workspace(const char* where, const Workspace& ws) const;
  void check_backward(const char* where, ConstVectorRef params, ConstMatrixRef d_output,
                      const Workspace& ws) const;
  // σ applied to the n contiguous entries of z, into a.
  static void activate(Activation act, const T* z, T* a, Eigen::Index n);
  // d[i] *= σ'(z[i]) (a = σ(z)) for n contiguous entries.
  static void multiply_derivative(Activation act, const T* z, const T* a, T* d, Eigen::Index n);
  // Shared body of backward / input_gradient; grad == nullptr skips the parameter gradient.
  void backward_impl(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, T* grad,
                     GradMode mode, MatrixRef* d_input) const;
  Activation activation_of(int l) const {
    return l + 1 == num_layers() ? spec_.output : spec_.hidden;
  }

  MlpSpec spec_;
  std::vector<MlpLayer> layers_;
  Eigen::Index num_parameters_ = 0;
  int max_width_ = 0;
};

// ---- inline definitions: the hot paths compile in the caller's translation unit ----

template <typename T>
typename Mlp<T>::ConstMatrixMap Mlp<T>::weights(ConstVectorRef params, int l) const {
  check_params("Mlp::weights", params.size());
  const MlpLayer& ly = layer(l);
  return ConstMatrixMap(params.data() + ly.weight_offset, ly.out, ly.in);
}

template <typename T>
typename Mlp<T>::MatrixMap Mlp<T>::mutable_weights(VectorRef params, int l) const {
  check_params("Mlp::mutable_weights", params.size());
  const MlpLayer& ly = layer(l);
  return MatrixMap(params.data() + ly.weight_offset, ly.out, ly.in);
}

template <typename T>
typename Mlp<T>::ConstVectorMap Mlp<T>::biases(ConstVectorRef params, int l) const {
  check_params("Mlp::biases", params.size());
  const MlpLayer& ly = layer(l);
  return ConstVectorMap(params.data() + ly.bias_offset, ly.out);
}

template <typename T>
typename Mlp<T>::VectorMap Mlp<T>::mutable_biases(VectorRef params, int l) const {
  check_params("Mlp::mutable_biases", params.size());
  const MlpLayer& ly = layer(l);
  return VectorMap(params.data() + ly.bias_offset, ly.out);
}

template <typename T>
void Mlp<T>::check_workspace(const char* where, const Workspace& ws) const {
  bool ok = ws.a_.size() == layers_.size() + 1 && ws.z_.size() == layers_.size();
  for (std::size_t l = 0; ok && l < layers_.size(); ++l)
    ok = ws.a_[l].cols() == layers_[l].in && ws.z_[l].cols() == layers_[l].out;
  if (ok) ok = ws.a_.back().cols() == output_size();
  if (!ok) detail::mlp_error(where, "workspace was made for a different network", spec_.describe());
}

namespace detail {
// Applies f(z, a, out) to fixed blocks of 16 entries copied into aligned fixed-size arrays (the
// last block zero-padded), writing `out` back. Eigen evaluates exp / log1p with its vectorised
// approximation on whole packets and with std::exp / std::log1p on a loop remainder or an
// unaligned head, so applying an expression to the buffer directly would make an entry's bits
// depend on its position in the batch and on the buffer's address. Through these blocks every
// entry takes the packet path (16 is a multiple of every packet size), so a sample gives the same
// bits alone or anywhere in a batch — what sharded, thread-count-independent training relies on.
template <typename T, typename F>
void blocked(const T* z, const T* a, T* out, Eigen::Index n, F f) {
  constexpr Eigen::Index kBlock = 16;
  using Block = Eigen::Array<T, kBlock, 1>;
  using Span = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
  Block zb, ab, ob;
  for (Eigen::Index i = 0; i < n; i += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - i);
    zb.setZero();
    ab.setZero();
    ob.setZero();
    zb.head(m) = Span(z + i, m);
    ab.head(m) = Span(a + i, m);
    ob.head(m) = Span(out + i, m);
    f(zb, ab, ob);
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(out + i, m) = ob.head(m);
  }
}
}  // namespace detail

template <typename T>
void Mlp<T>::activate(Activation act, const T* z, T* a, Eigen::Index n) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  Eigen::Map<const Array> zz(z, n);
  Eigen::Map<Array> aa(a, n);
  switch (act) {
    case Activation::kIdentity:
      aa = zz;
      break;
    case Activation::kTanh:
      aa = zz.tanh();
      break;
    case Activation::kReLU:
      aa = zz.max(T(0));
      break;
    case Activation::kSiLU:
      detail::blocked(z, a, a, n, [](const auto& zb, const auto&, auto& ab) {
        ab = zb * (T(1) + (-zb).exp()).inverse();
      });
      break;
    case Activation::kSoftplus:
      detail::blocked(z, a, a, n, [](const auto& zb, const auto&, auto& ab) {
        ab = zb.max(T(0)) + (-zb.abs()).exp().log1p();
      });
      break;
  }
}

template <typename T>
void Mlp<T>::multiply_derivative(Activation act, const T* z, const T* a, T* d, Eigen::Index n) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  Eigen::Map<const Array> zz(z, n);
  Eigen::Map<const Array> aa(a, n);
  Eigen::Map<Array> dd(d, n);
  switch (act) {
    case Activation::kIdentity:
      break;
    case Activation::kTanh:
      dd *= T(1) - aa.square();
      break;
    case Activation::kReLU:
      dd = (zz > T(0)).select(dd, T(0));
      break;
    case Activation::kSiLU:
      detail::blocked(z, a, d, n, [](const auto& zb, const auto&, auto& db) {
        const auto s = (T(1) + (-zb).exp()).inverse();  // an expression, evaluated twice below
        db *= s * (T(1) + zb * (T(1) - s));
      });
      break;
    case Activation::kSoftplus:
      detail::blocked(z, a, d, n, [](const auto& zb, const auto&, auto& db) {
        db *= T(1) / (T(1) + (-zb).exp());
      });
      break;
  }
}

namespace detail {

// C = A · B (M × N), every element one fused multiply-add chain over k = 0 … K−1 in order,
// starting from 0:  c_mn = fma(a_m,K−1, b_K−1,n, … fma(a_m1, b_1n, a_m0 · b_0n)).
// A(m, k) = A[m·a_rs + k·a_cs] (any strides: a transposed operand is read in place);
// B(k, n) = B[k·ldb + n] (rows contiguous); C(m, n) = C[m·ldc + n]. An element's value depends on
// its row of A and column of B only — not on M, N, the tiling or the vector width — so a sample
// gives the same bits alone or anywhere in a batch. Register tiles of MR rows × NR columns keep
// the accumulators in vector registers (the products of a small-batch MLP layer run near the
// FMA peak instead of as one dot product per output).
#if defined(__AVX512F__)
inline constexpr int kGemmBytes = 64;
#elif defined(__AVX__)
inline constexpr int kGemmBytes = 32;
#else
inline constexpr int kGemmBytes = 16;
#endif

// Fused: c ← fma(a, b, c); not fused: c ← c + round(a · b), i.e. each product rounded and then
// added in order — what summing per-sample gradients one after another gives.
template <bool Fused, typename T>
inline T mac(T a, T b, T c) {
  if constexpr (Fused)
    return std::fma(a, b, c);
  else
    return c + a * b;  // -ffp-contract=off: two roundings
}

template <bool Fused, typename T, int MR, int NR>
inline void fma_gemm_tile(Eigen::Index K, const T* A, Eigen::Index a_rs, Eigen::Index a_cs,
                          const T* B, Eigen::Index ldb, T* C, Eigen::Index ldc) {
  // One flat array and an explicit simd loop over n: GCC then keeps the tile in vector
  // registers (a 2-D array let it vectorise across rows with permutes for double).
  T acc[MR * NR];
  for (int i = 0; i < MR * NR; ++i) acc[i] = T(0);
  for (Eigen::Index k = 0; k < K; ++k) {
    const T* b = B + k * ldb;
    for (int r = 0; r < MR; ++r) {
      const T a = A[r * a_rs + k * a_cs];
#pragma omp simd
      for (int n = 0; n < NR; ++n) acc[r * NR + n] = mac<Fused>(a, b[n], acc[r * NR + n]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int n = 0; n < NR; ++n) C[r * ldc + n] = acc[r * NR + n];
}

// Columns [n0, N) of rows [m0, m1): narrower than a tile; the same chains, one row at a time.
template <bool Fused, typename T>
inline void fma_gemm_edge(Eigen::Index m0, Eigen::Index m1, Eigen::Index n0, Eigen::Index N,
                          Eigen::Index K, const T* A, Eigen::Index a_rs, Eigen::Index a_cs,
                          const T* B, Eigen::Index ldb, T* C, Eigen::Index ldc) {
  for (Eigen::Index m = m0; m < m1; ++m) {
    T* c = C + m * ldc;
    for (Eigen::Index n = n0; n < N; ++n) c[n] = T(0);
    for (Eigen::Index k = 0; k < K; ++k) {
      const T a = A[m * a_rs + k * a_cs];
      const T* b = B + k * ldb;
#pragma omp simd
      for (Eigen::Index n = n0; n < N; ++n) c[n] = mac<Fused>(a, b[n], c[n]);
    }
  }
}

template <typename T, bool Fused = true>
void fma_gemm(Eigen::Index M, Eigen::Index N, Eigen::Index K, const T* A, Eigen::Index a_rs,
              Eigen::Index a_cs, const T* B, Eigen::Index ldb, T* C, Eigen::Index ldc) {
  constexpr int NR = 2 * kGemmBytes / static_cast<int>(sizeof(T));  // two vectors
  constexpr int MR = 6;
  const Eigen::Index n_full = N - N % NR;
  Eigen::Index m = 0;
  for (; m + MR <= M; m += MR) {
    for (Eigen::Index n = 0; n < n_full; n += NR)
      fma_gemm_tile<Fused, T, MR, NR>(K, A + m * a_rs, a_rs, a_cs, B + n, ldb, C + m * ldc + n,
                                      ldc);
  }
  for (; m < M; ++m) {
    for (Eigen::Index n = 0; n < n_full; n += NR)
      fma_gemm_tile<Fused, T, 1, NR>(K, A + m * a_rs, a_rs, a_cs, B + n, ldb, C + m * ldc + n, ldc);
  }
  if (n_full < N) fma_gemm_edge<Fused>(0, M, n_full, N, K, A, a_rs, a_cs, B, ldb, C, ldc);
}

// Layers narrower than this many outputs take dot_lanes in the forward pass.
template <typename T>
inline constexpr int kNarrow = 2 * kGemmBytes / static_cast<int>(sizeof(T));

// Σ_k a_k b_k for the narrow outputs of a layer (n_{l+1} < kNarrow, e.g. a policy's logits or a
// value head), vectorised along k: 16 lane sums (lane t takes k ≡ t mod 16, FMA chains in
// order), then a fixed pairwise tree. The order is fixed by K alone — the same bits for a sample
// in any batch and on any vector width.
template <typename T>
inline T dot_lanes(const T* a, const T* b, Eigen::Index K) {
  T acc[16];
  for (int t = 0; t < 16; ++t) acc[t] = T(0);
  Eigen::Index k = 0;
  for (; k + 16 <= K; k += 16)
    for (int t = 0; t < 16; ++t) acc[t] = std::fma(a[k + t], b[k + t], acc[t]);
  for (int t = 0; k < K; ++k, ++t) acc[t] = std::fma(a[k], b[k], acc[t]);
  for (int w = 8; w >= 1; w /= 2)
    for (int t = 0; t < w; ++t) acc[t] += acc[t + w];
  return acc[0];
}

}  // namespace detail

template <typename T>
typename Mlp<T>::ConstMatrixRef Mlp<T>::forward(ConstVectorRef params, ConstMatrixRef x,
                                                Workspace& ws) const {
  check_params("Mlp::forward", params.size());
  check_workspace("Mlp::forward", ws);
  if (x.cols() != input_size())
    detail::mlp_size_error("Mlp::forward", "input columns", x.cols(), input_size(),
                           spec_.describe());
  if (x.rows() > ws.capacity_)
    detail::mlp_size_error("Mlp::forward", "batch size (must be <= workspace capacity)", x.rows(),
                           ws.capacity_, spec_.describe());
  const Eigen::Index batch = x.rows();
  ws.batch_ = batch;
  ws.a_[0].topRows(batch) = x;
  const T* p = params.data();
  for (int l = 0; l < num_layers(); ++l) {
    const MlpLayer& ly = layers_[static_cast<std::size_t>(l)];
    const ConstMatrixMap w(p + ly.weight_offset, ly.out, ly.in);
    const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> b(p + ly.bias_offset, ly.out);
    const MatrixX& a_in = ws.a_[static_cast<std::size_t>(l)];
    MatrixX& z = ws.z_[static_cast<std::size_t>(l)];
    // z_i = W a_i + b: Z = A_l · W_lᵀ (W_lᵀ copied once so its rows are contiguous), then b;
    // a narrow layer as dot products of contiguous rows instead.
    if (ly.out < detail::kNarrow<T>) {
      for (Eigen::Index i = 0; i < batch; ++i)
        for (Eigen::Index j = 0; j < ly.out; ++j)
          z(i, j) = detail::dot_lanes(a_in.data() + i * ly.in, w.data() + j * ly.in, ly.in);
    } else {
      MatrixMap(ws.wt_.data(), ly.in, ly.out) = w.transpose();
      detail::fma_gemm<T>(batch, ly.out, ly.in, a_in.data(), ly.in, 1, ws.wt_.data(), ly.out,
                          z.data(), ly.out);
    }
    for (Eigen::Index i = 0; i < batch; ++i) z.row(i) += b;
    // topRows of a row-major matrix with exactly `out` columns is contiguous.
    activate(activation_of(l), z.data(), ws.a_[static_cast<std::size_t>(l) + 1].data(),
             batch * ly.out);
  }
  return ws.a_.back().topRows(batch);
}

template <typename T>
void Mlp<T>::forward(ConstVectorRef params, ConstMatrixRef x, Workspace& ws, MatrixRef out) const {
  if (out.rows() != x.rows())
    detail::mlp_size_error("Mlp::forward", "output rows", out.rows(), x.rows(), spec_.describe());
  if (out.cols() != output_size())
    detail::mlp_size_error("Mlp::forward", "output columns", out.cols(), output_size(),
                           spec_.describe());
  out = forward(params, x, ws);
}

template <typename T>
typename Mlp<T>::MatrixX Mlp<T>::evaluate(ConstVectorRef params, ConstMatrixRef x) const {
  Workspace ws = make_workspace(x.rows());
  return MatrixX(forward(params, x, ws));
}

template <typename T>
void Mlp<T>::check_backward(const char* where, ConstVectorRef params, ConstMatrixRef d_output,
                            const Workspace& ws) const {
  check_params(where, params.size());
  check_workspace(where, ws);
  if (ws.batch_ < 0) detail::mlp_error(where, "call forward() before backward()", spec_.describe());
  if (d_output.rows() != ws.batch_)
    detail::mlp_size_error(where, "d_output rows (the forward batch)", d_output.rows(), ws.batch_,
                           spec_.describe());
  if (d_output.cols() != output_size())
    detail::mlp_size_error(where, "d_output columns", d_output.cols(), output_size(),
                           spec_.describe());
}

template <typename T>
void Mlp<T>::backward(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, VectorRef grad,
                      GradMode mode) const {
  check_backward("Mlp::backward", params, d_output, ws);
  if (grad.size() != num_parameters_)
    detail::mlp_size_error("Mlp::backward", "gradient buffer size", grad.size(), num_parameters_,
                           spec_.describe());
  backward_impl(params, d_output, ws, grad.data(), mode, nullptr);
}

template <typename T>
void Mlp<T>::backward(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, VectorRef grad,
                      GradMode mode, MatrixRef d_input) const {
  check_backward("Mlp::backward", params, d_output, ws);
  if (grad.size() != num_parameters_)
    detail::mlp_size_error("Mlp::backward", "gradient buffer size", grad.size(), num_parameters_,
                           spec_.describe());
  if (d_input.rows() != ws.batch_)
    detail::mlp_size_error("Mlp::backward", "d_input rows", d_input.rows(), ws.batch_,
                           spec_.describe());
  if (d_input.cols() != input_size())
    detail::mlp_size_error("Mlp::backward", "d_input columns", d_input.cols(), input_size(),
                           spec_.describe());
  backward_impl(params, d_output, ws, grad.data(), mode, &d_input);
}

template <typename T>
void Mlp<T>::input_gradient(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws,
                            MatrixRef d_input) const {
  check_backward("Mlp::input_gradient", params, d_output, ws);
  if (d_input.rows() != ws.batch_)
    detail::mlp_size_error("Mlp::input_gradient", "d_input rows", d_input.rows(), ws.batch_,
                           spec_.describe());
  if (d_input.cols() != input_size())
    detail::mlp_size_error("Mlp::input_gradient", "d_input columns", d_input.cols(), input_size(),
                           spec_.describe());
  backward_impl(params, d_output, ws, nullptr, GradMode::kOverwrite, &d_input);
}

template <typename T>
void Mlp<T>::backward_impl(ConstVectorRef params, ConstMatrixRef d_output, Workspace& ws, T* grad,
                           GradMode mode, MatrixRef* d_input) const {
  const Eigen::Index batch = ws.batch_;
  const T* p = params.data();
  int cur = 0;  // ws.delta_[cur] holds ∂L/∂A_{l+1}, then Δ_l, as a contiguous batch × n_{l+1}
  MatrixMap(ws.delta_[cur].data(), batch, output_size()) = d_output;
  for (int l = num_layers() - 1; l >= 0; --l) {
    const MlpLayer& ly = layers_[static_cast<std::size_t>(l)];
    const Eigen::Index in = ly.in, out = ly.out;
    MatrixMap dz(ws.delta_[cur].data(), batch, out);
    // Δ_l = ∂L/∂A_{l+1} ⊙ σ'(Z_l); Z_l and A_{l+1} are contiguous in their first batch rows.
    multiply_derivative(activation_of(l), ws.z_[static_cast<std::size_t>(l)].data(),
                        ws.a_[static_cast<std::size_t>(l) + 1].data(), dz.data(), batch * out);
    const MatrixX& a_in = ws.a_[static_cast<std::size_t>(l)];
    if (grad != nullptr) {
      // ∂L/∂W_l(j, :) = Σ_i Δ_l(i, j) · A_l(i, :), each product rounded and added in sample
      // order (Δ_lᵀ · A_l with Δ_l read transposed in place), then stored or added: a batch's
      // gradient is exactly its samples' gradients summed one after another.
      VectorMap gw(grad + ly.weight_offset, out * in);
      if (in < detail::kNarrow<T> && out > in) {
        // A narrow input (layer 0 of a small observation): the transposed product
        // ∂L/∂W_lᵀ = A_lᵀ · Δ_l has the same sums (the same chains) and wide rows.
        MatrixMap t(ws.wt_.data(), in, out);
        detail::fma_gemm<T, false>(in, out, batch, a_in.data(), 1, in, dz.data(), out, t.data(),
                                   out);
        MatrixMap g(grad + ly.weight_offset, out, in);
        if (mode == GradMode::kOverwrite)
          g = t.transpose();
        else
          g += t.transpose();
      } else if (mode == GradMode::kOverwrite) {
        detail::fma_gemm<T, false>(out, in, batch, dz.data(), 1, out, a_in.data(), in, gw.data(),
                                   in);
      } else {
        detail::fma_gemm<T, false>(out, in, batch, dz.data(), 1, out, a_in.data(), in,
                                   ws.gw_.data(), in);
        gw += ws.gw_.head(out * in);
      }
      // ∂L/∂b_l = Σ_i Δ_l(i, :).
      VectorMap gb(grad + ly.bias_offset, out);
      auto accb = ws.row_.head(out);
      accb.setZero();
      for (Eigen::Index i = 0; i < batch; ++i) accb += dz.row(i).transpose();
      if (mode == GradMode::kOverwrite)
        gb = accb;
      else
        gb += accb;
    }
    if (l == 0 && d_input == nullptr) break;
    // ∂L/∂A_l = Δ_l · W_l, into the other delta buffer (into d_input for l = 0).
    const T* w = p + ly.weight_offset;
    if (l == 0) {
      MatrixRef& dx = *d_input;
      if (dx.outerStride() == in) {
        detail::fma_gemm<T>(batch, in, out, dz.data(), out, 1, w, in, dx.data(), in);
      } else {  // a block of a wider matrix: through the delta buffer
        MatrixMap da(ws.delta_[1 - cur].data(), batch, in);
        detail::fma_gemm<T>(batch, in, out, dz.data(), out, 1, w, in, da.data(), in);
        dx = da;
      }
    } else {
      MatrixMap da(ws.delta_[1 - cur].data(), batch, in);
      detail::fma_gemm<T>(batch, in, out, dz.data(), out, 1, w, in, da.data(), in);
      cur = 1 - cur;
    }
  }
}

}  // namespace adamant::core
