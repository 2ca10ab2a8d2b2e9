-- Type the staged surveys file. grain: one row per data record of the file (rec = record ordinal).
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(customer_id, $ascii) AS p_customer_id, crm_date(survey_date, $date_format) AS parsed_survey_date,
           crm_int(csat) AS p_csat, crm_int(nps) AS p_nps
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_survey_date) AS p_survey_date
    FROM parsed
)
SELECT
       p_customer_id AS customer_id, p_survey_date AS survey_date,
       CASE WHEN p_csat BETWEEN 1 AND 5 THEN p_csat END AS csat,
       CASE WHEN p_nps BETWEEN 0 AND 10 THEN p_nps END AS nps,
       crm_text(comment) AS comment,
       list_filter([
           CASE WHEN p_customer_id IS NULL THEN 'customer_id' END,
           CASE WHEN p_survey_date IS NULL THEN 'survey_date' END,
           CASE WHEN crm_bad(csat, p_csat) OR p_csat NOT BETWEEN 1 AND 5 THEN 'csat' END,
           CASE WHEN crm_bad(nps, p_nps) OR p_nps NOT BETWEEN 0 AND 10 THEN 'nps' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view
