// The only place that interprets SQLSTATE codes (STYLE.md §3.5).
#pragma once

#include <libpq-fe.h>

#include <string_view>

#include "core/error.hpp"

namespace vertice::db {

Error ErrorFromResult(const PGresult* res);
Error ErrorFromSqlState(std::string_view sqlstate, std::string_view server_message, std::string_view constraint);
Error ConnectionLost(std::string_view why);
// Serialization failures and deadlocks: the transaction helper retries these.
bool IsRetryable(const Error& e);
bool IsConnectionError(const Error& e);

}  // namespace vertice::db
