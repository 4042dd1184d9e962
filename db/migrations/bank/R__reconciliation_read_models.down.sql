DROP FUNCTION IF EXISTS reconciliation_settled(bigint);
