#pragma once
// The adamant file schemas (docs/schema.md describes each for h5py / h5dump users). Every file
// carries root attributes `adamant_schema` (the kind below) and `adamant_schema_version` (1).
// Readers validate everything before returning (DataError names file, object and expectation);
// writers are atomic (h5.hpp).
//
//   prices      dates (T,) string ISO-8601, tickers (N,) string, prices (T, N) float64 > 0 or NaN
//               (NaN before a listing / where a price is missing); dates strictly increasing,
//               tickers unique.
//   molecules   atomic_numbers (A,) int32 in 1..118, positions (F, A, 3) float64 Å,
//               energies (F,) float64 eV, forces (F, A, 3) float64 eV/Å (optional), all finite;
//               root attributes (method, sampler, units, ...) kept as metadata.
//               The GFN2-xTB files in ../shared/datasets already follow it (their schema
//               attributes are optional on read).
//   episodes    episodes/episode_NNNN groups: observations (T+1, obs_dim) float32,
//               actions (T,) int64 or (T, act_dim) float32, rewards (T,) float64,
//               terminated (T,) uint8, truncated (T,) uint8; attributes env_id, seed.
//   table       a learning curve, a convergence table, per-step game metrics: one group holding
//               equal-length 1-D float64 columns, with attribute `columns` listing their order.
//   trajectories a game trajectory: iterates (S+1, dim) float64, a `metrics` table, attributes
//               game, method; several under trajectories/<name>.
//   model       params (P,) float64 (float32 is accepted on read), spec attributes (e.g. an
//               MLP's layer sizes and activations) under model/.
//   checkpoint  model/params, optimizer/ {slots/<name> (P,), scalars/<name>, step,
//               skipped_steps, rule}, training step, rng/state (uint64 words), config attributes.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/state.hpp"
#include "adamant/datasets/h5.hpp"

namespace adamant::datasets {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline constexpr int kSchemaVersion = 1;

/// Whether `s` is a calendar date YYYY-MM-DD (proleptic Gregorian), as the prices schema and the
/// CSV import require.
bool is_iso_date(std::string_view s);
/// "a,b,c" → {"a", "b", "c"} ("" → none; empty items kept): the comma-separated name lists of
/// attributes such as a table's `columns`.
std::vector<std::string> split_names(const std::string& s);

/// Reads root attribute `adamant_schema` ("" when absent).
std::string schema_of(const Reader& r);
/// Writes the root attributes `adamant_schema` = kind and `adamant_schema_version`, as every
/// adamant file carries them (also for the schemas other modules define: frontier, chem_model).
void write_schema(Writer& w, const std::string& kind);

// ---- prices ----
struct PricePanel {
  std::vector<std::string> dates;               ///< ISO-8601 (YYYY-MM-DD), strictly increasing
  std::vector<std::string> tickers;             ///< unique
  RowMatrixXd prices;                           ///< dates × tickers; > 0, or NaN where missing
  std::map<std::string, std::string> metadata;  ///< source, licence, ...
  /// "" when consistent, else what is wrong (first problem found).
  std::string validate() const;
};
PricePanel read_prices(const std::string& path);
void write_prices(const std::string& path, const PricePanel& panel);

// ---- molecules ----
struct MolecularDataset {
  std::vector<std::int32_t> atomic_numbers;   ///< A atoms (the same for every frame)
  RowMatrixXd positions;                      ///< F × 3A, Å
  Eigen::VectorXd energies;                   ///< F, eV
  RowMatrixXd forces;                         ///< F × 3A, eV/Å; 0 × 0 when absent
  std::map<std::string, AttrValue> metadata;  ///< method, sampler, units, seed, ...
  std::int64_t num_frames() const { return energies.size(); }
  std::int64_t num_atoms() const { return static_cast<std::int64_t>(atomic_numbers.size()); }
  bool has_forces() const { return forces.size() > 0; }
  std::string validate() const;
};
MolecularDataset read_molecules(const std::string& path);
void write_molecules(const std::string& path, const MolecularDataset& data);

// ---- tables (learning curves, convergence tables, per-step metrics) ----
struct Table {
  std::vector<std::string> names;
  std::vector<Eigen::VectorXd> columns;  ///< all the same length
  std::map<std::string, AttrValue> metadata;
  /// Appends a column; throws std::invalid_argument on a length mismatch or duplicate name.
  void add(const std::string& name, Eigen::VectorXd column);
  const Eigen::VectorXd& column(const std::string& name) const;  ///< throws if missing
  std::int64_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  std::string validate() const;
};
/// A table as a group of one file (by default the group "table", where write_table(path, ...)
/// puts it) / of an open file or writer. The group's attribute `columns` (comma-separated) gives
/// the column order; without it, every 1-D dataset of the group is a column, in name order.
/// Values may be NaN or ±Inf (a missing entry, a diverged run). Column names are non-empty and
/// hold no ',' or '/'.
Table read_table(const std::string& path, const std::string& group = "table");
Table read_table(const Reader& r, const std::string& group);
void write_table(Writer& w, const std::string& group, const Table& table);
void write_table(const std::string& path, const Table& table, const std::string& group = "table");

// ---- RL episodes ----
struct Episode {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> observations;  // T+1
  std::vector<std::int64_t> discrete_actions;                                          // T, or
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> continuous_actions;
  Eigen::VectorXd rewards;               // T
  std::vector<std::uint8_t> terminated;  // T
  std::vector<std::uint8_t> truncated;   // T
  std::int64_t seed = -1;                // reset seed, -1 when unseeded
  std::string validate() const;
};
struct EpisodeSet {
  std::string env_id;
  std::vector<Episode> episodes;
  std::string validate() const;
};
EpisodeSet read_episodes(const std::string& path);
void write_episodes(const std::string& path, const EpisodeSet& set);

// ---- game trajectories ----
struct Trajectory {
  std::string game, method;
  RowMatrixXd iterates;  ///< (steps + 1) × dim
  Table metrics;         ///< per-step columns (distance, hamiltonian, ...), may be empty
  /// Non-empty game and method; at least one iterate of dimension >= 1; metrics either empty
  /// or with one row per iterate (the first row describes the starting point). Iterates and
  /// metrics may hold ±Inf / NaN (a diverging method is a result worth keeping).
  std::string validate() const;
};
/// Several named trajectories in one file (trajectories/<name>).
std::map<std::string, Trajectory> read_trajectories(const std::string& path);
void write_trajectories(const std::string& path, const std::map<std::string, Trajectory>& runs);
/// The same into an open writer (schema attributes and /trajectories), without committing, so a
/// caller can add groups of its own (e.g. a convergence table) to the same atomic file.
void write_trajectories(Writer& w, const std::map<std::string, Trajectory>& runs);

// ---- model parameters and checkpoints ----
/// A model's flat parameters with what is needed to rebuild it. `kind` says how to read
/// `attributes` ("mlp": an MlpSpec, see mlp_attributes).
struct ModelParameters {
  std::string kind;
  std::map<std::string, AttrValue> attributes;
  Eigen::VectorXd params;
};
/// An MLP's spec as attributes (layer_sizes "3,16,1", hidden, output) and back.
std::map<std::string, AttrValue> mlp_attributes(const core::MlpSpec& spec);
core::MlpSpec mlp_spec_from(const ModelParameters& model, const std::string& file = "");
ModelParameters read_model(const std::string& path);
void write_model(const std::string& path, const ModelParameters& model);

/// Everything needed to continue a training run bit-identically.
template <typename T>
struct Checkpoint {
  ModelParameters model;                 ///< params stored in T's precision
  std::string rule;                      ///< optimizer rule name ("adam", ...)
  core::State<T> optimizer;              ///< moments, step, scalars
  std::int64_t step = 0;                 ///< training step (epoch, iteration, ...)
  std::vector<std::uint64_t> rng_state;  ///< the run's generator state words (rng_state_words)
  std::map<std::string, AttrValue> config;
  /// "" when consistent: a non-empty rule; slot and scalar names unique and as many as their
  /// values; every slot as long as model.params; params, slots and scalars finite; params
  /// exactly representable in T; step, optimizer.step and optimizer.skipped_steps >= 0.
  std::string validate() const;
};

namespace detail {
template <typename E, typename = void>
struct HasStateSize : std::false_type {};
template <typename E>
struct HasStateSize<E, std::void_t<decltype(E::state_size)>> : std::true_type {};
}  // namespace detail

/// A standard random engine's state as uint64 words: the decimal numbers its operator<< writes,
/// read back with operator>> by restore_rng_state. For std::mt19937_64 under libstdc++ (GCC)
/// that is 313 words: the 312 state words, then the position in them. A checkpoint written this
/// way resumes bit-identically with the same standard library (libstdc++ and libc++ spell the
/// state differently).
template <typename Engine>
std::vector<std::uint64_t> rng_state_words(const Engine& engine) {
  std::ostringstream os;
  os << engine;
  std::istringstream is(os.str());
  std::vector<std::uint64_t> words;
  std::uint64_t w = 0;
  while (is >> w) words.push_back(w);
  return words;
}
/// Restores an engine from rng_state_words; throws std::invalid_argument when the words do not
/// form a state of this engine.
template <typename Engine>
void restore_rng_state(Engine& engine, const std::vector<std::uint64_t>& words) {
  std::ostringstream os;
  for (std::size_t i = 0; i < words.size(); ++i) os << (i ? " " : "") << words[i];
  std::istringstream is(os.str());
  Engine restored;
  is >> restored;
  std::string rest;
  bool ok = !words.empty() && !is.fail() && !(is >> rest);
  if constexpr (detail::HasStateSize<Engine>::value) {
    // libstdc++'s Mersenne Twister: n state words and a position <= n, which its operator>>
    // takes on trust (a larger one would index past the state).
    if (ok && words.size() == Engine::state_size + 1) ok = words.back() <= Engine::state_size;
  }
  if (!ok)
    throw std::invalid_argument("restore_rng_state: " + std::to_string(words.size()) +
                                " words are not a state of this random engine");
  engine = restored;
}
/// Reads a checkpoint, checking dtype (T), slot lengths against the parameter count, etc.
template <typename T>
Checkpoint<T> read_checkpoint(const std::string& path);
template <typename T>
void write_checkpoint(const std::string& path, const Checkpoint<T>& checkpoint);

/// The summary line(s) `describe` prints for a file of schema `kind` (after "summary: "),
/// reading it through `r` or its module's reader; throws DataError when the file breaks the
/// schema. datasets summarises its own schemas; a module registers those it defines
/// (finance: portfolio, frontier, backtest) from the source that writes them, so the summary is
/// there in every program that links that writer.
using SchemaSummary = std::function<std::string(const std::string& path, const Reader& r)>;
/// Registers (or replaces) the summary of `kind`; returns true, for use in a static initialiser.
bool register_schema_summary(const std::string& kind, SchemaSummary summary);
/// "%.6g" of v (or another printf spec): numbers in summaries read the same in every module.
std::string summary_number(double v, const char* spec = "%.6g");

/// A human-readable summary of any adamant (or other HDF5) file: schema, objects, shapes,
/// dtypes, attributes, and for known schemas what it holds (e.g. 20 tickers × 7126 dates).
/// A file of a known schema that breaks its rules is described with "summary: INVALID ..."; then
/// `*invalid` (when given) is set to the reason, and cleared otherwise. A file HDF5 cannot read at
/// all throws DataError.
std::string describe(const std::string& path, std::string* invalid = nullptr);

}  // namespace adamant::datasets
