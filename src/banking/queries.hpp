// The banking module's named SQL: importing statements, and reading what was imported.
#pragma once

namespace vertice::banking::sql {

// A bank movement's fields as every answer shows them (lists, detail); amounts as exact text.
#define VERTICE_BANK_MOVEMENT_FIELDS                                                                             \
  "'movement_id', m.movement_id::text, 'account_id', m.account_id::text, 'statement_id', m.statement_id::text, " \
  "'booking_date', m.booking_date, 'value_date', m.value_date, 'amount', m.amount::text, 'currency', "           \
  "m.currency, 'description', m.description, 'reference', m.reference, 'bank_reference', m.bank_reference, "     \
  "'counterparty_name', m.counterparty_name, 'counterparty_account', m.counterparty_account, 'status', "         \
  "m.status, 'reconciled_amount', m.reconciled_amount::text, 'category', m.category"

// One movement in a list.
inline constexpr const char* kMovementItem = "json_build_object(" VERTICE_BANK_MOVEMENT_FIELDS ")";

// One movement with where it came from ($1: movement id).
inline constexpr const char* kMovementDetail =
    "SELECT json_build_object(" VERTICE_BANK_MOVEMENT_FIELDS
    ", 'account_name', a.name, 'transaction_code', m.transaction_code, 'line', m.line, 'imported_at', m.created_at)"
    "::text AS j FROM bank_movements m JOIN bank_accounts a USING (account_id)"
    " WHERE m.tenant_id = vertice_current_tenant() AND m.company_id = vertice_current_company()"
    " AND m.movement_id = $1::bigint";

// One imported statement in a list.
inline constexpr const char* kStatementItem = R"sql(json_build_object(
  'statement_id', s.statement_id::text, 'account_id', s.account_id::text, 'file_id', s.file_id::text,
  'file_name', f.file_name, 'format', f.format, 'bank_statement_ref', s.bank_statement_ref,
  'from', s.from_date, 'to', s.to_date, 'currency', s.currency,
  'opening_balance', s.opening_balance::text, 'closing_balance', s.closing_balance::text,
  'movements_total', s.movements_total::text, 'new', s.new_lines, 'duplicate', s.duplicate_lines,
  'rejected', s.skipped_lines, 'balance_overridden', s.balance_mismatch, 'override_reason', s.override_reason,
  'imported_at', s.created_at))sql";

// ---- import (statement_importer.cpp) ----

// A file already imported, by its content ($1: SHA-256).
inline constexpr const char* kFileBySha = R"sql(
SELECT file_id FROM bank_statement_files
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND sha256 = $1)sql";

// The company's accounts, as statements are matched against them.
inline constexpr const char* kImportAccounts = R"sql(
SELECT account_id, COALESCE(clabe, '') AS clabe, COALESCE(account_number, '') AS number, currency, name
  FROM bank_accounts
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
 ORDER BY account_id)sql";

// The file's row ($1 sha256, $2 name, $3 size, $4 format, $5 variant, $6 source, $7 actor type, $8 actor id).
inline constexpr const char* kInsertFile = R"sql(
INSERT INTO bank_statement_files (tenant_id, company_id, sha256, file_name, size_bytes, format, variant, source,
                                  actor_type, actor_id)
VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, $3, $4, $5, $6, $7, $8)
RETURNING file_id)sql";

// One statement with its new movements ($1 account, $2 file, $3 statement JSON, $4 movements JSON).
inline constexpr const char* kStoreStatement = R"sql(
SELECT statement_id, new_lines, duplicate_lines FROM bank_store_statement($1, $2, $3::jsonb, $4::jsonb))sql";

// The file's totals once its statements are stored ($1 file, $2 statements, $3 new, $4 duplicate, $5 rejected).
inline constexpr const char* kFileTotals = R"sql(
UPDATE bank_statement_files SET statements = $2, new_lines = $3, duplicate_lines = $4, rejected_lines = $5
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND file_id = $1)sql";

// Every whole statement above (lists are checked through their definitions), for the tenancy test
// (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kMovementDetail, kFileBySha,      kImportAccounts,
                                       kInsertFile,     kStoreStatement, kFileTotals};

}  // namespace vertice::banking::sql
