#include "admin/admin.hpp"

#include <fmt/format.h>

#include "auth/crypto.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "shared/validation.hpp"

namespace vertice::admin {

namespace {

Error Invalid(std::string code, const std::string& message) {
  return Error{ErrorKind::kInvalidInput, std::move(code), message, {}, message};
}

db::Task<Status> Audit(db::Connection& conn, const std::string& tenant_id, const std::optional<std::string>& company_id,
                       const std::string& action, const std::string& entity_type, const std::string& entity_id) {
  const char* who = std::getenv("USER");
  VERTICE_CO_TRY(co_await conn.Execute(
      "INSERT INTO audit_log (tenant_id, company_id, actor_type, actor_id, action, entity_type, entity_id) "
      "VALUES ($1, $2, 'system', $3, $4, $5, $6)",
      db::P(tenant_id, company_id, std::string("cli:") + (who ? who : "unknown"), action, entity_type, entity_id)));
  co_return Status{};
}

}  // namespace

db::Task<Result<std::string>> TenantOfCompany(db::Connection& conn, std::string company_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows, co_await conn.Execute("SELECT tenant_id FROM companies WHERE company_id = $1", db::P(company_id)));
  if (rows.Empty()) co_return Fail(ErrorKind::kInvalidInput, "unknown_company", "no existe la empresa " + company_id);
  co_return rows.Str(0, "tenant_id");
}

db::Task<Status> CreateTenant(db::Connection& conn, const std::string& tenant_id, const std::string& name) {
  if (!IsValidSlug(tenant_id))
    co_return std::unexpected(Invalid("invalid_tenant_id", "tenant id must be a slug like 'demo'"));
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_TRY(
        co_await conn.Execute("INSERT INTO tenants (tenant_id, name) VALUES ($1, $2)", db::P(tenant_id, name)));
    co_return co_await Audit(conn, tenant_id, std::nullopt, "tenant.created", "tenant", tenant_id);
  });
}

db::Task<Status> CreateCompany(db::Connection& conn, const std::string& tenant_id, const std::string& company_id,
                               const std::string& legal_name, const std::string& rfc) {
  if (!IsValidSlug(company_id))
    co_return std::unexpected(Invalid("invalid_company_id", "company id must be a slug like 'acme'"));
  // A check digit that does not verify is accepted: SAT's own test RFCs (AAA010101AAA) carry one.
  if (shared::CheckRfc(rfc) == shared::RfcStatus::kInvalid)
    co_return std::unexpected(Invalid("invalid_rfc", "RFC '" + rfc + "' is not a valid Mexican RFC"));
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_TRY(
        co_await conn.Execute("INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ($1, $2, $3, $4)",
                              db::P(company_id, tenant_id, legal_name, rfc)));
    co_return co_await Audit(conn, tenant_id, company_id, "company.created", "company", company_id);
  });
}

db::Task<Result<std::string>> CreateUser(db::Connection& conn, const std::string& tenant_id, const std::string& email,
                                         const std::string& full_name, const std::string& password,
                                         const std::optional<std::string>& company_id,
                                         const std::optional<std::string>& role) {
  auto normalized = ToLowerAscii(email);
  if (!IsPlausibleEmail(normalized))
    co_return std::unexpected(Invalid("invalid_email", "not a valid e-mail: " + email));
  if (password.size() < 10)
    co_return std::unexpected(Invalid("weak_password", "passwords need at least 10 characters"));
  if (role && !auth::IsValidRole(*role)) co_return std::unexpected(Invalid("invalid_role", "unknown role: " + *role));
  auto hash = auth::HashPassword(password);
  std::string user_id;
  VERTICE_CO_TRY(co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                                co_await conn.Execute("INSERT INTO users (tenant_id, email, full_name, password_hash) "
                                                      "VALUES ($1, $2, $3, $4) RETURNING user_id::text",
                                                      db::P(tenant_id, normalized, full_name, hash)));
    user_id = std::string(rows.Get(0, 0));
    if (company_id) {
      VERTICE_CO_TRY(co_await conn.Execute(
          "INSERT INTO memberships (tenant_id, company_id, user_id, role) VALUES ($1, $2, $3::uuid, $4)",
          db::P(tenant_id, *company_id, user_id, role.value_or("viewer"))));
    }
    co_return co_await Audit(conn, tenant_id, company_id, "user.created", "user", user_id);
  }));
  co_return user_id;
}

db::Task<Status> AddMembership(db::Connection& conn, const std::string& email, const std::string& company_id,
                               const std::string& role) {
  if (!auth::IsValidRole(role)) co_return std::unexpected(Invalid("invalid_role", "unknown role: " + role));
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows, co_await conn.Execute("INSERT INTO memberships (tenant_id, company_id, user_id, role) "
                                         "SELECT u.tenant_id, $2, u.user_id, $3 FROM users u WHERE u.email = lower($1) "
                                         "RETURNING tenant_id, user_id::text",
                                         db::P(email, company_id, role)));
    if (rows.Empty()) co_return std::unexpected(Invalid("unknown_user", "no user with e-mail " + email));
    co_return co_await Audit(conn, std::string(rows.Get(0, 0)), company_id, "member.added", "membership",
                             std::string(rows.Get(0, 1)));
  });
}

db::Task<Status> SetPassword(db::Connection& conn, const std::string& email, const std::string& password) {
  if (password.size() < 10)
    co_return std::unexpected(Invalid("weak_password", "passwords need at least 10 characters"));
  auto hash = auth::HashPassword(password);
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows,
        co_await conn.Execute(
            "UPDATE users SET password_hash = $2, password_changed_at = now(), failed_logins = 0, locked_until = NULL "
            "WHERE email = lower($1) RETURNING tenant_id, user_id::text",
            db::P(email, hash)));
    if (rows.Empty()) co_return std::unexpected(Invalid("unknown_user", "no user with e-mail " + email));
    // A new password ends every existing session of that user, and lifts any sign-in lock.
    VERTICE_CO_TRY(
        co_await conn.Execute("UPDATE sessions SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL",
                              db::P(std::string(rows.Get(0, 1)))));
    VERTICE_CO_TRY(co_await conn.Execute("DELETE FROM login_failures WHERE user_id = $1::uuid",
                                         db::P(std::string(rows.Get(0, 1)))));
    co_return co_await Audit(conn, std::string(rows.Get(0, 0)), std::nullopt, "user.password_changed", "user",
                             std::string(rows.Get(0, 1)));
  });
}

db::Task<Status> DisableUser(db::Connection& conn, const std::string& email) {
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows,
        co_await conn.Execute(
            "UPDATE users SET status = 'disabled' WHERE email = lower($1) RETURNING tenant_id, user_id::text",
            db::P(email)));
    if (rows.Empty()) co_return std::unexpected(Invalid("unknown_user", "no user with e-mail " + email));
    VERTICE_CO_TRY(
        co_await conn.Execute("UPDATE sessions SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL",
                              db::P(std::string(rows.Get(0, 1)))));
    co_return co_await Audit(conn, std::string(rows.Get(0, 0)), std::nullopt, "user.disabled", "user",
                             std::string(rows.Get(0, 1)));
  });
}

db::Task<Result<NewApiKey>> CreateApiKey(db::Connection& conn, const std::string& company_id, const std::string& name,
                                         const std::string& role) {
  if (!auth::IsValidRole(role)) co_return std::unexpected(Invalid("invalid_role", "unknown role: " + role));
  NewApiKey out;
  out.key = auth::NewToken("vk_");
  VERTICE_CO_TRY(co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows,
        co_await conn.Execute("INSERT INTO api_keys (tenant_id, company_id, name, role, key_prefix, key_hash) "
                              "SELECT tenant_id, company_id, $2, $3, $4, $5 FROM companies WHERE company_id = $1 "
                              "RETURNING tenant_id, api_key_id::text",
                              db::P(company_id, name, role, out.key.substr(0, 10), auth::HashToken(out.key))));
    if (rows.Empty()) co_return std::unexpected(Invalid("unknown_company", "no company " + company_id));
    out.id = std::string(rows.Get(0, 1));
    co_return co_await Audit(conn, std::string(rows.Get(0, 0)), company_id, "api_key.created", "api_key", out.id);
  }));
  co_return out;
}

db::Task<Status> RevokeApiKey(db::Connection& conn, const std::string& api_key_id) {
  if (!IsUuid(api_key_id)) co_return std::unexpected(Invalid("invalid_id", "not an API key id: " + api_key_id));
  co_return co_await db::Atomically(conn, [&]() -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows, co_await conn.Execute(
                       "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE api_key_id = $1::uuid "
                       "RETURNING tenant_id, company_id",
                       db::P(api_key_id)));
    if (rows.Empty()) co_return std::unexpected(Invalid("unknown_api_key", "no API key " + api_key_id));
    co_return co_await Audit(conn, std::string(rows.Get(0, 0)), std::string(rows.Get(0, 1)), "api_key.revoked",
                             "api_key", api_key_id);
  });
}

db::Task<Status> LoadDemo(db::Connection& conn, bool force) {
  if (!force) {
    VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                                co_await conn.Execute("SELECT COALESCE(shobj_description(oid, 'pg_database'), '') FROM "
                                                      "pg_database WHERE datname = current_database()"));
    if (rows.Empty() || rows.Get(0, 0) != "vertice:dev") {
      co_return std::unexpected(Invalid(
          "demo.refused",
          "refusing to load demo data into a database not created by scripts/up; pass --force to do it anyway"));
    }
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto exists, co_await conn.Execute("SELECT 1 FROM tenants WHERE tenant_id = 'demo'"));
  if (!exists.Empty()) co_return Status{};  // already loaded
  VERTICE_CO_TRY(co_await CreateTenant(conn, "demo", "Demo"));
  VERTICE_CO_TRY(co_await CreateCompany(conn, "demo", "acme", "Acme Distribuciones SA de CV", "ADI920101AB3"));
  VERTICE_CO_TRY(co_await CreateCompany(conn, "demo", "globex", "Globex Comercial SA de CV", "GCO930215KX7"));
  struct DemoUser {
    const char *email, *name, *company, *role;
  };
  const DemoUser users[] = {
      {"admin@acme.mx", "Ana Administradora", "acme", "owner"}, {"ceo@acme.mx", "Carlos Director", "acme", "ceo"},
      {"cfo@acme.mx", "Fernanda Finanzas", "acme", "cfo"},      {"cajero@acme.mx", "Juan Cajero", "acme", "cashier"},
      {"cfo@globex.mx", "Gabriela Finanzas", "globex", "cfo"},
  };
  for (const auto& u : users) {
    VERTICE_CO_TRY(
        co_await CreateUser(conn, "demo", u.email, u.name, kDemoPassword, std::string(u.company), std::string(u.role)));
  }
  // The group's director sees both companies (the web app's company switcher).
  VERTICE_CO_TRY(co_await CreateUser(conn, "demo", "director@grupo.mx", "Diana Directora", kDemoPassword,
                                     std::string("acme"), std::string("ceo")));
  VERTICE_CO_TRY(co_await AddMembership(conn, "director@grupo.mx", "globex", "ceo"));
  co_return Status{};
}

}  // namespace vertice::admin
