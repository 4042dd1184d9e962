DROP FUNCTION vertice_create_company(text, text, text, uuid);
