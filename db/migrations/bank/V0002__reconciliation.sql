-- Reconciliation of bank movements with CFDI: matches (a movement ↔ documents with amounts, or a
-- movement classified as settling no document), their append-only event history, the runs of
-- the automatic matcher, classification rules and learned payer aliases. A match's state and the
-- movement's status follow the events; undo touches one match only; automatic runs never change
-- a manual decision.

CREATE TABLE reconciliation_runs (
  run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     text NOT NULL,
  company_id    text NOT NULL,
  account_id    bigint REFERENCES bank_accounts,
  from_date     date,
  to_date       date,
  requested_by  text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  movements     integer NOT NULL DEFAULT 0,
  auto_matched  integer NOT NULL DEFAULT 0,
  suggested     integer NOT NULL DEFAULT 0,
  classified    integer NOT NULL DEFAULT 0,
  unmatched     integer NOT NULL DEFAULT 0,
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('reconciliation_runs');
REVOKE DELETE ON reconciliation_runs FROM vertice_app;

CREATE TABLE reconciliation_matches (
  match_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  movement_id  bigint NOT NULL REFERENCES bank_movements,
  run_id       bigint REFERENCES reconciliation_runs,
  origin       text NOT NULL CHECK (origin IN ('auto', 'suggestion', 'manual')),
  state        text NOT NULL CHECK (state IN ('proposed', 'accepted', 'rejected', 'undone', 'superseded')),
  category     text,  -- a movement that settles no document: bank_fee, payroll, tax, …
  score        numeric(8,3),
  reasons      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reasons) = 'array'),
  adjustments  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(adjustments) = 'object'),  -- bank_fee, bank_fee_iva
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  decided_by   text,
  decided_at   timestamptz,
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
CREATE INDEX reconciliation_matches_movement_idx ON reconciliation_matches (movement_id, state);
CREATE INDEX reconciliation_matches_pending_idx ON reconciliation_matches (tenant_id, company_id, state, match_id);
SELECT vertice_apply_company_rls('reconciliation_matches');
REVOKE DELETE ON reconciliation_matches FROM vertice_app;

CREATE TABLE reconciliation_match_lines (
  match_id     bigint NOT NULL REFERENCES reconciliation_matches,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  invoice_id   bigint NOT NULL REFERENCES sat_invoices,
  amount       numeric(18,2) NOT NULL,   -- MXN of the movement applied to the document, with its sign
  doc_amount   numeric(24,6) NOT NULL,   -- the same in the document's currency
  PRIMARY KEY (match_id, invoice_id)
);
CREATE INDEX reconciliation_match_lines_invoice_idx ON reconciliation_match_lines (invoice_id);
SELECT vertice_apply_company_rls('reconciliation_match_lines');
REVOKE UPDATE, DELETE ON reconciliation_match_lines FROM vertice_app;

-- Append-only: who did what to a match, when, with which score and reasons.
CREATE TABLE reconciliation_events (
  event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL,
  company_id  text NOT NULL,
  match_id    bigint NOT NULL REFERENCES reconciliation_matches,
  event       text NOT NULL CHECK (event IN ('proposed', 'accepted', 'auto_accepted', 'rejected', 'undone', 'superseded')),
  actor       text NOT NULL,
  score       numeric(8,3),
  reasons     jsonb,
  at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX reconciliation_events_match_idx ON reconciliation_events (match_id, event_id);
SELECT vertice_apply_company_rls('reconciliation_events');
REVOKE UPDATE, DELETE ON reconciliation_events FROM vertice_app;

-- Rules users add: a pattern on the description or reference → a category (no document).
CREATE TABLE reconciliation_rules (
  rule_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL,
  company_id  text NOT NULL,
  pattern     text NOT NULL CHECK (length(pattern) BETWEEN 2 AND 200),  -- words that must all appear
  direction   text NOT NULL DEFAULT 'any' CHECK (direction IN ('in', 'out', 'any')),
  category    text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_]{1,40}$'),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('reconciliation_rules');

-- What the matcher learned from accepted matches: a payer's bank account (as the bank shows it)
-- → the customer or supplier RFC.
CREATE TABLE reconciliation_aliases (
  tenant_id        text NOT NULL,
  company_id       text NOT NULL,
  payer_key        text NOT NULL,
  counterparty_rfc text NOT NULL,
  learned_from     bigint REFERENCES reconciliation_matches,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, company_id, payer_key),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('reconciliation_aliases');

-- A movement's status and reconciled amount from its accepted matches.
CREATE FUNCTION reconciliation_refresh_movements(p_ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE bank_movements m
  SET reconciled_amount = coalesce(x.applied, 0),
      category = x.category,
      status = CASE WHEN x.category IS NOT NULL THEN 'ignored'
                    WHEN coalesce(x.applied, 0) = 0 THEN 'unreconciled'
                    WHEN abs(x.applied) >= abs(m.amount) THEN 'reconciled'
                    ELSE 'partial' END
  FROM (SELECT mv.movement_id,
               coalesce((SELECT sum(l.amount) FROM reconciliation_matches r
                           JOIN reconciliation_match_lines l USING (match_id)
                          WHERE r.movement_id = mv.movement_id AND r.state = 'accepted'), 0)
               + coalesce((SELECT sum((a.value)::numeric) FROM reconciliation_matches r, jsonb_each_text(r.adjustments) a
                            WHERE r.movement_id = mv.movement_id AND r.state = 'accepted'), 0) AS applied,
               (SELECT r.category FROM reconciliation_matches r
                 WHERE r.movement_id = mv.movement_id AND r.state = 'accepted' AND r.category IS NOT NULL
                 ORDER BY r.match_id DESC LIMIT 1) AS category
        FROM unnest(p_ids) AS mv(movement_id)) x
  WHERE m.movement_id = x.movement_id
$$;
GRANT EXECUTE ON FUNCTION reconciliation_refresh_movements(bigint[]) TO vertice_app;
