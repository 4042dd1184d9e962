#include "shared/audit.hpp"

namespace vertice::shared {

db::Task<Status> RecordAudit(db::Transaction& tx, Actor actor, std::string action, std::string entity_type,
                             std::string entity_id, std::string before_json, std::string after_json) {
  auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  tx.Defer(
      "INSERT INTO audit_log (tenant_id, company_id, actor_type, actor_id, action, entity_type, entity_id, "
      "before, after, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)",
      db::P(actor.tenant_id, opt(actor.company_id), actor.type, opt(actor.id), action, entity_type, opt(entity_id),
            opt(before_json), opt(after_json), opt(actor.request_id)));
  co_return Status{};
}

}  // namespace vertice::shared
