// The banking module's named SQL for reading what was imported.
#pragma once

namespace vertice::banking::sql {

// A page of the company's statements, newest first, keyset by statement id ($1 account or NULL,
// $2 after — the last id of the previous page — or NULL, $3 page size + 1).
inline constexpr const char* kStatementsPage = R"sql(
SELECT json_build_object(
  'statement_id', s.statement_id::text, 'account_id', s.account_id::text, 'file_id', s.file_id::text,
  'file_name', f.file_name, 'format', f.format, 'bank_statement_ref', s.bank_statement_ref,
  'from', s.from_date, 'to', s.to_date, 'currency', s.currency,
  'opening_balance', s.opening_balance::text, 'closing_balance', s.closing_balance::text,
  'movements_total', s.movements_total::text, 'new', s.new_lines, 'duplicate', s.duplicate_lines,
  'rejected', s.skipped_lines, 'balance_overridden', s.balance_mismatch, 'override_reason', s.override_reason,
  'imported_at', s.created_at)::text AS j, s.statement_id::text AS id
FROM bank_statements s JOIN bank_statement_files f USING (file_id)
WHERE s.tenant_id = vertice_current_tenant() AND s.company_id = vertice_current_company()
  AND ($1::bigint IS NULL OR s.account_id = $1::bigint)
  AND ($2::bigint IS NULL OR s.statement_id < $2::bigint)
ORDER BY s.statement_id DESC
LIMIT $3::int
)sql";

// Every statement above, for the tenancy test (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kStatementsPage};

}  // namespace vertice::banking::sql
