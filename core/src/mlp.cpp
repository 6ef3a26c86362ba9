#include "adamant/core/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace adamant::core {
namespace {

// Uniform in [0, 1) from the top 53 bits of one 64-bit draw: the same numbers on every platform
// (std::uniform_real_distribution's are implementation-defined).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

constexpr std::pair<Activation, const char*> kActivationNames[] = {
    {Activation::kIdentity, "identity"}, {Activation::kTanh, "tanh"},
    {Activation::kReLU, "relu"},         {Activation::kSiLU, "silu"},
    {Activation::kSoftplus, "softplus"},
};
constexpr std::pair<MlpInit, const char*> kInitNames[] = {
    {MlpInit::kPyTorch, "pytorch"},
    {MlpInit::kXavierUniform, "xavier_uniform"},
    {MlpInit::kHeUniform, "he_uniform"},
};

bool known(Activation a) {
  for (const auto& [value, name] : kActivationNames)
    if (value == a) return true;
  return false;
}

}  // namespace

const char* to_string(Activation a) {
  for (const auto& [value, name] : kActivationNames)
    if (value == a) return name;
  return "unknown";
}

Activation parse_activation(const std::string& name) {
  for (const auto& [value, known_name] : kActivationNames)
    if (name == known_name) return value;
  std::string msg = "unknown activation \"" + name + "\"; expected one of";
  for (const auto& entry : kActivationNames) msg += std::string(" ") + entry.second;
  throw std::invalid_argument(msg);
}

const char* to_string(MlpInit init) {
  for (const auto& [value, name] : kInitNames)
    if (value == init) return name;
  return "unknown";
}

MlpInit parse_mlp_init(const std::string& name) {
  for (const auto& [value, known_name] : kInitNames)
    if (name == known_name) return value;
  std::string msg = "unknown MLP initialisation \"" + name + "\"; expected one of";
  for (const auto& entry : kInitNames) msg += std::string(" ") + entry.second;
  throw std::invalid_argument(msg);
}

std::string MlpSpec::validate() const {
  std::vector<std::string> errors;
  if (layer_sizes.size() < 2)
    errors.push_back("layer_sizes needs at least 2 entries (input and output), got " +
                     std::to_string(layer_sizes.size()));
  for (std::size_t i = 0; i < layer_sizes.size(); ++i)
    if (layer_sizes[i] < 1)
      errors.push_back("layer_sizes[" + std::to_string(i) + "] must be >= 1, got " +
                       std::to_string(layer_sizes[i]));
  if (errors.empty()) {
    // Every buffer index must fit Eigen::Index; widths up to 2^31 and a parameter count that
    // overflows are rejected rather than wrapped.
    double count = 0;
    for (std::size_t i = 0; i + 1 < layer_sizes.size(); ++i)
      count += static_cast<double>(layer_sizes[i + 1]) * (static_cast<double>(layer_sizes[i]) + 1);
    if (count > 9.0e15) errors.push_back("the network has too many parameters");
  }
  if (!known(hidden))
    errors.push_back("hidden activation is not a known Activation value (" +
                     std::to_string(static_cast<int>(hidden)) + ")");
  if (!known(output))
    errors.push_back("output activation is not a known Activation value (" +
                     std::to_string(static_cast<int>(output)) + ")");
  std::string joined;
  for (const auto& e : errors) joined += (joined.empty() ? "MlpSpec: " : "; ") + e;
  return joined;
}

std::string MlpSpec::describe() const {
  std::ostringstream o;
  o << "mlp(";
  for (std::size_t i = 0; i < layer_sizes.size(); ++i) o << (i ? "-" : "") << layer_sizes[i];
  o << ", hidden=" << to_string(hidden) << ", output=" << to_string(output) << ")";
  return o.str();
}

namespace detail {
void mlp_size_error(const char* where, const char* what, Eigen::Index got, Eigen::Index expected,
                    const std::string& spec) {
  std::ostringstream o;
  o << where << ": " << what << " is " << got << ", expected " << expected << " for " << spec;
  throw std::invalid_argument(o.str());
}

void mlp_error(const char* where, const char* message, const std::string& spec) {
  throw std::invalid_argument(std::string(where) + ": " + message + " (" + spec + ")");
}
}  // namespace detail

template <typename T>
Mlp<T>::Mlp(MlpSpec spec) : spec_(std::move(spec)) {
  const std::string error = spec_.validate();
  if (!error.empty()) throw std::invalid_argument("Mlp: invalid spec: " + error);
  Eigen::Index offset = 0;
  for (std::size_t i = 0; i + 1 < spec_.layer_sizes.size(); ++i) {
    MlpLayer ly;
    ly.in = spec_.layer_sizes[i];
    ly.out = spec_.layer_sizes[i + 1];
    ly.weight_offset = offset;
    ly.bias_offset = offset + ly.weight_size();
    offset = ly.bias_offset + ly.out;
    layers_.push_back(ly);
  }
  num_parameters_ = offset;
  max_width_ = *std::max_element(spec_.layer_sizes.begin(), spec_.layer_sizes.end());
}

template <typename T>
void Mlp<T>::init_parameters(VectorRef params, std::uint64_t seed, MlpInit init) const {
  check_params("Mlp::init_parameters", params.size());
  std::mt19937_64 rng(seed);
  auto draw = [&rng](double bound) {
    return static_cast<T>(-bound + 2.0 * bound * uniform01(rng));
  };
  for (const MlpLayer& ly : layers_) {
    const double fan_in = ly.in, fan_out = ly.out;
    double w_bound = 0, b_bound = 0;
    switch (init) {
      case MlpInit::kPyTorch:
        w_bound = b_bound = 1.0 / std::sqrt(fan_in);
        break;
      case MlpInit::kXavierUniform:
        w_bound = std::sqrt(6.0 / (fan_in + fan_out));
        break;
      case MlpInit::kHeUniform:
        w_bound = std::sqrt(6.0 / fan_in);
        break;
    }
    T* w = params.data() + ly.weight_offset;
    for (Eigen::Index k = 0; k < ly.weight_size(); ++k) w[k] = draw(w_bound);
    T* b = params.data() + ly.bias_offset;
    for (Eigen::Index k = 0; k < ly.out; ++k) b[k] = b_bound > 0 ? draw(b_bound) : T(0);
  }
}

template <typename T>
typename Mlp<T>::Workspace Mlp<T>::make_workspace(Eigen::Index max_batch) const {
  if (max_batch < 0)
    detail::mlp_size_error("Mlp::make_workspace", "max_batch", max_batch, 0, spec_.describe());
  Workspace ws;
  ws.capacity_ = max_batch;
  ws.a_.reserve(layers_.size() + 1);
  ws.z_.reserve(layers_.size());
  for (const MlpLayer& ly : layers_) {
    ws.a_.emplace_back(MatrixX::Zero(max_batch, ly.in));
    ws.z_.emplace_back(MatrixX::Zero(max_batch, ly.out));
  }
  ws.a_.emplace_back(MatrixX::Zero(max_batch, output_size()));
  for (VectorX& d : ws.delta_) d = VectorX::Zero(max_batch * max_width_);
  ws.row_ = VectorX::Zero(max_width_);
  ws.wt_ = VectorX::Zero(static_cast<Eigen::Index>(max_width_) * max_width_);
  ws.gw_ = VectorX::Zero(static_cast<Eigen::Index>(max_width_) * max_width_);
  return ws;
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace adamant::core
