SELECT nextval('import_id_seq') AS import_id;
