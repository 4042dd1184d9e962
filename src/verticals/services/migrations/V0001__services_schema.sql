-- Service contracts billed monthly: each active contract gets one billing entry per month on its
-- billing day (services_bill_due), which is what the unified view counts.
CREATE TABLE services_contracts (
  contract_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  client_name  text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 200),
  client_rfc   text NOT NULL CHECK (client_rfc ~ '^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'),
  description  text NOT NULL DEFAULT '',
  monthly_fee  numeric(18,2) NOT NULL CHECK (monthly_fee > 0),
  iva_rate     numeric(8,6) NOT NULL DEFAULT 0.16 CHECK (iva_rate IN (0, 0.08, 0.16)),
  starts_on    date NOT NULL,
  ends_on      date CHECK (ends_on >= starts_on),
  billing_day  integer NOT NULL CHECK (billing_day BETWEEN 1 AND 28),
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'suspended', 'terminated')),
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('services_contracts');

CREATE TABLE services_billings (
  billing_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  contract_id  bigint NOT NULL REFERENCES services_contracts,
  period       date NOT NULL CHECK (extract(day FROM period) = 1),
  billed_on    date NOT NULL,
  amount       numeric(18,2) NOT NULL CHECK (amount > 0),  -- fee + IVA
  status       text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued')),
  UNIQUE (contract_id, period)
);
SELECT vertice_apply_company_rls('services_billings');

-- Bills the months due up to p_as_of for the scoped company's active contracts; idempotent. It
-- looks back one month only (a missed run catches up; a suspension is never billed afterwards).
CREATE FUNCTION services_bill_due(p_as_of date) RETURNS integer LANGUAGE sql AS $$
  WITH due AS (
    INSERT INTO services_billings (tenant_id, company_id, contract_id, period, billed_on, amount)
    SELECT c.tenant_id, c.company_id, c.contract_id, m::date, m::date + (c.billing_day - 1),
           c.monthly_fee + round(c.monthly_fee * c.iva_rate, 2)
    FROM services_contracts c,
         generate_series(date_trunc('month', GREATEST(c.starts_on, p_as_of - 31)), date_trunc('month', p_as_of),
                         interval '1 month') m
    WHERE c.status = 'active' AND c.company_id = vertice_current_company()
      AND m::date + (c.billing_day - 1) BETWEEN c.starts_on AND LEAST(p_as_of, COALESCE(c.ends_on, p_as_of))
    ON CONFLICT (contract_id, period) DO NOTHING RETURNING 1)
  SELECT count(*)::integer FROM due
$$;
