DROP TABLE deploy_fixture_notes;
