DO $$
BEGIN
  IF (SELECT relpersistence FROM pg_class WHERE relname = 'universal_changes_id_seq') <> 'p' THEN
    RAISE EXCEPTION 'universal_changes_id_seq must be a logged sequence (it must survive a failover)';
  END IF;
  IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'universal_changes'::regclass
             AND attname = 'change_id' AND attidentity <> '') THEN
    RAISE EXCEPTION 'universal_changes.change_id must not be an identity column of the unlogged table';
  END IF;
END $$;
