-- What a source counted and left out (its view source_left_out: guest checkouts, pending payments).
-- grain: one row per kind of row left out.
SELECT what, rows, amount FROM source_left_out ORDER BY what;
