#pragma once
// Shared by the finance tests: the feasibility check of a portfolio and the HDF5 surgery that
// makes malformed files for the validating readers.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "adamant/finance/portfolio.hpp"

namespace adamant::finance::test {

/// w ∈ C within tol: the budget, every bound, every sector.
inline void expect_feasible(const Eigen::VectorXd& w, const PortfolioConstraints& c,
                            double tol = 1e-10) {
  const int n = static_cast<int>(w.size());
  EXPECT_NEAR(w.sum(), c.target_sum(), tol);
  const Eigen::VectorXd lo = c.lower_vector(n), hi = c.upper_vector(n);
  for (int i = 0; i < n; ++i) {
    EXPECT_GE(w[i], lo[i] - tol) << i;
    EXPECT_LE(w[i], hi[i] + tol) << i;
  }
  for (const auto& s : c.sectors) {
    double t = 0;
    for (int i : s.assets) t += w[i];
    EXPECT_GE(t, s.lower - tol) << s.name;
    EXPECT_LE(t, s.upper + tol) << s.name;
  }
}

/// Deletes dataset `name` of a valid file and, unless `values` is empty, writes it again as
/// float64 of shape `dims` (through the HDF5 C API, past the library's writers).
inline void replace_dataset(const std::string& path, const std::string& name,
                            const std::vector<double>& values, const std::vector<hsize_t>& dims) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Ldelete(file, name.c_str(), H5P_DEFAULT);
  if (!values.empty()) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t ds = H5Dcreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(ds);
    H5Sclose(space);
  }
  H5Fclose(file);
}

}  // namespace adamant::finance::test
