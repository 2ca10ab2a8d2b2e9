-- Type the staged contacts file. grain: one row per data record of the file (rec = record ordinal).
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(campaign_id, $ascii) AS p_campaign_id, crm_id(customer_id, $ascii) AS p_customer_id,
           crm_date(contact_date, $date_format) AS parsed_contact_date,
           CASE WHEN crm_null("group") IS NULL THEN 'treatment'
                WHEN lower(crm_null("group")) IN ('treatment', 'test', 'treated', 'target') THEN 'treatment'
                WHEN lower(crm_null("group")) IN ('control', 'holdout', 'hold-out', 'hold out') THEN 'control' END
               AS p_group,
           crm_bool(opened) AS p_opened, crm_bool(clicked) AS p_clicked
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_contact_date) AS p_contact_date
    FROM parsed
)
SELECT
       p_campaign_id AS campaign_id, p_customer_id AS customer_id, p_contact_date AS contact_date,
       p_group AS "group", p_opened AS opened, p_clicked AS clicked,
       list_filter([
           CASE WHEN p_campaign_id IS NULL THEN 'campaign_id' END,
           CASE WHEN p_customer_id IS NULL THEN 'customer_id' END,
           CASE WHEN p_contact_date IS NULL THEN 'contact_date' END,
           CASE WHEN p_group IS NULL THEN 'group' END,
           CASE WHEN crm_bad(opened, p_opened) THEN 'opened' END,
           CASE WHEN crm_bad(clicked, p_clicked) THEN 'clicked' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view
