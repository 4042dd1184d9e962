#include "members/companies.hpp"

#include <boost/json.hpp>

#include "db/constraints.hpp"
#include "db/sqlstate.hpp"
#include "members/queries.hpp"

namespace vertice::members {

namespace json = boost::json;

namespace {

constexpr db::ConstraintError kConstraints[] = {
    {"companies_pkey", ErrorKind::kConflict, "company.id_taken", "Ya existe una empresa con esa clave; elija otra."},
};

}  // namespace

db::Task<Result<json::object>> CreateCompany(db::Transaction& tx, shared::Actor actor, NewCompany company) {
  auto created =
      co_await tx.Query(sql::kCreateCompany, db::P(company.company_id, company.legal_name, company.rfc, actor.id));
  if (!created) {
    if (created.error().sqlstate == db::SqlState::kInsufficientPrivilege)
      co_return Fail(ErrorKind::kForbidden, "forbidden", "Solo el propietario de la empresa puede crear otra empresa.");
    co_return std::unexpected(db::Remap(created.error(), kConstraints));
  }
  json::object out{{"company_id", company.company_id},
                   {"tenant_id", actor.tenant_id},
                   {"name", company.legal_name},
                   {"rfc", company.rfc},
                   {"role", "owner"}};
  VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, "company.created", "company", company.company_id, "",
                                              json::serialize(out)));
  co_return out;
}

}  // namespace vertice::members
