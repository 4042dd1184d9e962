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
  if (error.details.empty()) {
    e["details"] = nullptr;
  } else {
    // Details may quote a client's bytes (a file's words): what goes back must be UTF-8.
    std::string text = IsValidUtf8(error.details) ? error.details : ToValidUtf8(error.details);
    boost::system::error_code ec;
    auto details = boost::json::parse(text, ec);
    e["details"] = ec ? boost::json::value(text) : details;
  }
  boost::json::object root;
  root["error"] = std::move(e);
  return JsonResponse(StatusFor(error.kind), boost::json::serialize(root));
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
