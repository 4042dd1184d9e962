#include "db/sqlstate.hpp"

#include <fmt/format.h>

namespace vertice::db {

Error ConnectionLost(std::string_view why) {
  return Error{ErrorKind::kUnavailable,
               "database_unavailable",
               "La base de datos no está disponible; intente de nuevo en unos segundos.",
               {},
               std::string(why)};
}

Error ErrorFromSqlState(std::string_view state, std::string_view msg, std::string_view constraint) {
  std::string internal = fmt::format("SQLSTATE {}: {}", state, msg);
  std::string details = constraint.empty() ? std::string{} : fmt::format(R"({{"constraint":"{}"}})", constraint);
  if (state == "23505") return {ErrorKind::kConflict, "conflict", "El registro ya existe.", details, internal};
  if (state == "23503")
    return {ErrorKind::kBusinessRule, "reference_violation",
            "El registro hace referencia a datos inexistentes o está en uso.", details, internal};
  if (state == "23514" || state == "23502" || state == "22P02" || state == "22003" || state == "22001" ||
      state == "22007" || state == "22008")
    return {ErrorKind::kInvalidInput, "invalid_value", "Un valor no cumple las reglas de la base de datos.", details,
            internal};
  // Text PostgreSQL cannot hold (invalid UTF-8, NUL as \u0000 in jsonb): only client text does
  // that; requests are checked before they get here, this is the backstop.
  if (state == "22021" || state == "22P05")
    return {ErrorKind::kInvalidInput, "invalid_utf8", "Un texto no es UTF-8 válido o contiene caracteres nulos.",
            details, internal};
  // A value too large for PostgreSQL's own limits (an index row, an array): client data.
  if (state == "54000")
    return {ErrorKind::kInvalidInput, "value_too_large", "Un valor excede el tamaño que la base de datos admite.",
            details, internal};
  if (state == "40001" || state == "40P01")
    return {
        ErrorKind::kConflict, "db.serialization_failure", "Conflicto de concurrencia; intente de nuevo.", {}, internal};
  if (state == "55P03")  // FOR UPDATE NOWAIT: another request is changing the same row
    return {ErrorKind::kConflict,
            "concurrent_update",
            "Otra operación está modificando este registro; intente de nuevo.",
            {},
            internal};
  if (state == "57014")
    return {ErrorKind::kUnavailable, "query_cancelled", "La operación tardó demasiado y fue cancelada.", {}, internal};
  if (state == "42501") return {ErrorKind::kNotFound, "not_found", "No encontrado.", {}, internal};
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300")
    return ConnectionLost(internal);
  if (state == "P0001")  // RAISE EXCEPTION from our own SQL: a business rule
    return {ErrorKind::kBusinessRule, "business_rule", std::string(msg), {}, internal};
  return {ErrorKind::kInternal, "internal", "Error interno.", {}, internal};
}

Error ErrorFromResult(const PGresult* res) {
  if (res == nullptr) return ConnectionLost("no result");
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
  if (state == nullptr) return ConnectionLost(PQresultErrorMessage(res));
  return ErrorFromSqlState(state, msg ? msg : "", constraint ? constraint : "");
}

bool IsRetryable(const Error& e) { return e.code == "db.serialization_failure"; }
bool IsConnectionError(const Error& e) { return e.code == "database_unavailable"; }

}  // namespace vertice::db
