-- The currencies a source's file names (its view source_currency: a Currency column, or a header such as
-- "Amount spent (USD)"). grain: one row per currency code.
SELECT value FROM source_currency WHERE value IS NOT NULL ORDER BY value;
