#include "http/error_response.hpp"

#include <boost/json.hpp>

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
  e["message"] = error.message;
  if (error.details.empty()) {
    e["details"] = nullptr;
  } else {
    boost::system::error_code ec;
    auto details = boost::json::parse(error.details, ec);
    e["details"] = ec ? boost::json::value(error.details) : details;
  }
  boost::json::object root;
  root["error"] = std::move(e);
  return JsonResponse(StatusFor(error.kind), boost::json::serialize(root));
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace vertice::http
