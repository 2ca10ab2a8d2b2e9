-- For a cursor acting for a role that may see personal data: the tables themselves. grain: none.
SET search_path = 'main';
