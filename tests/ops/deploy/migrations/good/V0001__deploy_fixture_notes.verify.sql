DO $$
BEGIN
  IF to_regclass('deploy_fixture_notes') IS NULL THEN
    RAISE EXCEPTION 'deploy_fixture_notes is missing';
  END IF;
END $$;
