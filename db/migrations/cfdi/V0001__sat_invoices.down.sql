DROP VIEW IF EXISTS cfdi_revenue;
DROP FUNCTION IF EXISTS cfdi_store_documents(bigint, jsonb, text);
DROP FUNCTION IF EXISTS cfdi_refresh_balances(text[]);
DROP FUNCTION IF EXISTS cfdi_amount_text(numeric);
DROP TABLE IF EXISTS sat_payment_applications, sat_invoice_relations, sat_invoice_taxes, sat_invoice_conceptos,
  sat_invoices, sat_invoice_imports;
