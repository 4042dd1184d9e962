ALTER TABLE universal_changes ALTER COLUMN change_id DROP DEFAULT;
ALTER TABLE universal_changes ALTER COLUMN change_id ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('universal_changes', 'change_id'), nextval('universal_changes_id_seq'));
DROP SEQUENCE universal_changes_id_seq;
