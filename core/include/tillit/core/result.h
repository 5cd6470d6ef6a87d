// Result<T>: the value of an operation that can fail in an expected way (bad input, not
// found, forbidden, conflict, ...). Expected failures are values, never exceptions, so every
// caller sees them in the type; exceptions are left for programming errors. Each error code
// maps once to an HTTP status (web/) and a CLI exit code (apps/).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tillit {

enum class ErrorCode {
  invalid_argument,  // the input is malformed or breaks a rule; the message says which
  not_found,
  unauthenticated,   // no valid sign-in, session or token: sign in first
  forbidden,         // signed in, but the role or token scope does not allow it
  conflict,          // the request clashes with the current state (duplicate, stale)
  unavailable,       // a dependency (database, file system) failed; retry may help
  integrity,         // stored data failed a check (hash, signature, chain)
  rate_limited,      // too many attempts (sign-in throttling); wait and retry
  internal,
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // says what was wrong and what to do about it
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation with no value: ok, or an error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::internal, {}};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace tillit
