SET LOCAL lock_timeout = '5s';
-- The change notices' ids come from a logged sequence. The identity sequence of an unlogged table
-- is unlogged too, and PostgreSQL 15 does not carry it to a standby: on the replica Patroni
-- promotes, every nextval() failed with "bad magic number in sequence" (XX000), so every sale
-- answered 500 until an operator intervened (found by tests/ops/ha/failover_test.py). A logged
-- sequence also keeps ids rising across a crash restart, where the unlogged one went back to 1
-- and a server's change cursor waited for ids it had already passed. The notices themselves stay
-- unlogged: a crash or failover loses only notices, and feeds re-read on reconnect.
CREATE SEQUENCE universal_changes_id_seq;
SELECT setval('universal_changes_id_seq', (SELECT last_value FROM universal_changes_change_id_seq) + 1);
ALTER TABLE universal_changes ALTER COLUMN change_id DROP IDENTITY;
ALTER TABLE universal_changes ALTER COLUMN change_id SET DEFAULT nextval('universal_changes_id_seq');
