// Failures of the world (a bad file, a missing device, memory exhausted) are values: Result<T>.
//
// A broken invariant is an assertion (AEGISRT_ASSERT), and a scheduling outcome (rejected, dropped,
// late) is a value with a reason in its own type, never an Error.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace aegisrt {

enum class ErrorCode {
  kInvalidArgument,  // bad usage or a value out of range
  kParse,            // malformed file
  kNotFound,         // a file or device that does not exist
  kUnsupported,      // valid input that this build cannot handle
  kResourceExhausted,
  kInternal,
};

// Where in an input file an error is: file, 1-based line and column, and the field path
// ("tasks[2].queue.capacity"). Any part may be empty/zero when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string field;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // what is wrong, including the offending value
  std::string hint;     // what would be valid or what to do; may be empty
  SourceLocation where;

  // "file:line:col: field: message (hint)"; omits the parts that are unknown.
  std::string to_string() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message, std::string hint = {}) {
  return Error{code, std::move(message), std::move(hint), {}};
}

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);

}  // namespace aegisrt

// A broken invariant: always checked (also in release builds), aborts with the expression.
#define AEGISRT_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::aegisrt::assertion_failed(#expr, __FILE__, __LINE__))
