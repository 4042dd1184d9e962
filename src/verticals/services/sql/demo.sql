-- Demo data: service contracts of the company in scope, with a year of monthly billings.
INSERT INTO services_contracts (tenant_id, company_id, client_name, client_rfc, description, monthly_fee, starts_on,
                                ends_on, billing_day, status)
SELECT vertice_current_tenant(), vertice_current_company(), name, rfc, descr, fee,
       (date_trunc('month', now() AT TIME ZONE 'America/Mexico_City') - make_interval(months => age))::date, NULL, day, status
FROM (VALUES ('Hotel Las Palmas', 'HLP010203AB1', 'Mantenimiento de equipos de refrigeración', 18500.00, 14, 5, 'active'),
             ('Clínica San Ángel', 'CSA050607CD2', 'Soporte de sistemas y red', 32000.00, 12, 1, 'active'),
             ('Restaurantes del Bajío', 'RBA080910EF3', 'Limpieza industrial de cocinas', 12750.00, 10, 10, 'active'),
             ('Colegio Montessori Norte', 'CMN111213GH4', 'Vigilancia y monitoreo', 45200.00, 13, 1, 'active'),
             ('Farmacias Integra', 'FIN141516IJ5', 'Fumigación mensual', 6800.00, 8, 15, 'suspended'),
             ('Grupo Logístico Tula', 'GLT171819KL6', 'Renta y soporte de terminales', 9900.00, 6, 20, 'active'),
             ('Constructora Roble', 'CRO202122MN7', 'Consultoría fiscal', 27500.00, 16, 5, 'terminated'),
             ('Cafeterías Aroma', 'CAR232425OP8', 'Mantenimiento de cafeteras', 5400.00, 0, 25, 'draft'))
     AS c(name, rfc, descr, fee, age, day, status);

-- Past billings as the monthly job would have written them (up to today, while active).
INSERT INTO services_billings (tenant_id, company_id, contract_id, period, billed_on, amount)
SELECT c.tenant_id, c.company_id, c.contract_id, m::date, m::date + (c.billing_day - 1),
       c.monthly_fee + round(c.monthly_fee * c.iva_rate, 2)
FROM services_contracts c,
     generate_series(c.starts_on, (now() AT TIME ZONE 'America/Mexico_City')::date, interval '1 month') m
WHERE c.company_id = vertice_current_company() AND c.status <> 'draft'
  AND m::date + (c.billing_day - 1) <= (now() AT TIME ZONE 'America/Mexico_City')::date
  AND (c.status = 'active' OR m < now() - interval '3 months');
UPDATE services_contracts SET ends_on = (now() AT TIME ZONE 'America/Mexico_City')::date - 60
WHERE company_id = vertice_current_company() AND status = 'terminated';
