// The members module's named SQL: the tenant's users a membership points to. Memberships and API
// keys are company rows read and written through the shared DAL (memberships.cpp, api_keys.cpp),
// which adds the tenant and company to every statement; users are tenant-level rows (one login
// across the tenant's companies), so these state the tenant and row-level security checks it again.
#pragma once

namespace vertice::members::sql {

// The tenant's user with an e-mail ($1, lower-case). A user of another tenant is not found here;
// inserting the same e-mail then breaks users_email_key.
inline constexpr const char* kUserByEmail = R"sql(
SELECT user_id::text AS user_id FROM users WHERE email = $1 AND tenant_id = vertice_current_tenant()
)sql";

// A new user of the tenant ($1), with e-mail, full name and password hash.
inline constexpr const char* kInsertUser = R"sql(
INSERT INTO users (tenant_id, email, full_name, password_hash)
VALUES ($1, $2, $3, $4) RETURNING user_id::text AS user_id
)sql";

// Another company of the scoped tenant with the caller as its owner; refused (42501) unless the
// caller owns the scoped company ($1 id, $2 legal name, $3 RFC, $4 the caller's user id).
inline constexpr const char* kCreateCompany = R"sql(
SELECT vertice_create_company($1, $2, $3, $4::uuid) WHERE vertice_current_tenant() IS NOT NULL
   AND vertice_current_company() IS NOT NULL)sql";

inline constexpr const char* kAll[] = {kUserByEmail, kInsertUser, kCreateCompany};

}  // namespace vertice::members::sql
