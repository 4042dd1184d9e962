// Expected failures as values (docs/style.md, "Errors are values"): every fallible operation
// returns Result<T>.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vertice {

namespace db {
// What a failed statement's SQLSTATE means. Declared here so an Error can carry it; its values
// and the only reading of the code text are in db/sqlstate.hpp.
enum class SqlState : std::uint8_t;
}  // namespace db

// The kind decides the HTTP status; the mapping lives only in http/error_response.cpp.
enum class ErrorKind {
  kInvalidInput,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kConflict,
  kPayloadTooLarge,
  kBusinessRule,
  kRateLimited,
  kUnavailable,
  kInternal,
};

std::string_view ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;             // stable, machine-readable: "auth.invalid_credentials"
  std::string message;          // client-safe, Spanish
  boost::json::object details;  // sent as the error's "details"; empty: null
  std::string internal;         // logged only, never sent to a client
  // A database failure: what PostgreSQL said and the constraint it named (a module's
  // db::ConstraintTable turns that into its own code). Never sent as such.
  std::optional<db::SqlState> sqlstate;
  std::string constraint;
  // How long the client should wait before trying again (the Retry-After header); unset: unknown.
  std::optional<std::chrono::seconds> retry_after;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(ErrorKind kind, std::string code, std::string message,
                                   boost::json::object details = {}, std::string internal = {}) {
  return std::unexpected(Error{kind, std::move(code), std::move(message), std::move(details), std::move(internal)});
}

// 404 for anything a caller may not see or that does not exist (the two look the same).
inline Error NotFound(std::string message = "El recurso no existe.") {
  return Error{ErrorKind::kNotFound, "not_found", std::move(message)};
}

}  // namespace vertice

// abseil-style propagation for plain functions; coroutines use the CO_ variants.
#define VERTICE_CONCAT_INNER(a, b) a##b
#define VERTICE_CONCAT(a, b) VERTICE_CONCAT_INNER(a, b)

// The macros take declarators and keywords (tmp, lhs, ret), which cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define VERTICE_TRY_IMPL(tmp, expr, ret)                   \
  do {                                                     \
    auto&& tmp = (expr);                                   \
    if (!tmp) ret std::unexpected(std::move(tmp).error()); \
  } while (false)

#define VERTICE_TRY(expr) VERTICE_TRY_IMPL(VERTICE_CONCAT(vertice_try_, __COUNTER__), expr, return )

#define VERTICE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)       \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)

#define VERTICE_ASSIGN_OR_RETURN(lhs, expr) \
  VERTICE_ASSIGN_OR_RETURN_IMPL(VERTICE_CONCAT(vertice_aor_, __COUNTER__), lhs, expr)

#define VERTICE_CO_TRY(expr) VERTICE_TRY_IMPL(VERTICE_CONCAT(vertice_try_, __COUNTER__), expr, co_return )

#define VERTICE_CO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)       \
  auto tmp = (expr);                                           \
  if (!tmp) co_return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)

#define VERTICE_CO_ASSIGN_OR_RETURN(lhs, expr) \
  VERTICE_CO_ASSIGN_OR_RETURN_IMPL(VERTICE_CONCAT(vertice_coaor_, __COUNTER__), lhs, expr)
// NOLINTEND(bugprone-macro-parentheses)
