#include "db/sqlstate.hpp"

#include <fmt/format.h>

#include <utility>

namespace vertice::db {

namespace {

constexpr std::pair<std::string_view, SqlState> kCodes[] = {
    {"23505", SqlState::kUniqueViolation},
    {"23503", SqlState::kForeignKeyViolation},
    {"23514", SqlState::kCheckViolation},
    {"23502", SqlState::kNotNullViolation},
    {"22P02", SqlState::kInvalidTextRepresentation},
    {"22003", SqlState::kNumericValueOutOfRange},
    {"22001", SqlState::kStringDataRightTruncation},
    {"22007", SqlState::kInvalidDatetimeFormat},
    {"22008", SqlState::kDatetimeFieldOverflow},
    {"22021", SqlState::kCharacterNotInRepertoire},
    {"22P05", SqlState::kUntranslatableCharacter},
    {"54000", SqlState::kProgramLimitExceeded},
    {"40001", SqlState::kSerializationFailure},
    {"40P01", SqlState::kDeadlockDetected},
    {"55P03", SqlState::kLockNotAvailable},
    {"57014", SqlState::kQueryCanceled},
    {"42501", SqlState::kInsufficientPrivilege},
    {"P0001", SqlState::kRaiseException},
    {"57P01", SqlState::kAdminShutdown},
    {"57P02", SqlState::kCrashShutdown},
    {"57P03", SqlState::kCannotConnectNow},
    {"53300", SqlState::kTooManyConnections},
    {"25006", SqlState::kReadOnlySqlTransaction},
};

Error Make(ErrorKind kind, std::string code, std::string message, SqlState state, std::string_view constraint,
           std::string internal) {
  Error e{kind, std::move(code), std::move(message), {}, std::move(internal)};
  e.sqlstate = state;
  e.constraint = std::string(constraint);
  return e;
}

}  // namespace

SqlState ParseSqlState(std::string_view code) {
  for (const auto& [text, state] : kCodes)
    if (code == text) return state;
  if (code.size() == 5 && code.starts_with("08")) return SqlState::kConnectionException;
  return SqlState::kOther;
}

Error ConnectionLost(std::string_view why) {
  Error e{ErrorKind::kUnavailable,
          "database_unavailable",
          "La base de datos no está disponible; intente de nuevo en unos segundos.",
          {},
          std::string(why)};
  e.sqlstate = SqlState::kConnectionException;
  return e;
}

Error CommitUnconfirmed() {
  return Error{ErrorKind::kUnavailable,
               "commit_unconfirmed",
               "No se pudo confirmar que la operación quedó replicada; consulte antes de repetirla.",
               {},
               "COMMIT stopped waiting for the synchronous standby (committed on the primary only)"};
}

Error CommitOutcomeUnknown(const Error& cause) {
  Error e{ErrorKind::kUnavailable, "database_unavailable",
          "Se perdió la conexión con la base de datos al confirmar la operación; pudo haberse guardado. "
          "Consulte antes de repetirla.",
          boost::json::object{{"commit", "unknown"}}, "connection lost with COMMIT in flight: " + cause.internal};
  e.sqlstate = cause.sqlstate;
  return e;
}

Error ErrorFromSqlState(std::string_view code, std::string_view msg, std::string_view constraint) {
  const SqlState state = ParseSqlState(code);
  std::string internal = fmt::format("SQLSTATE {}: {}", code, msg);
  // Integrity and data errors name the constraint for the client too (a module may remap it).
  auto with_constraint = [&](ErrorKind kind, std::string c, std::string message) {
    Error e = Make(kind, std::move(c), std::move(message), state, constraint, std::move(internal));
    if (!constraint.empty()) e.details["constraint"] = constraint;
    return e;
  };
  switch (state) {
    case SqlState::kUniqueViolation:
      return with_constraint(ErrorKind::kConflict, "conflict", "El registro ya existe.");
    case SqlState::kForeignKeyViolation:
      return with_constraint(ErrorKind::kBusinessRule, "reference_violation",
                             "El registro hace referencia a datos inexistentes o está en uso.");
    case SqlState::kCheckViolation:
    case SqlState::kNotNullViolation:
    case SqlState::kInvalidTextRepresentation:
    case SqlState::kNumericValueOutOfRange:
    case SqlState::kStringDataRightTruncation:
    case SqlState::kInvalidDatetimeFormat:
    case SqlState::kDatetimeFieldOverflow:
      return with_constraint(ErrorKind::kInvalidInput, "invalid_value",
                             "Un valor no cumple las reglas de la base de datos.");
    // Text PostgreSQL cannot hold (invalid UTF-8, NUL as \u0000 in jsonb): only client text does
    // that; requests are checked before they get here, this is the backstop.
    case SqlState::kCharacterNotInRepertoire:
    case SqlState::kUntranslatableCharacter:
      return with_constraint(ErrorKind::kInvalidInput, "invalid_utf8",
                             "Un texto no es UTF-8 válido o contiene caracteres nulos.");
    // A value too large for PostgreSQL's own limits (an index row, an array): client data.
    case SqlState::kProgramLimitExceeded:
      return with_constraint(ErrorKind::kInvalidInput, "value_too_large",
                             "Un valor excede el tamaño que la base de datos admite.");
    case SqlState::kSerializationFailure:
    case SqlState::kDeadlockDetected:
      return Make(ErrorKind::kConflict, "db.serialization_failure", "Conflicto de concurrencia; intente de nuevo.",
                  state, constraint, std::move(internal));
    case SqlState::kLockNotAvailable:  // FOR UPDATE NOWAIT: another request is changing the same row
      return Make(ErrorKind::kConflict, "concurrent_update",
                  "Otra operación está modificando este registro; intente de nuevo.", state, constraint,
                  std::move(internal));
    case SqlState::kQueryCanceled:
      return Make(ErrorKind::kUnavailable, "query_cancelled", "La operación tardó demasiado y fue cancelada.", state,
                  constraint, std::move(internal));
    case SqlState::kInsufficientPrivilege:
      return Make(ErrorKind::kNotFound, "not_found", "No encontrado.", state, constraint, std::move(internal));
    case SqlState::kConnectionException:
    case SqlState::kAdminShutdown:
    case SqlState::kCrashShutdown:
    case SqlState::kCannotConnectNow:
    case SqlState::kTooManyConnections:
    // During a failover a connection may still reach the old primary, now a standby: nothing was
    // written, the client retries against the new primary.
    case SqlState::kReadOnlySqlTransaction: {
      Error e = ConnectionLost(internal);
      e.sqlstate = state;
      return e;
    }
    case SqlState::kRaiseException:  // RAISE EXCEPTION from our own SQL: a business rule
      return Make(ErrorKind::kBusinessRule, "business_rule", std::string(msg), state, constraint, std::move(internal));
    case SqlState::kOther:
      break;
  }
  return Make(ErrorKind::kInternal, "internal", "Error interno.", state, constraint, std::move(internal));
}

Error ErrorFromResult(const PGresult* res) {
  if (res == nullptr) return ConnectionLost("no result");
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
  if (state == nullptr) return ConnectionLost(PQresultErrorMessage(res));
  return ErrorFromSqlState(state, msg ? msg : "", constraint ? constraint : "");
}

bool IsRetryable(const Error& e) {
  return e.sqlstate == SqlState::kSerializationFailure || e.sqlstate == SqlState::kDeadlockDetected;
}

bool IsLostMidway(const Error& e) {
  const auto state = e.sqlstate.value_or(SqlState::kOther);
  return state == SqlState::kConnectionException || state == SqlState::kCrashShutdown;
}

bool IsConnectionError(const Error& e) {
  switch (e.sqlstate.value_or(SqlState::kOther)) {
    case SqlState::kConnectionException:
    case SqlState::kAdminShutdown:
    case SqlState::kCrashShutdown:
    case SqlState::kCannotConnectNow:
    case SqlState::kReadOnlySqlTransaction:
    case SqlState::kTooManyConnections:
      return true;
    default:
      return false;
  }
}

}  // namespace vertice::db
