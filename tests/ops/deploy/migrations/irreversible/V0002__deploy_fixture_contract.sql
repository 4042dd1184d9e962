-- vertice:irreversible
-- A contract step that throws data away (no .down.sql can bring it back): a failed deploy of this
-- release is undone by point-in-time restore to the deploy's restore point.
DELETE FROM deploy_fixture_notes;
ALTER TABLE deploy_fixture_notes DROP COLUMN created_at;
