-- The bad release: its second migration fails (after the first one committed), so the deploy
-- must roll the first one back too.
ALTER TABLE deploy_fixture_notes ADD COLUMN author text;
SELECT 1 / 0;
