#pragma once
// Hierarchical Risk Parity (López de Prado 2016, "Building diversified portfolios that
// outperform out of sample", J. Portfolio Management 42(4)), with PyPortfolioOpt's conventions
// (hierarchical_portfolio.py, HRPOpt) so that its published results can be reproduced:
//
//   1. statistics  from returns (T × n, NaN before a listing): the pairwise-complete Pearson
//                  correlation and sample covariance of each pair over the rows where both are
//                  non-NaN (pandas DataFrame.corr() / .cov(), divisor n_pair − 1; the
//                  covariance is NOT annualised and NOT repaired: the weights do not depend on
//                  its scale). From a covariance matrix Σ instead: ρ = D⁻¹ Σ D⁻¹, D = diag(√Σᵢᵢ),
//                  rounded to 6 decimals (PyPortfolioOpt's cov_to_corr(Σ).round(6)).
//   2. distance    d_ij = √(clip((1 − ρ_ij)/2, 0, 1)) (a metric: ½‖z_i − z_j‖ of the
//                  standardised series). HrpDistance::kCorrelation clusters on d itself
//                  (PyPortfolioOpt: scipy's linkage of squareform(d)). kDistanceOfDistances
//                  clusters on d̃_ij = ‖d_·i − d_·j‖₂, the Euclidean distance between columns of
//                  d, which is what the paper's listing computes (it passes the square d to
//                  scipy's linkage, which reads it as n observations).
//   3. clustering  agglomerative, on the condensed distances (i < j, row-major: scipy's
//                  squareform), with the Lance-Williams update of the linkage (sizes n_x, n_y,
//                  n_i of the merged clusters x, y and a third cluster i):
//                    single    min(d_xi, d_yi)
//                    complete  max(d_xi, d_yi)
//                    average   (n_x d_xi + n_y d_yi) / (n_x + n_y)          (UPGMA)
//                    weighted  (d_xi + d_yi) / 2                              (WPGMA)
//                    ward      √(((n_i+n_x) d_xi² + (n_i+n_y) d_yi² − n_i d_xy²) / (n_x+n_y+n_i))
//                  Single linkage by Prim's minimum spanning tree, the others by the
//                  nearest-neighbour chain (all five are reducible, so the chain finds the same
//                  merges as the greedy closest-pair algorithm; Müllner 2011, "Modern
//                  hierarchical, agglomerative clustering algorithms", arXiv:1109.2378). The
//                  result is scipy's linkage matrix Z ((n−1) × 4): row k merges clusters Z(k,0) <
//                  Z(k,1) (ids < n are assets, n + j the cluster of row j) at height Z(k,2) into a
//                  cluster of Z(k,3) assets, rows sorted by height (stable). Ties are broken as
//                  scipy breaks them (lowest index first; the chain prefers its predecessor).
//   4. quasi-diagonalisation  the leaves of Z in pre-order, left (Z(k,0)) before right
//                  (scipy's to_tree(Z).pre_order(), the dendrogram's left-to-right order).
//   5. recursive bisection  PyPortfolioOpt's _raw_hrp_allocation: start from w = 1 on the ordered
//                  list; split every list of ≥ 2 assets into its first ⌊m/2⌋ and the rest (list
//                  halves, not the tree's children); for each pair (L, R) with cluster variances
//                  V_L, V_R, α = 1 − V_L/(V_L + V_R), w_L *= α, w_R *= 1 − α. The variance of a
//                  cluster C is w_Cᵀ Σ_CC w_C with the inverse-variance weights
//                  w_C ∝ 1/diag(Σ_CC), Σ w_C = 1.
//
// Performance as PyPortfolioOpt's HRPOpt.portfolio_performance: from returns, μ = F · column
// mean (arithmetic, NaN skipped) and Σ = F · pairwise covariance; from a covariance, that matrix
// (and no μ).
//
// Errors: std::invalid_argument naming what is wrong: fewer than 2 assets, a non-square or
// non-finite matrix, a non-positive variance, a correlation that is not finite (a constant
// column), a pair of columns overlapping on fewer than 2 rows, a condensed vector whose length is
// not n(n−1)/2, a negative or NaN distance, an unknown linkage name (the message lists them), a
// malformed linkage matrix.

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"

namespace adamant::finance {

enum class Linkage { kSingle, kComplete, kAverage, kWeighted, kWard };
enum class HrpDistance { kCorrelation, kDistanceOfDistances };

/// "single", "complete", "average", "weighted", "ward".
std::string linkage_name(Linkage method);
Linkage linkage_from_name(const std::string& name);
const std::vector<std::string>& linkage_methods();
/// "correlation", "distance_of_distances".
std::string hrp_distance_name(HrpDistance distance);
HrpDistance hrp_distance_from_name(const std::string& name);

/// pandas DataFrame.corr() / .cov() of returns with NaN: each pair over its common rows.
Eigen::MatrixXd pairwise_correlation(const RowMatrixXd& returns);
Eigen::MatrixXd pairwise_covariance(const RowMatrixXd& returns);
/// ρ = D⁻¹ Σ D⁻¹ (PyPortfolioOpt's cov_to_corr, evaluated in its order).
Eigen::MatrixXd cov_to_corr(const Eigen::MatrixXd& cov);

/// √(clip((1 − ρ)/2, 0, 1)) elementwise.
Eigen::MatrixXd correlation_distance(const Eigen::MatrixXd& corr);
/// d̃_ij = ‖d_·i − d_·j‖₂.
Eigen::MatrixXd distance_of_distances(const Eigen::MatrixXd& dist);
/// The upper triangle (i < j) row by row: n(n−1)/2 entries (scipy's squareform, checks=False:
/// the diagonal and the lower triangle are ignored).
Eigen::VectorXd condensed_distances(const Eigen::MatrixXd& dist);

/// scipy.cluster.hierarchy.linkage(condensed, method): (n−1) × 4, n ≥ 2.
Eigen::MatrixXd linkage(const Eigen::VectorXd& condensed, Linkage method);
/// Leaves of a linkage matrix in pre-order (scipy's to_tree(Z).pre_order()); validates Z.
std::vector<int> leaf_order(const Eigen::MatrixXd& linkage_matrix);

/// w_Cᵀ Σ_CC w_C with inverse-variance weights on the assets `items`.
double cluster_variance(const Eigen::MatrixXd& cov, const std::vector<int>& items);
/// The recursive bisection of step 5 over `order` (a permutation of 0..n−1); weights in the
/// original asset order, non-negative, summing to 1.
Eigen::VectorXd recursive_bisection(const Eigen::MatrixXd& cov, const std::vector<int>& order);

struct HrpOptions {
  Linkage linkage = Linkage::kSingle;
  HrpDistance distance = HrpDistance::kCorrelation;
  int frequency = kTradingDaysPerYear;  ///< annualises μ and Σ (from returns only)
};

struct HrpResult {
  Eigen::VectorXd weights;  ///< n, asset order, ≥ 0, Σ = 1
  Eigen::MatrixXd linkage;  ///< (n−1) × 4, scipy's format
  std::vector<int> order;   ///< the leaves, quasi-diagonal order
  Eigen::MatrixXd corr;     ///< the correlation clustered
  Eigen::MatrixXd dist;     ///< the distance matrix whose condensed form was clustered
  Eigen::MatrixXd cov;      ///< annualised covariance (F · pairwise, or the one given)
  Eigen::VectorXd mu;       ///< annualised arithmetic mean returns; empty from a covariance
  Linkage method = Linkage::kSingle;
  HrpDistance distance = HrpDistance::kCorrelation;
};

/// HRP from returns (PyPortfolioOpt's HRPOpt(returns).optimize(linkage)).
HrpResult hrp(const RowMatrixXd& returns, const HrpOptions& options = {});
/// HRP from a covariance matrix (HRPOpt(cov_matrix=Σ)): ρ = cov_to_corr(Σ) rounded to 6
/// decimals; the bisection and the result use Σ as given.
HrpResult hrp_from_cov(const Eigen::MatrixXd& cov, const HrpOptions& options = {});

/// Two panels, written atomically: above, the dendrogram (leaves in `order`, links at their
/// heights, the clusters below 70 % of the top height coloured as scipy colours them); below,
/// the weights as bars in the same leaf order. `tickers` may be empty ("asset0", ...).
void plot_dendrogram(const HrpResult& result, const std::vector<std::string>& tickers,
                     const std::string& png_path);

}  // namespace adamant::finance
