ALTER TABLE deploy_fixture_notes DROP COLUMN author;
