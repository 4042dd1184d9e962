-- Invoice read models that several statements share, defined once.

-- What the company is still owed (direction 'issued': receivables) or still owes ('received':
-- payables) on each open vigente invoice, in pesos, with its age in days on p_as_of (the
-- caller's "today in Mexico City", taken from the injected clock — never current_date). The
-- receivables/payables aging and the CEO dashboard read it.
CREATE OR REPLACE FUNCTION invoice_open_items(p_direction text, p_as_of date)
RETURNS TABLE (rfc text, name text, amount numeric, days integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT i.counterparty_rfc, i.counterparty_name, round(i.outstanding * coalesce(i.tipo_cambio, 1), 2),
         p_as_of - i.fecha::date
    FROM sat_invoices i
   WHERE i.company_id = vertice_current_company() AND i.direction = p_direction AND i.tipo = 'I'
     AND i.status = 'vigente' AND i.outstanding > 0
$$;
