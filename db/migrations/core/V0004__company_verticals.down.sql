DROP FUNCTION vertical_enabled_companies(text);
DROP TABLE company_verticals;
