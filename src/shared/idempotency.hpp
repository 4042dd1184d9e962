// Idempotency keys for retried writes (docs/api.md, "Idempotency-Key"): a client that lost the
// answer to a write sends the same request again with the same key and gets the first answer
// back instead of a second write.
//
// The key is claimed by the write's own transaction, first thing, and the answer is stored in
// that transaction, last thing: a crash leaves both the write and its key or neither, and an
// answer is never stored for a write that did not commit (an error answer stores nothing, so a
// retry runs again). Keys are unique per company, principal (user or API key) and key, so a
// concurrent duplicate waits on the first one's uncommitted key, then replays its answer — or,
// if the first rolled back, runs itself. Same key with another request (method, path or body) is
// a 409. Keys expire after the store's ttl: lookups ignore older ones and housekeeping deletes
// them (DeleteExpiredIdempotencyKeys).
//
// A component adopts it with a table shaped like cpg's (src/verticals/cpg/migrations/V0002):
// (tenant_id, company_id, principal, idempotency_key, fingerprint, status, response, created_at),
// primary key (company_id, principal, idempotency_key), row-level security by company.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace vertice::shared {

struct IdempotencyStore {
  std::string table;  // e.g. "cpg_idempotency_keys" (an identifier from code, never from a request)
  std::chrono::seconds ttl = std::chrono::hours(24);
};

// A request's key and what identifies the request it went with.
struct IdempotencyKey {
  std::string key;          // the Idempotency-Key header's value
  std::string principal;    // who sent it: "user:<id>", "api_key:<id>"
  std::string fingerprint;  // SHA-256 (hex) of the method, the path and the body bytes
};

// A stored answer: status and JSON body, sent again as they were.
struct IdempotentAnswer {
  int status = 0;
  std::string body;
};

inline constexpr size_t kMaxIdempotencyKeyLength = 255;

// The key of a request from its Idempotency-Key header (nullopt: no header, an ordinary write).
// 400 idempotency_key_invalid unless it is 1..255 printable ASCII characters.
Result<std::optional<IdempotencyKey>> ReadIdempotencyKey(std::optional<std::string_view> header, const Actor& actor,
                                                         std::string_view method, std::string_view path,
                                                         std::string_view body);

// The first statement of the write's transaction (the transaction's company is the key's).
// nullopt: the key is this transaction's now — do the write, then SaveIdempotentAnswer.
// An answer: the same request already succeeded — send it again, write nothing.
// 409 idempotency_key_reused: the key went with another request.
db::Task<Result<std::optional<IdempotentAnswer>>> ClaimIdempotencyKey(db::Transaction& tx,
                                                                      const IdempotencyStore& store,
                                                                      const IdempotencyKey& key);

// The last statement of the write's transaction: the answer a retry will get.
db::Task<Status> SaveIdempotentAnswer(db::Transaction& tx, const IdempotencyStore& store, const IdempotencyKey& key,
                                      const IdempotentAnswer& answer);

// Housekeeping: deletes the transaction's company's keys older than the store's ttl.
db::Task<Result<int64_t>> DeleteExpiredIdempotencyKeys(db::Transaction& tx, const IdempotencyStore& store);

}  // namespace vertice::shared
