-- For a cursor acting for a role that may not see personal data: unqualified table names resolve to the
-- masked views first (schema masked, sql/create_schema.sql), then to the tables. grain: none (a setting).
SET search_path = 'masked,main';
