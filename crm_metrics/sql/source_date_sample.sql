-- The distinct days written in a source's date column (its view source_dates), to propose the date format
-- that every one of them satisfies. grain: one row per distinct date text (at most 20,000).
SELECT DISTINCT crm_day_text(trim(value)) AS value FROM source_dates WHERE crm_null(value) IS NOT NULL LIMIT 20000;
