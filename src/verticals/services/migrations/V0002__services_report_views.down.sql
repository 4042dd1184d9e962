DROP VIEW services_contract_facts;
DROP VIEW services_billing_facts;
