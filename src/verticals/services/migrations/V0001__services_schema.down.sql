DROP FUNCTION services_bill_due(date);
DROP TABLE services_billings;
DROP TABLE services_contracts;
DELETE FROM status_history WHERE machine = 'services.contract';
