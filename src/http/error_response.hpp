// The single Error → HTTP mapping (STYLE.md §3.5).
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

namespace vertice::http {

int StatusFor(ErrorKind kind);
// {"error": {"code", "message", "details"}}; `internal` is never serialised.
Response ErrorResponse(const Error& error);
Response JsonResponse(int status, std::string body);

}  // namespace vertice::http
