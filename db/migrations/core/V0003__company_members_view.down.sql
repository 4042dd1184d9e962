DROP VIEW IF EXISTS company_members;
