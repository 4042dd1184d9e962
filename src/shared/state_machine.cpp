#include "shared/state_machine.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "shared/sql_identifier.hpp"

namespace vertice::shared {

StateMachine::StateMachine(StateMachineSpec spec) : spec_(std::move(spec)) {
  auto table = QuoteIdentifier(spec_.table);
  auto id = QuoteIdentifier(spec_.id_column);
  auto status = QuoteIdentifier(spec_.status_column);
  for (size_t i = 0; i < spec_.transitions.size(); ++i) {
    for (size_t j = i + 1; j < spec_.transitions.size(); ++j) {
      const auto &a = spec_.transitions[i], &b = spec_.transitions[j];
      if (a.from == b.from && a.event == b.event)
        throw std::logic_error(fmt::format("{}: transition {} --{}--> declared twice", spec_.name, a.from, a.event));
    }
  }
  select_sql_ = fmt::format(
      "SELECT *, {status}::text AS vertice_current_status FROM {table} "
      "WHERE tenant_id = $1 AND company_id = $2 AND {id} = $3 FOR UPDATE NOWAIT",
      fmt::arg("status", status), fmt::arg("table", table), fmt::arg("id", id));
  for (const auto& t : spec_.transitions) {
    std::string sets = fmt::format("{} = $4", status);
    for (const auto& assignment : t.also_set) sets += ", " + assignment;
    update_sql_.push_back(
        fmt::format("UPDATE {table} SET {sets} WHERE tenant_id = $1 AND company_id = $2 AND {id} = $3",
                    fmt::arg("sets", sets), fmt::arg("table", table), fmt::arg("id", id)));
  }
}

Result<const Transition*> StateMachine::Find(std::string_view state, std::string_view event,
                                             std::string_view role) const {
  auto details = [&] { return boost::json::object{{"state", state}, {"event", event}}; };
  for (const auto& t : spec_.transitions) {
    if (t.from != state || t.event != event) continue;
    if (!t.roles.empty() && std::find(t.roles.begin(), t.roles.end(), role) == t.roles.end()) {
      return Fail(ErrorKind::kBusinessRule, spec_.name + ".transition_not_allowed",
                  fmt::format("Su rol ({}) no puede aplicar '{}' en el estado '{}'.", role, event, state), details());
    }
    return &t;
  }
  if (spec_.refuse) return std::unexpected(spec_.refuse(state, event));
  return Fail(ErrorKind::kBusinessRule, spec_.name + ".invalid_transition",
              fmt::format("No se puede aplicar '{}' en el estado '{}'.", event, state), details());
}

std::vector<std::string> StateMachine::EventsFrom(std::string_view state, std::string_view role) const {
  std::vector<std::string> out;
  for (const auto& t : spec_.transitions) {
    if (t.from == state && (t.roles.empty() || std::find(t.roles.begin(), t.roles.end(), role) != t.roles.end()))
      out.push_back(t.event);
  }
  return out;
}

db::Task<Result<std::string>> StateMachine::Fire(db::Transaction& tx, std::string id, std::string event,
                                                 std::string role, Actor actor, FireDetails details) const {
  const auto& scope = tx.Scope();
  VERTICE_CO_ASSIGN_OR_RETURN(auto row, co_await tx.Query(select_sql_, db::P(scope.tenant_id, scope.company_id, id)));
  if (row.Empty()) co_return std::unexpected(NotFound(spec_.not_found));
  auto from = row.Str(0, "vertice_current_status");
  VERTICE_CO_ASSIGN_OR_RETURN(const Transition* t, Find(from, event, role));
  if (t->guard) VERTICE_CO_TRY(co_await t->guard(tx, row));
  db::Params update = db::P(scope.tenant_id, scope.company_id, id, t->to);
  update.insert(update.end(), details.values.begin(), details.values.end());
  VERTICE_CO_TRY(co_await tx.Query(update_sql_[static_cast<size_t>(t - spec_.transitions.data())], update));
  VERTICE_CO_TRY(co_await tx.Query(
      "INSERT INTO status_history (tenant_id, company_id, machine, entity_id, from_status, event, to_status, "
      "actor_type, actor_id, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      db::P(scope.tenant_id, scope.company_id, spec_.name, id, from, event, t->to, actor.type, actor.id,
            actor.request_id)));
  boost::json::object after_fields = std::move(details.audit_note);
  after_fields["status"] = t->to;
  const std::string before = boost::json::serialize(boost::json::object{{"status", from}});
  const std::string after = boost::json::serialize(after_fields);
  const std::string action = t->audit_action.empty() ? spec_.name + "." + event : t->audit_action;
  VERTICE_CO_TRY(co_await RecordAudit(tx, actor, action, spec_.name, id, before, after));
  co_return t->to;
}

}  // namespace vertice::shared
