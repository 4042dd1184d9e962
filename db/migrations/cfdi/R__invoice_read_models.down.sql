DROP FUNCTION IF EXISTS invoice_open_items(text, date);
