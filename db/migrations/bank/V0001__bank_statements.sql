-- Bank accounts, imported statement files, statements and their movements, company-scoped with
-- row-level security. Integrity lives here: a file is imported once (its SHA-256), a movement once
-- per account (its fingerprint: booking date, amount, bank reference and the sequence among
-- identical lines of that day, so overlapping periods add only what is new), and amounts are
-- never zero. Movements are never deleted by the server: a statement is history.

CREATE TABLE bank_accounts (
  account_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  company_id      text NOT NULL,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  bank            text NOT NULL CHECK (length(bank) BETWEEN 1 AND 80),
  clabe           text CHECK (clabe ~ '^[0-9]{18}$'),
  account_number  text CHECK (length(account_number) BETWEEN 1 AND 64),  -- IBAN / number as statements write it
  currency        text NOT NULL DEFAULT 'MXN' CHECK (currency ~ '^[A-Z]{3}$'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (clabe IS NOT NULL OR account_number IS NOT NULL),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
CREATE UNIQUE INDEX bank_accounts_clabe_key ON bank_accounts (tenant_id, company_id, clabe) WHERE clabe IS NOT NULL;
CREATE UNIQUE INDEX bank_accounts_number_key ON bank_accounts (tenant_id, company_id, account_number)
  WHERE account_number IS NOT NULL;
SELECT vertice_apply_company_rls('bank_accounts');
REVOKE DELETE ON bank_accounts FROM vertice_app;

CREATE TABLE bank_statement_files (
  file_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  file_name    text NOT NULL DEFAULT '',
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  format       text NOT NULL CHECK (format IN ('csv', 'camt053', 'mt940', 'ofx')),
  variant      text NOT NULL DEFAULT '',
  source       text NOT NULL CHECK (source IN ('api', 'cli', 'demo')),
  actor_type   text NOT NULL,
  actor_id     text,
  statements   integer NOT NULL DEFAULT 0,
  new_lines    integer NOT NULL DEFAULT 0,
  duplicate_lines integer NOT NULL DEFAULT 0,
  rejected_lines  integer NOT NULL DEFAULT 0,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, company_id, sha256),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('bank_statement_files');
REVOKE DELETE ON bank_statement_files FROM vertice_app;

CREATE TABLE bank_statements (
  statement_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id         text NOT NULL,
  company_id        text NOT NULL,
  account_id        bigint NOT NULL REFERENCES bank_accounts,
  file_id           bigint NOT NULL REFERENCES bank_statement_files,
  bank_statement_ref text NOT NULL DEFAULT '',  -- the bank's id (CAMT Stmt/Id, MT940 :20:/:28C:)
  from_date         date,
  to_date           date,
  currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  opening_balance   numeric(18,2),
  closing_balance   numeric(18,2),
  movements_total   numeric(18,2) NOT NULL,
  new_lines         integer NOT NULL DEFAULT 0,
  duplicate_lines   integer NOT NULL DEFAULT 0,
  skipped_lines     integer NOT NULL DEFAULT 0,
  -- A statement whose balances do not add up is refused unless someone overrides, on record.
  balance_mismatch  boolean NOT NULL DEFAULT false,
  override_reason   text,
  override_by       text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT balance_mismatch OR (override_reason IS NOT NULL AND length(override_reason) > 0)),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
CREATE INDEX bank_statements_account_idx ON bank_statements (account_id, to_date);
SELECT vertice_apply_company_rls('bank_statements');
REVOKE DELETE ON bank_statements FROM vertice_app;

CREATE TABLE bank_movements (
  movement_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id            text NOT NULL,
  company_id           text NOT NULL,
  account_id           bigint NOT NULL REFERENCES bank_accounts,
  statement_id         bigint NOT NULL REFERENCES bank_statements,
  booking_date         date NOT NULL,
  value_date           date,
  amount               numeric(18,2) NOT NULL CHECK (amount <> 0),
  currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  description          text NOT NULL DEFAULT '',
  reference            text NOT NULL DEFAULT '',
  bank_reference       text NOT NULL DEFAULT '',
  counterparty_name    text NOT NULL DEFAULT '',
  counterparty_account text NOT NULL DEFAULT '',
  transaction_code     text NOT NULL DEFAULT '',
  line                 integer NOT NULL DEFAULT 0,
  fingerprint          text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  -- Reconciliation state, maintained from the match events (reconciliation migration).
  status               text NOT NULL DEFAULT 'unreconciled'
                         CHECK (status IN ('unreconciled', 'partial', 'reconciled', 'ignored')),
  reconciled_amount    numeric(18,2) NOT NULL DEFAULT 0,
  category             text,  -- fees, taxes, payroll, own transfer…: lines that settle no invoice
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, fingerprint),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
-- Listing (keyset by date, id), the matcher's candidate scans, and the summary.
CREATE INDEX bank_movements_list_idx ON bank_movements (tenant_id, company_id, booking_date DESC, movement_id DESC);
CREATE INDEX bank_movements_status_idx ON bank_movements (tenant_id, company_id, status, booking_date);
CREATE INDEX bank_movements_statement_idx ON bank_movements (statement_id);
SELECT vertice_apply_company_rls('bank_movements');
REVOKE DELETE ON bank_movements FROM vertice_app;

-- Stores one parsed statement: the statement row and its new movements (duplicates by
-- fingerprint skipped). p_movements: [{booking_date, value_date, amount, description, reference,
-- bank_reference, counterparty_name, counterparty_account, transaction_code, line, fingerprint}].
-- Returns the statement id and how many lines were new and duplicate.
CREATE FUNCTION bank_store_statement(p_account_id bigint, p_file_id bigint, p_statement jsonb, p_movements jsonb,
                                     OUT statement_id bigint, OUT new_lines integer, OUT duplicate_lines integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_currency text;
BEGIN
  SELECT a.currency INTO v_currency FROM bank_accounts a WHERE a.account_id = p_account_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'bank account % not found', p_account_id USING ERRCODE = 'no_data_found';
  END IF;
  INSERT INTO bank_statements (tenant_id, company_id, account_id, file_id, bank_statement_ref, from_date, to_date,
                               currency, opening_balance, closing_balance, movements_total, skipped_lines,
                               balance_mismatch, override_reason, override_by)
  VALUES (vertice_current_tenant(), vertice_current_company(), p_account_id, p_file_id,
          COALESCE(p_statement->>'bank_statement_ref', ''), (p_statement->>'from_date')::date,
          (p_statement->>'to_date')::date, COALESCE(NULLIF(p_statement->>'currency', ''), v_currency),
          (p_statement->>'opening_balance')::numeric, (p_statement->>'closing_balance')::numeric,
          COALESCE((SELECT sum((m->>'amount')::numeric) FROM jsonb_array_elements(p_movements) m), 0),
          COALESCE((p_statement->>'skipped_lines')::integer, 0),
          COALESCE((p_statement->>'balance_mismatch')::boolean, false), p_statement->>'override_reason',
          p_statement->>'override_by')
  RETURNING bank_statements.statement_id INTO statement_id;
  WITH inserted AS (
    INSERT INTO bank_movements (tenant_id, company_id, account_id, statement_id, booking_date, value_date, amount,
                                currency, description, reference, bank_reference, counterparty_name,
                                counterparty_account, transaction_code, line, fingerprint)
    SELECT vertice_current_tenant(), vertice_current_company(), p_account_id, statement_id, m.booking_date,
           m.value_date, m.amount, COALESCE(NULLIF(p_statement->>'currency', ''), v_currency), m.description,
           m.reference, m.bank_reference, m.counterparty_name, m.counterparty_account, m.transaction_code, m.line,
           m.fingerprint
    FROM jsonb_to_recordset(p_movements) AS m(booking_date date, value_date date, amount numeric, description text,
                                              reference text, bank_reference text, counterparty_name text,
                                              counterparty_account text, transaction_code text, line integer,
                                              fingerprint text)
    ON CONFLICT (account_id, fingerprint) DO NOTHING
    RETURNING 1
  )
  SELECT count(*) INTO new_lines FROM inserted;
  duplicate_lines := jsonb_array_length(p_movements) - new_lines;
  UPDATE bank_statements s SET new_lines = bank_store_statement.new_lines,
                               duplicate_lines = bank_store_statement.duplicate_lines
  WHERE s.statement_id = bank_store_statement.statement_id;
END $$;
GRANT EXECUTE ON FUNCTION bank_store_statement(bigint, bigint, jsonb, jsonb) TO vertice_app;
