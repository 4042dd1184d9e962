// The only place that interprets SQLSTATE codes (docs/style.md, "Errors are values"): a failed
// statement becomes an Error carrying a typed SqlState and the constraint it broke.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace vertice::db {

// The SQLSTATEs the code base tells apart (PostgreSQL, Appendix A); anything else is kOther.
enum class SqlState : std::uint8_t {
  kOther,
  kUniqueViolation,            // 23505
  kForeignKeyViolation,        // 23503
  kCheckViolation,             // 23514
  kNotNullViolation,           // 23502
  kInvalidTextRepresentation,  // 22P02
  kNumericValueOutOfRange,     // 22003
  kStringDataRightTruncation,  // 22001
  kInvalidDatetimeFormat,      // 22007
  kDatetimeFieldOverflow,      // 22008
  kCharacterNotInRepertoire,   // 22021: invalid UTF-8
  kUntranslatableCharacter,    // 22P05: NUL as \u0000 in jsonb
  kProgramLimitExceeded,       // 54000
  kSerializationFailure,       // 40001
  kDeadlockDetected,           // 40P01
  kLockNotAvailable,           // 55P03: FOR UPDATE NOWAIT
  kQueryCanceled,              // 57014
  kInsufficientPrivilege,      // 42501
  kRaiseException,             // P0001: RAISE EXCEPTION in our own SQL
  kConnectionException,        // class 08, or no answer at all (a lost connection)
  kAdminShutdown,              // 57P01
  kCrashShutdown,              // 57P02
  kCannotConnectNow,           // 57P03
  kTooManyConnections,         // 53300
  kReadOnlySqlTransaction,     // 25006: a write reached a standby (a node just demoted)
};

SqlState ParseSqlState(std::string_view code);

Error ErrorFromResult(const PGresult* res);
Error ErrorFromSqlState(std::string_view sqlstate, std::string_view server_message, std::string_view constraint);
Error ConnectionLost(std::string_view why);
// A COMMIT that PostgreSQL stopped waiting on before a synchronous standby had it: committed on
// the primary, perhaps lost if the primary fails now. Answered 503 (outcome unknown), not 2xx.
Error CommitUnconfirmed();
// The connection was lost while COMMIT was on its way or being answered: it may have committed.
// Still `database_unavailable` (503) for clients that branch on the code, but the message says to
// check before repeating, and details.commit = "unknown".
Error CommitOutcomeUnknown(const Error& cause);
// A connection lost after the transaction's first statements ran, with no word from the server
// (it may have died running them): re-run a bounded number of times, unlike a server that said it
// is shutting down, cannot take connections yet, or is read-only (a failover in progress).
bool IsLostMidway(const Error& e);
// Serialization failures and deadlocks: the transaction helper retries these.
bool IsRetryable(const Error& e);
// The server went away or refuses connections: the connection is discarded.
bool IsConnectionError(const Error& e);

}  // namespace vertice::db
