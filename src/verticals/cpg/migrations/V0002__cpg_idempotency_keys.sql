-- Idempotency keys of the vertical's writes (POS sales, consignments, settlements): the first
-- answer to a request sent with an Idempotency-Key header, so that a client that lost it can
-- retry safely (src/shared/idempotency.hpp). Claimed and answered inside the write's own
-- transaction, so a committed write always has its key and a key always its write. Kept 24 h,
-- then deleted by the cpg.idempotency_keys_expiry job.
CREATE TABLE cpg_idempotency_keys (
  tenant_id        text NOT NULL,
  company_id       text NOT NULL,
  principal        text NOT NULL,  -- who sent it: user:<id> or api_key:<id>
  idempotency_key  text NOT NULL CHECK (idempotency_key ~ '^[ -~]{1,255}$'),  -- printable ASCII
  fingerprint      text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),  -- SHA-256 of method, path, body
  status           integer CHECK (status BETWEEN 100 AND 599),  -- NULL only inside the claiming transaction
  response         text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, principal, idempotency_key),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
CREATE INDEX cpg_idempotency_keys_expiry ON cpg_idempotency_keys (company_id, created_at);
SELECT vertice_apply_company_rls('cpg_idempotency_keys');
