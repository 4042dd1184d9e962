-- The good release's expand step: a new table the old binary never reads (expand/contract).
CREATE TABLE deploy_fixture_notes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  note       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO deploy_fixture_notes (note) VALUES ('release good');
