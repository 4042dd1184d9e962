#include "shared/idempotency.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "shared/sql_identifier.hpp"

namespace vertice::shared {

namespace {

std::string Fingerprint(std::string_view method, std::string_view path, std::string_view body) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  auto add = [&](std::string_view part) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  };
  add(method);
  add("\n");
  add(path);
  add("\n");
  add(body);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

std::string Interval(std::chrono::seconds ttl) { return std::to_string(ttl.count()) + " seconds"; }

}  // namespace

Result<std::optional<IdempotencyKey>> ReadIdempotencyKey(std::optional<std::string_view> header, const Actor& actor,
                                                         std::string_view method, std::string_view path,
                                                         std::string_view body) {
  if (!header) return std::nullopt;
  bool printable = !header->empty() && header->size() <= kMaxIdempotencyKeyLength;
  for (char c : *header) printable = printable && c >= 0x20 && c <= 0x7e;
  if (!printable)
    return Fail(ErrorKind::kInvalidInput, "idempotency_key_invalid",
                fmt::format("El encabezado Idempotency-Key debe tener de 1 a {} caracteres ASCII imprimibles.",
                            kMaxIdempotencyKeyLength));
  return IdempotencyKey{std::string(*header), actor.type + ":" + actor.id, Fingerprint(method, path, body)};
}

db::Task<Result<std::optional<IdempotentAnswer>>> ClaimIdempotencyKey(db::Transaction& tx,
                                                                      const IdempotencyStore& store,
                                                                      const IdempotencyKey& key) {
  const auto table = QuoteIdentifier(store.table);
  const auto& scope = tx.Scope();
  // Waits while another transaction holds the same key uncommitted; takes over an expired key.
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto claimed,
      co_await tx.Query(
          fmt::format("INSERT INTO {0} AS k (tenant_id, company_id, principal, idempotency_key, "
                      "fingerprint) VALUES ($1, $2, $3, $4, $5) "
                      "ON CONFLICT (company_id, principal, idempotency_key) DO UPDATE "
                      "SET fingerprint = EXCLUDED.fingerprint, status = NULL, response = NULL, "
                      "created_at = now() WHERE k.created_at < now() - $6::interval RETURNING 1",
                      table),
          db::P(scope.tenant_id, scope.company_id, key.principal, key.key, key.fingerprint, Interval(store.ttl))));
  if (!claimed.Empty()) co_return std::nullopt;
  // Someone else's committed answer (a new statement sees what committed while we waited).
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto stored, co_await tx.Query(fmt::format("SELECT fingerprint, status, response FROM {} WHERE tenant_id = $1 "
                                                 "AND company_id = $2 AND principal = $3 AND idempotency_key = $4",
                                                 table),
                                     db::P(scope.tenant_id, scope.company_id, key.principal, key.key)));
  if (stored.Empty() || stored.IsNull(0, stored.Column("status")))
    co_return Fail(ErrorKind::kConflict, "idempotency_key_in_progress",
                   "Otra solicitud con la misma clave de idempotencia está en curso; intente de nuevo.");
  if (stored.Str(0, "fingerprint") != key.fingerprint)
    co_return Fail(ErrorKind::kConflict, "idempotency_key_reused",
                   "Esa clave de idempotencia ya se usó con otra solicitud; use una clave nueva para cada operación.");
  co_return IdempotentAnswer{static_cast<int>(stored.Int(0, "status")), stored.Str(0, "response")};
}

db::Task<Status> SaveIdempotentAnswer(db::Transaction& tx, const IdempotencyStore& store, const IdempotencyKey& key,
                                      const IdempotentAnswer& answer) {
  const auto& scope = tx.Scope();
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto saved, co_await tx.Query(fmt::format("UPDATE {} SET status = $5, response = $6 WHERE tenant_id = $1 AND "
                                                "company_id = $2 AND principal = $3 AND idempotency_key = $4",
                                                QuoteIdentifier(store.table)),
                                    db::P(scope.tenant_id, scope.company_id, key.principal, key.key,
                                          std::to_string(answer.status), answer.body)));
  if (saved.Affected() != 1)
    co_return Fail(ErrorKind::kInternal, "internal", "Error interno.", {}, "idempotency key not claimed before saving");
  co_return Status{};
}

db::Task<Result<int64_t>> DeleteExpiredIdempotencyKeys(db::Transaction& tx, const IdempotencyStore& store) {
  const auto& scope = tx.Scope();
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto deleted,
      co_await tx.Query(fmt::format("DELETE FROM {} WHERE tenant_id = $1 AND company_id = $2 AND created_at < now() - "
                                    "$3::interval",
                                    QuoteIdentifier(store.table)),
                        db::P(scope.tenant_id, scope.company_id, Interval(store.ttl))));
  co_return deleted.Affected();
}

}  // namespace vertice::shared
