-- The revenue concentration curve: customers ranked by revenue to $as_of (under the shared filters),
-- best first. grain: one row per percentile of customers (1..100; fewer with under 100 customers): the
-- share of revenue the best percentile% bring, and how many customers that is.
WITH
-- @include scoped_orders
per_customer AS (
    -- the integer key: it sorts as the customer ids do (rpt_customers numbers them in id order) and groups
    -- millions of orders several times faster than text
    SELECT customer_key, sum(amount) AS revenue FROM scoped WHERE order_date <= $as_of GROUP BY customer_key
),
ranked AS (
    SELECT revenue,
           row_number() OVER (ORDER BY revenue DESC, customer_key) AS rank_no,
           count(*) OVER () AS n,
           sum(revenue) OVER () AS total
    FROM per_customer
),
cumulative AS (
    SELECT rank_no, n, total, sum(revenue) OVER (ORDER BY rank_no) AS running FROM ranked
)
SELECT CAST(ceil(100.0 * rank_no / n) AS INTEGER) AS percentile,
       CAST(max(running) / nullif(max(total), 0) AS DOUBLE) AS revenue_share, max(rank_no) AS customers
FROM cumulative
GROUP BY 1
ORDER BY 1;
