-- Remove every row of one canonical table and its history (sample --replace).
DELETE FROM {{table}};
DELETE FROM {{history}};
