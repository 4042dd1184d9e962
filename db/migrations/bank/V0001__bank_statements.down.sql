DROP FUNCTION IF EXISTS bank_store_statement(bigint, bigint, jsonb, jsonb);
DROP TABLE IF EXISTS bank_movements, bank_statements, bank_statement_files, bank_accounts;
