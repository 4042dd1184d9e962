DROP TABLE cpg_idempotency_keys;
