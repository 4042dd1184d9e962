-- Reconciliation's read models that several statements share, defined once.

-- What accepted matches have settled of a document, in the document's currency. (A run's
-- document scan computes the same set-based for every open document: reconciliation/run.cpp.)
CREATE OR REPLACE FUNCTION reconciliation_settled(p_invoice_id bigint) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(sum(abs(l.doc_amount)), 0)
    FROM reconciliation_match_lines l JOIN reconciliation_matches r USING (match_id)
   WHERE l.invoice_id = p_invoice_id AND r.state = 'accepted'
$$;
