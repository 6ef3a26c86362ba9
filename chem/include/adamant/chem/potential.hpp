#pragma once
// A Behler-Parrinello neural-network potential (Behler & Parrinello, PRL 98, 146401 (2007)):
// one core::Mlp per element on standardised symmetry functions x_i = (G_i − μ_e) / s_e,
//   E = Σ_i [ NN_{e(i)}(x_i) + shift_{e(i)} ],        F_c = −∂E/∂x_c = −Σ_i ∇_x NN(x_i) ·
//   ∂x_i/∂x_c,
// the per-element shifts fitted by least squares on the training energies (minimum-norm
// solution: a data set with one composition fixes only Σ_e n_e shift_e).
//
// Loss of one frame with A atoms (DeePMD's form, Zhang et al., PRL 120, 143001 (2018)):
//   L = p_e ℓ((E − E_ref) / A) + p_f / (3A) Σ_c ℓ(F_c − F_ref,c)
// with ℓ(r) = r², or the Huber form ℓ(r) = r² for |r| <= δ and δ (2|r| − δ) beyond (it equals r²
// inside and grows linearly outside, so a 900 eV/Å outlier pulls with 2δ, not 2r).
//
// Exact gradient with respect to the weights θ. The energy term backpropagates as usual. For the
// force term, with g_c = ∂L/∂F_c and v_i = Σ_c (∂x_i/∂x_c) g_c (fixed with respect to θ),
//   Σ_c g_c F_c = −Σ_i D_i,   D_i = ∇_x NN(x_i) · v_i,
// and D_i is the forward-mode (tangent) derivative of the network along v_i:
//   ȧ_0 = v_i,  ż_l = W_l ȧ_l,  ȧ_{l+1} = σ'(z_l) ⊙ ż_l,   D_i = ż_{L−1} (identity output).
// Reverse mode through the primal and tangent passes together (seeds z̄_{L−1} = ∂L/∂E,
// ż̄_{L−1} = −1) gives, layer by layer from the top,
//   ∂L/∂W_l += z̄_l a_lᵀ + ż̄_l ȧ_lᵀ,   ∂L/∂b_l += z̄_l,
//   ż̄_{l−1} = σ'(z_{l−1}) ⊙ W_lᵀ ż̄_l,
//   z̄_{l−1} = σ'(z_{l−1}) ⊙ W_lᵀ z̄_l + σ''(z_{l−1}) ⊙ ż_{l−1} ⊙ W_lᵀ ż̄_l,
// the second derivative σ'' entering only through the tangent. Cost: about three network passes
// per atom. Hidden activations: tanh, softplus, silu (or identity); the output is identity.
//
// Parameters: one flat buffer, the element networks in `elements` order, each in core::Mlp's
// layout (so an optimizer sees one contiguous vector). Allocation: evaluate_frame and predict
// never allocate once the Workspace is sized for the frame's atom count.

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adamant/chem/descriptors.hpp"
#include "adamant/core/mlp.hpp"

namespace adamant::chem {

struct NetworkOptions {
  std::vector<int> hidden = {32, 32};  ///< hidden widths (input: the descriptor count; out: 1)
  core::Activation activation = core::Activation::kTanh;
  core::MlpInit init = core::MlpInit::kXavierUniform;
  std::string validate() const;
};

/// How a frame's error enters the loss (see the header comment).
struct LossWeights {
  double energy = 1.0;  ///< p_e, on the per-atom energy error (eV/atom)²
  double force = 1.0;   ///< p_f, on the force error (eV/Å)²
  bool huber = false;
  double huber_delta_energy = 0.01;  ///< δ for the per-atom energy error, eV
  double huber_delta_force = 1.0;    ///< δ for the force components, eV/Å
};

/// One frame prepared for training: element indices, standardised descriptors and their scaled
/// derivatives (∂x_ik/∂x_c = ∂G_ik/∂x_c / s_k), references.
struct PreparedFrame {
  std::vector<int> element;  ///< A element indices
  RowMatrixXd x;             ///< A × n
  RowMatrixXd dx;            ///< (A·n) × 3A
  double energy = 0;         ///< eV
  Eigen::VectorXd forces;    ///< 3A, eV/Å (empty: energy only)
  int num_atoms() const { return static_cast<int>(element.size()); }
};

/// What evaluate_frame computed.
struct FrameResult {
  double loss = 0;
  double energy = 0;  ///< predicted, eV (forces are in the workspace: Workspace::forces)
};

class Potential {
 public:
  Potential() = default;
  /// Throws std::invalid_argument when the set or options are invalid.
  Potential(DescriptorSet set, NetworkOptions options);

  const DescriptorSet& descriptors() const { return set_; }
  const NetworkOptions& options() const { return options_; }
  int num_elements() const { return static_cast<int>(set_.elements.size()); }
  const core::Mlp<double>& network(int e) const { return nets_.at(static_cast<std::size_t>(e)); }
  /// Offset of element e's network in the flat buffer.
  Eigen::Index offset(int e) const { return offsets_.at(static_cast<std::size_t>(e)); }
  Eigen::Index num_parameters() const { return num_parameters_; }

  Eigen::VectorXd params;     ///< the flat buffer (num_parameters())
  Eigen::VectorXd shifts;     ///< per-element energy shift, eV
  Standardizer standardizer;  ///< fitted on the training atoms

  /// Deterministic initialisation: network e from seed + e.
  void init_parameters(std::uint64_t seed);
  /// Least-squares shifts from element counts and energies (minimum-norm solution).
  void fit_shifts(const std::vector<std::vector<int>>& element_indices,
                  const Eigen::VectorXd& energies);
  /// Element indices of a structure's atoms (throws for an unknown element).
  std::vector<int> element_indices(const std::vector<int>& atomic_numbers) const;
  /// Descriptors, standardised, with derivatives (for training / evaluation).
  PreparedFrame prepare(const Structure& s, double energy, const Eigen::VectorXd& forces) const;

  class Workspace {
   public:
    Eigen::VectorXd forces;  ///< 3A, of the last evaluate_frame / predict
   private:
    friend class Potential;
    int atoms = -1;
    std::vector<double> z, a, zd, ad, zbar, zdbar, tmp1, tmp2;
    Eigen::VectorXd gx, v, g;
  };
  /// Sizes a workspace for frames of `atoms` atoms (allocates).
  Workspace make_workspace(int atoms) const;

  /// Loss of one frame at `p` (a buffer like params), its predicted energy and forces
  /// (ws.forces), and when grad != nullptr adds ∂L/∂p into grad. Does not allocate.
  FrameResult evaluate_frame(const Eigen::Ref<const Eigen::VectorXd>& p, const PreparedFrame& f,
                             const LossWeights& w, Workspace& ws, double* grad) const;
  /// Energy (returned) and forces (ws.forces) from prepared descriptors at `p`.
  double predict(const Eigen::Ref<const Eigen::VectorXd>& p, const PreparedFrame& f,
                 Workspace& ws) const;
  /// Energy and forces (A × 3, eV/Å) of a structure with the current params (allocates).
  double energy_forces(const Structure& s, RowMatrixXd* forces) const;

 private:
  void forward_atom(const double* p, int e, const double* x, double* z, double* a) const;
  DescriptorSet set_;
  NetworkOptions options_;
  std::vector<core::Mlp<double>> nets_;
  std::vector<Eigen::Index> offsets_;
  Eigen::Index num_parameters_ = 0;
  int layers_ = 0, max_width_ = 0;
};

/// Evaluates a structure repeatedly without allocating after the first call (for MD): holds the
/// neighbour list buffers, descriptors and a workspace.
class Calculator {
 public:
  explicit Calculator(const Potential& potential) : pot_(&potential) {}
  /// Energy (eV) and forces (A × 3, eV/Å, resized when needed) at the positions of s.
  double compute(const Structure& s, RowMatrixXd& forces);

 private:
  const Potential* pot_;
  RowMatrixXd g_, dg_;
  std::vector<std::vector<Neighbor>> nb_;  ///< reused neighbour lists
  PreparedFrame frame_;
  Potential::Workspace ws_;
  std::vector<int> atomic_numbers_;  ///< of the structure frame_.element / ws_ were set up for
  int ws_atoms_ = -1;
};

/// The chem model file (docs/schema.md, "chem_model"): descriptor set, standardisation, shifts,
/// network spec and parameters, plus metadata attributes. Written atomically.
void save_potential(const std::string& path, const Potential& potential,
                    const std::map<std::string, std::string>& metadata = {});
/// Reads and validates a chem model file; throws datasets::DataError naming file and object.
Potential load_potential(const std::string& path);

}  // namespace adamant::chem
