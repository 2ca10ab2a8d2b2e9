-- Type the staged tickets file. grain: one row per data record of the file (rec = record ordinal).
-- Timestamps with an offset are converted to UTC; those without are taken as UTC.
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(ticket_id, $ascii) AS p_ticket_id, crm_id(customer_id, $ascii) AS p_customer_id,
           crm_timestamp(opened_at, $date_format) AS parsed_opened_at,
           crm_timestamp(closed_at, $date_format) AS parsed_closed_at, crm_int(satisfaction) AS p_satisfaction
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_opened_at) AS p_opened_at,
           crm_year_ok(parsed_closed_at) AS p_closed_at
    FROM parsed
)
SELECT
       p_ticket_id AS ticket_id, p_customer_id AS customer_id, p_opened_at AS opened_at,
       CASE WHEN p_closed_at >= p_opened_at THEN p_closed_at END AS closed_at,
       crm_text(category) AS category, crm_text(channel) AS channel,
       CASE WHEN p_satisfaction BETWEEN 1 AND 5 THEN p_satisfaction END AS satisfaction,
       list_filter([
           CASE WHEN p_ticket_id IS NULL THEN 'ticket_id' END,
           CASE WHEN p_customer_id IS NULL THEN 'customer_id' END,
           CASE WHEN p_opened_at IS NULL THEN 'opened_at' END,
           CASE WHEN crm_bad(closed_at, p_closed_at) OR p_closed_at < p_opened_at THEN 'closed_at' END,
           CASE WHEN crm_bad(satisfaction, p_satisfaction) OR p_satisfaction NOT BETWEEN 1 AND 5 THEN 'satisfaction' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view
