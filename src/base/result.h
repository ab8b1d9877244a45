// SPDX-License-Identifier: MIT
// A small Result<T> for expected failures: a value or an error message. No dependencies.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace bastion::base {

/// An error carried as a value: a human-readable message (one line, naming what failed
/// and how to fix it where possible) and an optional numeric code (errno or an exit status).
struct Error {
  std::string message;
  int code = 0;
};

/// Either a T or an Error. Accessing the wrong alternative is a broken invariant (panic).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { BASTION_ASSERT(ok()); return std::get<0>(v_); }
  const T& value() const& { BASTION_ASSERT(ok()); return std::get<0>(v_); }
  T&& value() && { BASTION_ASSERT(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { BASTION_ASSERT(!ok()); return std::get<1>(v_); }
  Error&& error() && { BASTION_ASSERT(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Result without a value.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message, int code = 0) { return Error{std::move(message), code}; }

}  // namespace bastion::base
