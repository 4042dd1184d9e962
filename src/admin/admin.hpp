// Operator actions shared by the CLI, the demo loader and test factories. They run on a direct
// connection as the owner role (cross-tenant), and each writes an audit row as the system actor.
#pragma once

#include <optional>
#include <string>

#include "db/connection.hpp"

namespace vertice::admin {

// The tenant a company belongs to (the CLI names companies; scopes need both); 400
// unknown_company when there is none.
db::Task<Result<std::string>> TenantOfCompany(db::Connection& conn, std::string company_id);

db::Task<Status> CreateTenant(db::Connection& conn, const std::string& tenant_id, const std::string& name);
db::Task<Status> CreateCompany(db::Connection& conn, const std::string& tenant_id, const std::string& company_id,
                               const std::string& legal_name, const std::string& rfc);
// Creates the user (tenant from the company when given) and, with a company, its membership.
db::Task<Result<std::string>> CreateUser(db::Connection& conn, const std::string& tenant_id, const std::string& email,
                                         const std::string& full_name, const std::string& password,
                                         const std::optional<std::string>& company_id,
                                         const std::optional<std::string>& role);
db::Task<Status> AddMembership(db::Connection& conn, const std::string& email, const std::string& company_id,
                               const std::string& role);
db::Task<Status> SetPassword(db::Connection& conn, const std::string& email, const std::string& password);
db::Task<Status> DisableUser(db::Connection& conn, const std::string& email);
struct NewApiKey {
  std::string id;
  std::string key;
};
db::Task<Result<NewApiKey>> CreateApiKey(db::Connection& conn, const std::string& company_id, const std::string& name,
                                         const std::string& role);
db::Task<Status> RevokeApiKey(db::Connection& conn, const std::string& api_key_id);

// Loads the demo tenant (idempotent). Refuses unless the database was created by scripts/up
// (COMMENT ON DATABASE … IS 'vertice:dev') or `force`.
db::Task<Status> LoadDemo(db::Connection& conn, bool force);

inline constexpr const char* kDemoPassword = "vertice-demo";

}  // namespace vertice::admin
