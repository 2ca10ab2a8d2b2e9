-- Remove every row of one canonical table and its history (sample --replace, emptying the database).
DELETE FROM {{table}};
DELETE FROM {{history}};
