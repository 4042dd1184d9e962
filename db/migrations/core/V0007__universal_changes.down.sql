DROP FUNCTION IF EXISTS universal_changes_prune();
DROP TABLE IF EXISTS universal_changes;
