-- Type the staged customers file. grain: one row per data record of the file (rec = record ordinal).
-- _bad lists the columns whose value was given but did not parse or broke a range.
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(customer_id, $ascii) AS p_customer_id, crm_date(signup_date, $date_format) AS parsed_signup_date,
           crm_text(name) AS p_name, crm_text(email) AS p_email, crm_text(region) AS p_region,
           crm_text(country) AS p_country, crm_text(city) AS p_city,
           crm_text(acquisition_channel) AS p_acquisition_channel,
           crm_money(acquisition_cost, $decimal) AS p_acquisition_cost, crm_id(referred_by, $ascii) AS p_referred_by,
           crm_int(birth_year) AS p_birth_year, crm_text(gender) AS p_gender
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_signup_date) AS p_signup_date
    FROM parsed
)
SELECT
       p_customer_id AS customer_id, p_signup_date AS signup_date, p_name AS name, p_email AS email,
       p_region AS region, p_country AS country, p_city AS city, p_acquisition_channel AS acquisition_channel,
       CASE WHEN p_acquisition_cost >= 0 THEN p_acquisition_cost END AS acquisition_cost,
       p_referred_by AS referred_by,
       CASE WHEN p_birth_year BETWEEN 1900 AND 2030 THEN p_birth_year END AS birth_year, p_gender AS gender,
       list_filter([
           CASE WHEN p_customer_id IS NULL THEN 'customer_id' END,
           CASE WHEN crm_bad(signup_date, p_signup_date) THEN 'signup_date' END,
           CASE WHEN crm_bad(acquisition_cost, p_acquisition_cost) OR p_acquisition_cost < 0 THEN 'acquisition_cost' END,
           CASE WHEN crm_bad(birth_year, p_birth_year) OR p_birth_year NOT BETWEEN 1900 AND 2030 THEN 'birth_year' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view
