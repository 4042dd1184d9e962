DROP TABLE IF EXISTS status_history;
DROP FUNCTION IF EXISTS vertice_apply_company_rls(regclass);
