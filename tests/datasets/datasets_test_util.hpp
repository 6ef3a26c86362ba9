#pragma once
// Shared helpers of the datasets tests (test_h5, test_schema, test_checkpoint, test_malformed):
// a fresh temporary directory per test, and the message of the DataError an expression throws.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "adamant/datasets/h5.hpp"

namespace adamant::datasets::testing {

namespace fs = std::filesystem;

/// A test with its own empty directory under ::testing::TempDir(), removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name)
      if (c == '/') c = '_';
    dir_ = fs::path(::testing::TempDir()) /
           ("adamant_datasets_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  /// Names of the entries of the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string text_file(const std::string& name, const std::string& text) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  fs::path dir_;
};

/// The message of the DataError `f` throws. Any other outcome (no exception, another exception)
/// is a test failure and returns "".
template <typename F>
std::string data_error(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected DataError, got " << typeid(e).name() << ": " << e.what();
    return "";
  } catch (...) {
    ADD_FAILURE() << "expected DataError, got a non-standard exception";
    return "";
  }
  ADD_FAILURE() << "expected DataError, nothing was thrown";
  return "";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

/// Bitwise equality of two arrays (so NaN == NaN and -0 != +0).
template <typename T>
bool same_bits(const T* a, const T* b, std::size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0;
}

}  // namespace adamant::datasets::testing

/// Expects `expr` to throw DataError whose message contains every one of the strings.
#define EXPECT_DATA_ERROR(expr, ...)                                                          \
  do {                                                                                        \
    const std::string msg_ = ::adamant::datasets::testing::data_error([&] { (void)(expr); }); \
    for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__})                    \
      EXPECT_TRUE(::adamant::datasets::testing::contains(msg_, part_))                        \
          << "message '" << msg_ << "' lacks '" << part_ << "'";                              \
  } while (0)
