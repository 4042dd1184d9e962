SET LOCAL lock_timeout = '5s';
-- What the services reports read (GET /api/v1/verticals/services/reports/{name}): billings with
-- their client, and contracts with their fee. security_invoker: the caller's row-level security
-- applies, so a company sees only its own rows.
CREATE VIEW services_billing_facts WITH (security_invoker = true) AS
  SELECT b.tenant_id, b.company_id, b.billed_on, b.period, c.contract_id::text AS contract, c.client_name AS client,
         c.client_rfc, b.status, b.amount
    FROM services_billings b
    JOIN services_contracts c ON c.contract_id = b.contract_id;
GRANT SELECT ON services_billing_facts TO vertice_app;

CREATE VIEW services_contract_facts WITH (security_invoker = true) AS
  SELECT c.tenant_id, c.company_id, c.starts_on, c.contract_id::text AS contract, c.client_name AS client,
         c.client_rfc, c.status, c.monthly_fee, c.monthly_fee + round(c.monthly_fee * c.iva_rate, 2) AS monthly_total
    FROM services_contracts c;
GRANT SELECT ON services_contract_facts TO vertice_app;
