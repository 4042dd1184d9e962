-- Removes the unified view before a source it reads from is rolled back; the next
-- `migrate up` builds it again from the contributions then present.
DROP FUNCTION IF EXISTS refresh_universal_transactions();
DROP FUNCTION IF EXISTS get_company_total_revenue(text, date, date);
DROP FUNCTION IF EXISTS get_company_total_revenue(text);
DROP MATERIALIZED VIEW IF EXISTS universal_revenue_monthly_mv CASCADE;
DROP MATERIALIZED VIEW IF EXISTS universal_transactions_mv CASCADE;
