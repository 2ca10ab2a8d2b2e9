-- Type the staged orders file. grain: one row per data record of the file (rec = record ordinal).
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(order_id, $ascii) AS p_order_id, crm_id(customer_id, $ascii) AS p_customer_id,
           crm_date(order_date, $date_format) AS parsed_order_date, crm_money(amount, $decimal) AS p_amount,
           crm_int(quantity) AS p_quantity, crm_money(cost, $decimal) AS p_cost,
           CASE WHEN crm_null(status) IS NULL THEN 'completed'
                WHEN lower(crm_null(status)) IN ('completed', 'complete', 'paid', 'shipped', 'delivered') THEN 'completed'
                WHEN lower(crm_null(status)) IN ('returned', 'return', 'refunded') THEN 'returned'
                WHEN lower(crm_null(status)) IN ('cancelled', 'canceled', 'void') THEN 'cancelled' END AS p_status
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_order_date) AS p_order_date
    FROM parsed
)
SELECT
       p_order_id AS order_id, p_customer_id AS customer_id, p_order_date AS order_date, p_amount AS amount,
       crm_text(channel) AS channel, crm_text(product_category) AS product_category, p_quantity AS quantity,
       p_cost AS cost, crm_id(campaign_id, $ascii) AS campaign_id, p_status AS status,
       list_filter([
           CASE WHEN p_order_id IS NULL THEN 'order_id' END,
           CASE WHEN p_customer_id IS NULL THEN 'customer_id' END,
           CASE WHEN p_order_date IS NULL THEN 'order_date' END,
           CASE WHEN p_amount IS NULL THEN 'amount' END,
           CASE WHEN crm_bad(quantity, p_quantity) THEN 'quantity' END,
           CASE WHEN crm_bad(cost, p_cost) THEN 'cost' END,
           CASE WHEN p_status IS NULL THEN 'status' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view
