// The single Error → HTTP mapping (docs/style.md, "Errors are values").
#pragma once

#include <chrono>
#include <optional>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vertice::http {

int StatusFor(ErrorKind kind);
// {"error": {"code", "message", "details"}}; `internal` is never serialised. Carries Retry-After
// when the error says how long to wait (RetryAfter).
Response ErrorResponse(const Error& error);
// The error's own wait (a rate limiter's), else kDefaultRetryAfter for an unavailable or
// rate-limited answer, else none.
inline constexpr std::chrono::seconds kDefaultRetryAfter{5};
std::optional<std::chrono::seconds> RetryAfter(const Error& error);
Response JsonResponse(int status, std::string body);

}  // namespace vertice::http
