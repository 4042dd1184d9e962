#include "http/error_response.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"

namespace vertice::http {

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kBusinessRule:
      return 422;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error) {
  boost::json::object e;
  e["code"] = error.code;
  e["message"] = IsValidUtf8(error.message) ? error.message : ToValidUtf8(error.message);
  // Details may quote a client's bytes (a file's words): JsonResponse makes the body UTF-8.
  if (error.details.empty()) {
    e["details"] = nullptr;
  } else {
    e["details"] = error.details;
  }
  boost::json::object root;
  root["error"] = std::move(e);
  Response r = JsonResponse(StatusFor(error.kind), boost::json::serialize(root));
  if (auto wait = RetryAfter(error)) r.SetHeader("Retry-After", std::to_string(wait->count()));
  return r;
}

std::optional<std::chrono::seconds> RetryAfter(const Error& error) {
  if (error.retry_after) return error.retry_after;
  // Unavailable without a known wait (the database restarting, a request that ran out of time):
  // a short one, so clients back off without waiting long.
  if (error.kind == ErrorKind::kUnavailable || error.kind == ErrorKind::kRateLimited) return kDefaultRetryAfter;
  return std::nullopt;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  // JSON must be UTF-8; a client's bytes echoed in a string (a report quoting a file) may not be.
  // Outside strings JSON is ASCII, so replacing the bad bytes keeps the document valid.
  r.body = IsValidUtf8(body) ? std::move(body) : ToValidUtf8(body);
  return r;
}

}  // namespace vertice::http
